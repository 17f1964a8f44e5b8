"""The agent's phone intake screen: find the caller while typing, see their recent
tickets, get knowledge-base answers and duplicate warnings while typing the subject,
record the call; the calls the telephony server announces ring on it. Also the
supervisor's page of telephony tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pilotage.contact import permissions as perms
from pilotage.contact.forms.intake import CallerForm, CallForm
from pilotage.contact.models import Association, IncomingCall, Requester, TelephonyToken
from pilotage.contact.selectors import intake as sel
from pilotage.contact.selectors.kb import kb_search
from pilotage.contact.services import intake as svc


def _guard(request: HttpRequest) -> None:
    if not perms.takes_calls(request.user):
        raise Http404


def _errors_from(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.error_dict.items():
            target = field if field in form.fields else None
            for err in errs:
                form.add_error(target, err)
    else:
        form.add_error(None, exc)


def _kb_lang(requester: Requester | None) -> str:
    if requester is not None and requester.language in ("fr", "ar"):
        return requester.language
    return ""


def intake(request: HttpRequest) -> HttpResponse:
    _guard(request)
    requester = None
    association = None
    call: IncomingCall | None = None
    if request.GET.get("call") or request.POST.get("call"):
        call = sel.call_get(request.user, request.GET.get("call") or request.POST.get("call"))
    requester_id = request.POST.get("requester") or request.GET.get("requester")
    if requester_id:
        requester = sel.requester_get(request.user, requester_id)
    elif call is not None and call.requester_id:
        requester = sel.requester_get(request.user, call.requester_id)
    if request.GET.get("association"):
        association = sel.association_get(request.user, request.GET.get("association"))
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = svc.call_record(
                actor=request.user,
                type=data["type"],
                subject=data["subject"],
                notes=data["notes"],
                queue=data["queue"],
                priority=data["priority"],
                category=data["category"],
                requester=requester,
                answered=data["answered"],
                call=call,
            )
        except ValidationError as exc:
            _errors_from(form, exc)
        else:
            messages.success(
                request,
                _("Appel enregistré : ticket %(reference)s.") % {"reference": ticket.reference},
            )
            return redirect("contact:ticket", ticket.pk)
    caller_form = CallerForm(
        initial={
            "phone": call.caller if call is not None and requester is None else "",
            "association": association.pk if association is not None else None,
            "language": (request.LANGUAGE_CODE or "fr")[:2]
            if (request.LANGUAGE_CODE or "fr")[:2] in ("fr", "ar")
            else "fr",
        },
        associations=Association.objects.filter(perms.associations_q(request.user)),
    )
    return render(
        request,
        "contact/intake/page.html",
        {
            "form": form,
            "caller_form": caller_form,
            "requester": requester,
            "association": association,
            "association_contacts": (
                sel.requesters_visible(request.user).filter(association=association)[:20]
                if association is not None
                else []
            ),
            "call": call,
            "recent": sel.requester_tickets(request.user, requester) if requester else [],
        },
        status=422 if request.method == "POST" else 200,
    )


@require_GET
def callers(request: HttpRequest) -> HttpResponse:
    _guard(request)
    found = sel.callers_search(request.user, request.GET.get("q", ""))
    return render(request, "contact/intake/_callers.html", {**found, "q": request.GET.get("q", "")})


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """Knowledge-base answers and possible duplicates for the subject being typed."""
    _guard(request)
    subject = request.GET.get("subject", "")[:300]
    requester = None
    if request.GET.get("requester"):
        requester = sel.requester_get(request.user, request.GET.get("requester"))
    return render(
        request,
        "contact/intake/_suggest.html",
        {
            "articles": kb_search(request.user, subject, lang=_kb_lang(requester), limit=5),
            "similar": sel.tickets_similar_open(request.user, requester, subject)
            if requester is not None
            else [],
        },
    )


@require_GET
def ringing(request: HttpRequest) -> HttpResponse:
    """Polled every two seconds by the intake page: the call ringing for this agent."""
    _guard(request)
    return render(
        request, "contact/intake/_ringing.html", {"ringing": sel.calls_ringing(request.user)}
    )


@require_POST
def call_take(request: HttpRequest, pk: int) -> HttpResponse:
    _guard(request)
    call = svc.call_take(actor=request.user, call=sel.call_get(request.user, pk))
    query: dict[str, Any] = {"call": call.pk}
    if call.requester_id:
        query["requester"] = call.requester_id
    return redirect(reverse("contact:intake") + "?" + urlencode(query))


@require_POST
def caller_new(request: HttpRequest) -> HttpResponse:
    _guard(request)
    associations = Association.objects.filter(perms.associations_q(request.user))
    form = CallerForm(request.POST, associations=associations)
    query: dict[str, Any] = {}
    if request.POST.get("call"):
        query["call"] = sel.call_get(request.user, request.POST["call"]).pk
    if form.is_valid():
        try:
            requester = svc.requester_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors_from(form, exc)
        else:
            query["requester"] = requester.pk
            return redirect(reverse("contact:intake") + "?" + urlencode(query))
    return render(
        request,
        "contact/intake/page.html",
        {"form": CallForm(), "caller_form": form, "requester": None, "recent": [], "call": None},
        status=422,
    )


def telephony(request: HttpRequest) -> HttpResponse:
    """The supervisor's page: the telephony server's tokens, a new one shown once."""
    if not perms.manages_telephony(request.user):
        raise Http404
    secret = ""
    error = ""
    if request.method == "POST":
        try:
            _token, secret = svc.telephony_token_create(
                actor=request.user, name=request.POST.get("name", "")
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except PermissionDenied:
            raise Http404 from None
    return render(
        request,
        "contact/intake/telephony.html",
        {
            "tokens": TelephonyToken.objects.select_related("created_by")[:50],
            "secret": secret,
            "error": error,
        },
        status=422 if error else 200,
    )


urlpatterns = [
    path("intake/", intake, name="intake"),
    path("intake/callers/", callers, name="intake-callers"),
    path("intake/suggest/", suggest, name="intake-suggest"),
    path("intake/ringing/", ringing, name="intake-ringing"),
    path("intake/calls/<int:pk>/take/", call_take, name="intake-call-take"),
    path("intake/callers/new/", caller_new, name="intake-caller-new"),
    path("intake/telephony/", telephony, name="telephony"),
]
