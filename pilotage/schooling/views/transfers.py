"""Transfers: the list (a head answers for their school, officers read their territory's),
the request from a pupil's page (the destination chosen with the org-unit picker among the
country's schools) and the answer."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from pilotage.orgunits.models import OrgUnit
from pilotage.orgunits.selectors import (
    academic_year_current,
    parents_attach,
    school_directory_search,
    with_parent_names,
)
from pilotage.schooling.models import Pupil, TransferStatus
from pilotage.schooling.permissions import (
    can_answer_transfer,
    can_request_transfer_from,
    can_request_transfers,
    can_view_transfers,
)
from pilotage.schooling.selectors import (
    TransferDirection,
    pupil_enrolments,
    pupils_visible,
    schools_visible,
    transfers_list,
    transfers_visible,
)
from pilotage.schooling.services.enrolments import transfer_decide, transfer_request

PAGE_SIZE = 50


def transfers(request: HttpRequest) -> HttpResponse:
    if not can_view_transfers(request.user):
        raise Http404
    direction = request.GET.get("direction", "")
    if direction not in (TransferDirection.INCOMING, TransferDirection.OUTGOING):
        direction = ""
    status = request.GET.get("status", "")
    if status not in TransferStatus.values:
        status = ""
    school_code = request.GET.get("school", "").strip()
    school = None
    if school_code:
        school = schools_visible(request.user).filter(code=school_code).first()
        if school is None:
            messages.error(request, _("Établissement inconnu ou hors de votre périmètre."))
    rows = transfers_list(request.user, direction=direction, status=status, school=school)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    parents_attach([u for t in page for u in (t.from_school, t.to_school)])
    for t in page:
        t.can_answer = t.status == TransferStatus.REQUESTED and can_answer_transfer(  # type: ignore[attr-defined]
            request.user, t
        )
    params = {
        k: v
        for k, v in (
            ("direction", direction),
            ("status", status),
            ("school", school.code if school else ""),
        )
        if v
    }
    return render(
        request,
        "schooling/transfers.html",
        {
            "page_obj": page,
            "querystring_base": f"{urlencode(params)}&" if params else "",
            "direction": direction,
            "status": status,
            "school_code": school.code if school else school_code,
            "statuses": TransferStatus.choices,
            "directions": [
                (TransferDirection.INCOMING, _("Reçues")),
                (TransferDirection.OUTGOING, _("Envoyées")),
            ],
            # Officers read: no column of buttons when no row on the page can be answered.
            "show_actions": any(t.can_answer for t in page),  # type: ignore[attr-defined]
        },
    )


class TransferForm(forms.Form):
    """The destination is a unit id picked from the country's schools (any school: a pupil
    may move anywhere), checked here and by the service."""

    to_school = forms.CharField(
        required=True,
        error_messages={"required": gettext_lazy("Choisissez l'établissement de destination.")},
    )
    reason = forms.CharField(required=False, max_length=200)

    def clean_to_school(self) -> OrgUnit:
        raw = self.cleaned_data["to_school"].strip()
        unit = None
        if raw.isdigit():
            unit = (
                with_parent_names(OrgUnit.objects.select_related("school"))
                .filter(pk=int(raw))
                .first()
            )
        if unit is None:
            raise ValidationError(_("Établissement de destination inconnu."))
        return unit


def _transferable(request: HttpRequest, code: str) -> Pupil:
    """The pupil, when the actor runs the school of their active enrolment; 404 otherwise."""
    pupil = get_object_or_404(pupils_visible(request.user), code_massar=code)
    if not any(
        e.is_active and can_request_transfer_from(request.user, e.school)
        for e in pupil_enrolments(pupil)
    ):
        raise Http404
    return pupil


def _form_page(
    request: HttpRequest, pupil: Pupil, form: TransferForm, chosen: OrgUnit | None
) -> HttpResponse:
    return render(
        request,
        "schooling/transfer_new.html",
        {"pupil": pupil, "form": form, "chosen": chosen, "can_transfer": True},
    )


def transfer_new(request: HttpRequest, code: str) -> HttpResponse:
    """GET: the request form on its own page; POST: the request, or the same form again
    with what was chosen and typed, and why it was refused."""
    pupil = _transferable(request, code)
    if request.method != "POST":
        return _form_page(request, pupil, TransferForm(), None)
    form = TransferForm(request.POST)
    if not form.is_valid():
        return _form_page(request, pupil, form, None)
    target: OrgUnit = form.cleaned_data["to_school"]
    year = academic_year_current()
    if year is None:
        form.add_error(None, _("Aucune année scolaire en cours."))
        return _form_page(request, pupil, form, target)
    try:
        transfer_request(
            actor=request.user,
            pupil=pupil,
            academic_year=year,
            to_school=target,
            reason=form.cleaned_data["reason"],
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        form.add_error(None, exc)
        return _form_page(request, pupil, form, target)
    messages.success(
        request,
        _("Demande de transfert envoyée à %(school)s.") % {"school": target.label_with_context},
    )
    return redirect("schooling:pupil", code=code)


@require_GET
def transfer_destinations(request: HttpRequest) -> HttpResponse:
    """The destination picker's search: any open school of the country, with its commune
    and code, for those who request transfers."""
    if not can_request_transfers(request.user):
        raise Http404
    q = request.GET.get("q", "")
    return render(
        request,
        "orgunits/_search_results.html",
        {"results": school_directory_search(q) if q.strip() else [], "q": q, "pick_only": True},
    )


@require_POST
def transfer_answer(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = get_object_or_404(
        transfers_visible(request.user).select_related("to_school", "pupil"), pk=pk
    )
    if not can_answer_transfer(request.user, transfer):
        raise Http404
    try:
        transfer_decide(
            actor=request.user, transfer=transfer, accept=request.POST.get("accept") == "1"
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Transfert traité."))
    return redirect("schooling:transfers")


urlpatterns = [
    path("transfers/", transfers, name="transfers"),
    path("transfers/destinations/", transfer_destinations, name="transfer-destinations"),
    path("transfers/<int:pk>/answer/", transfer_answer, name="transfer-answer"),
    path("pupils/<str:code>/transfer/", transfer_new, name="transfer-new"),
]
