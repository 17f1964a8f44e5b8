"""The agreement pages: the list, an agreement (parties, documents, obligations,
amendments), creating and editing one, handing in an obligation's report, and the
documents' download (checked against the reader's reach, never through MEDIA_URL)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pilotage.accounts.models import User
from pilotage.cooperation import permissions as perms
from pilotage.cooperation.forms.agreements import (
    AgreementFilterForm,
    AgreementForm,
    AmendmentForm,
    DocumentForm,
    ObligationForm,
    PartyForm,
    ReviewForm,
    SubmitForm,
)
from pilotage.cooperation.models import AgreementParty, Partner, Programme
from pilotage.cooperation.selectors.agreements import (
    agreement_documents,
    agreement_get,
    agreement_obligations,
    agreement_parties,
    agreements_list,
    document_get,
    obligation_get,
)
from pilotage.cooperation.selectors.programmes import programmes_visible
from pilotage.cooperation.services.agreements import (
    AGREEMENT_EDITABLE,
    agreement_create,
    agreement_document_add,
    agreement_party_add,
    agreement_party_remove,
    agreement_update,
    amendment_record,
    obligation_create,
    obligation_review,
    obligation_submit,
)
from pilotage.core.audit import audit_change_label
from pilotage.core.forms import form_errors_add

PAGE_SIZE = 50


def _creatable_programmes(actor: Any) -> Any:
    return Programme.objects.filter(
        pk__in=[p.pk for p in programmes_visible(actor) if perms.can_create_agreement(actor, p)]
    )


def agreements(request: HttpRequest) -> HttpResponse:
    if not perms.can_use(request.user):
        raise Http404
    partners = Partner.objects.filter(
        pk__in=AgreementParty.objects.filter(
            agreement__in=agreements_list(request.user).values("pk")
        ).values("partner")
    ).order_by("name_fr")
    form = AgreementFilterForm(
        request.GET or None, partners=partners, programmes=programmes_visible(request.user)
    )
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(agreements_list(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cooperation/agreements/list.html",
        {
            "page_obj": page,
            "form": form,
            "can_create": perms.runs_all(request.user) or perms.can_create_programme(request.user),
        },
    )


def agreement_new(request: HttpRequest) -> HttpResponse:
    if not perms.can_create_programme(request.user):
        raise Http404
    programmes = _creatable_programmes(request.user)
    form = AgreementForm(request.POST or None, programmes=programmes)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "programme")}
        try:
            found = agreement_create(
                actor=request.user, programme=form.cleaned_data.get("programme"), **fields
            )
        except PermissionDenied:
            form.add_error("programme", _("Vous ne gérez pas ce programme."))
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Accord enregistré."))
            return redirect("cooperation:agreement", found.pk)
    return render(request, "cooperation/agreements/form.html", {"form": form})


def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    found = agreement_get(request.user, pk)
    can_edit = perms.can_edit_agreement(request.user, found)
    obligations = list(agreement_obligations(request.user, found))
    for item in obligations:
        item.can_submit = perms.can_submit_obligation(request.user, item)  # type: ignore[attr-defined]
    return render(
        request,
        "cooperation/agreements/detail.html",
        {
            "agreement": found,
            "parties": agreement_parties(found),
            "documents": agreement_documents(request.user, found),
            "obligations": obligations,
            "amendments": _amendment_rows(found),
            "can_edit": can_edit,
            "party_form": PartyForm() if can_edit else None,
            "document_form": DocumentForm() if can_edit else None,
        },
    )


def _shown(field: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if field in ("ends_on", "effective_on", "signed_on"):
        return date_format(dt.date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
    if field == "amount":
        return number_format(Decimal(str(value)), 2, force_grouping=True)
    return str(value)


def _amendment_rows(agreement: Any) -> list[dict[str, Any]]:
    """The history table: each amendment with its changes as (label, old, new)."""
    rows = []
    for amendment in agreement.amendments.select_related("recorded_by").order_by("number"):
        changes = [
            (audit_change_label(field) or field, _shown(field, old), _shown(field, new))
            for field, (old, new) in amendment.changes.items()
        ]
        rows.append({"amendment": amendment, "changes": changes})
    return rows


def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = agreement_get(request.user, pk)
    if not perms.can_edit_agreement(request.user, found):
        raise Http404
    form = AgreementForm(request.POST or None, instance=found)
    if request.method == "POST" and form.is_valid():
        changes = {k: form.cleaned_data[k] for k in form.changed_data if k in AGREEMENT_EDITABLE}
        try:
            agreement_update(
                actor=request.user,
                agreement=found.pk,
                version=form.cleaned_data.get("version"),
                **changes,
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Accord enregistré."))
            return redirect("cooperation:agreement", found.pk)
    return render(request, "cooperation/agreements/form.html", {"form": form, "agreement": found})


@require_POST
def party_add(request: HttpRequest, pk: int) -> HttpResponse:
    found = agreement_get(request.user, pk)
    if not perms.can_edit_agreement(request.user, found):
        raise Http404
    form = PartyForm(request.POST)
    if form.is_valid():
        try:
            agreement_party_add(
                actor=request.user,
                agreement=found,
                partner=form.cleaned_data["partner"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            messages.success(request, _("Partie ajoutée."))
    else:
        for field, errors in form.errors.items():
            for problem in errors:
                messages.error(request, f"{form.fields[field].label} : {problem}")
    return redirect("cooperation:agreement", found.pk)


@require_POST
def party_remove(request: HttpRequest, pk: int, party_pk: int) -> HttpResponse:
    found = agreement_get(request.user, pk)
    if not perms.can_edit_agreement(request.user, found):
        raise Http404
    party = found.parties.filter(pk=party_pk).first()
    if party is None:
        raise Http404
    try:
        agreement_party_remove(actor=request.user, party=party)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Partie retirée."))
    return redirect("cooperation:agreement", found.pk)


def document_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = agreement_get(request.user, pk)
    if not perms.can_edit_agreement(request.user, found):
        raise Http404
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            agreement_document_add(
                actor=request.user,
                agreement=found.pk,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Document déposé."))
            return redirect("cooperation:agreement", found.pk)
    return render(
        request,
        "cooperation/agreements/upload.html",
        {"form": form, "agreement": found, "heading": _("Déposer un document")},
    )


def document_download(request: HttpRequest, pk: int) -> FileResponse:
    document = document_get(request.user, pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=document.name, content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def obligation_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = agreement_get(request.user, pk)
    if not perms.can_edit_agreement(request.user, found):
        raise Http404
    parties = (
        Partner.objects.filter(agreement_parts__agreement=found).distinct().order_by("name_fr")
    )
    owners = _owners(found)
    form = ObligationForm(request.POST or None, parties=parties, owners=owners)
    if request.method == "POST" and form.is_valid():
        try:
            obligation_create(actor=request.user, agreement=found, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Obligation enregistrée."))
            return redirect("cooperation:agreement", found.pk)
    return render(
        request, "cooperation/agreements/obligation_form.html", {"form": form, "agreement": found}
    )


def _owners(agreement: Any) -> Any:
    """Who may own an obligation internally: the programme's team."""
    if agreement.programme_id is None:
        return User.objects.none()
    return User.objects.filter(
        is_active=True, pk__in=agreement.programme.members.values("user")
    ).order_by("last_name", "username")


def obligation_submit_page(request: HttpRequest, pk: int) -> HttpResponse:
    found = obligation_get(request.user, pk)
    if not perms.can_submit_obligation(request.user, found):
        raise Http404
    form = SubmitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            obligation_submit(
                actor=request.user, obligation=found.pk, upload=form.cleaned_data["file"]
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(
                request, _("Document remis : il sera examiné par le chargé de programme.")
            )
            return redirect("cooperation:agreement", found.agreement_id)
    return render(
        request,
        "cooperation/agreements/upload.html",
        {
            "form": form,
            "agreement": found.agreement,
            "obligation": found,
            "heading": _("Remettre : %(title)s") % {"title": found.title},
        },
    )


@require_POST
def obligation_review_page(request: HttpRequest, pk: int) -> HttpResponse:
    found = obligation_get(request.user, pk)
    if not perms.can_edit_agreement(request.user, found.agreement):
        raise Http404
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            obligation_review(
                actor=request.user,
                obligation=found.pk,
                version=form.cleaned_data.get("version"),
                status=form.cleaned_data["status"],
            )
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            messages.success(request, _("Obligation mise à jour."))
    return redirect("cooperation:agreement", found.agreement_id)


def amendment_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = agreement_get(request.user, pk)
    if not perms.can_edit_agreement(request.user, found):
        raise Http404
    form = AmendmentForm(
        request.POST or None,
        initial={
            "version": found.version,
            "ends_on": found.ends_on,
            "amount": found.amount,
            "currency": found.currency,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            amendment_record(
                actor=request.user,
                agreement=found.pk,
                version=form.cleaned_data.get("version"),
                signed_on=form.cleaned_data["signed_on"],
                signed_by=form.cleaned_data["signed_by"],
                summary=form.cleaned_data["summary"],
                **form.changes(found),
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Avenant enregistré."))
            return redirect("cooperation:agreement", found.pk)
    return render(
        request, "cooperation/agreements/amendment_form.html", {"form": form, "agreement": found}
    )


urlpatterns = [
    path("agreements/", agreements, name="agreements"),
    path("agreements/new/", agreement_new, name="agreement-new"),
    path("agreements/<int:pk>/", agreement, name="agreement"),
    path("agreements/<int:pk>/edit/", agreement_edit, name="agreement-edit"),
    path("agreements/<int:pk>/parties/", party_add, name="agreement-party-add"),
    path(
        "agreements/<int:pk>/parties/<int:party_pk>/remove/",
        party_remove,
        name="agreement-party-remove",
    ),
    path("agreements/<int:pk>/documents/new/", document_new, name="agreement-document-new"),
    path("agreements/documents/<int:pk>/", document_download, name="agreement-document"),
    path("agreements/<int:pk>/obligations/new/", obligation_new, name="obligation-new"),
    path(
        "agreements/obligations/<int:pk>/submit/", obligation_submit_page, name="obligation-submit"
    ),
    path(
        "agreements/obligations/<int:pk>/review/", obligation_review_page, name="obligation-review"
    ),
    path("agreements/<int:pk>/amendments/new/", amendment_new, name="amendment-new"),
]
