"""The public pages (no login): the web form, the tracking page by reference and code,
and the satisfaction survey reached from the e-mail. Nothing here shows an internal note,
an agent's full name or another requester's data."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from pilotage.contact.forms.public import (
    AppealForm,
    PublicRequestForm,
    RatingForm,
    RequesterMessageForm,
    TrackForm,
    started_stamp,
)
from pilotage.contact.models import Channel, MessageKind, SatisfactionSurvey, Ticket
from pilotage.contact.services import public as services
from pilotage.contact.services import tickets as ticket_services
from pilotage.contact.services.satisfaction import (
    RATINGS,
    survey_answer,
    survey_by_token,
    ticket_appeal,
)
from pilotage.contact.services.tickets import ticket_message_add

SESSION_SENT = "contact_public_sent"
SESSION_TRACKED = "contact_public_tracked"
TRACKED_MAX = 10


def _limited(request: HttpRequest) -> HttpResponse:
    return render(request, "contact/public/limited.html", status=429)


def _errors_from(form: Any, error: ValidationError) -> None:
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


@login_not_required
@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest) -> HttpResponse:
    form = PublicRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        ip = services.client_ip(request)
        if services.rate_limited("form-ip", ip, services.FORM_PER_IP):
            return _limited(request)
        if form.is_robot():
            form.is_valid()  # the field errors too, then the robot's
            # Said to a robot and to a person who went too fast alike; nothing is written.
            form.add_error(
                None,
                _(
                    "Le formulaire a été envoyé trop vite ou contient un champ qui doit rester "
                    "vide. Relisez-le puis envoyez-le de nouveau."
                ),
            )
        elif form.is_valid():
            data = form.cleaned_data
            if data["email"] and services.rate_limited(
                "form-email", data["email"].lower(), services.FORM_PER_EMAIL
            ):
                return _limited(request)
            try:
                files = ticket_services.attachments_read(request.FILES.getlist("attachments"))
                ticket = services.public_request_submit(
                    type=data["type"],
                    subject=data["subject"],
                    body=data["body"],
                    name=data["name"],
                    email=data["email"],
                    phone=data["phone"],
                    association_name=data["association_name"],
                    registration_number=data["registration_number"],
                    org_unit=data["org_unit"],
                    category=data["category"],
                    language=data["language"],
                    confidential=data["confidential"],
                    attachments=files,
                )
            except ValidationError as error:
                _errors_from(form, error)
            else:
                request.session[SESSION_SENT] = {
                    "reference": ticket.reference,
                    "code": ticket.secret,  # type: ignore[attr-defined]
                    "emailed": bool(
                        data["email"] or (ticket.association and ticket.association.email)
                    ),
                }
                _remember(request, ticket)
                return redirect("contact:public-sent")
        if form.is_bound:
            # A fresh start stamp: the next try is timed from now.
            data = request.POST.copy()
            data["started"] = started_stamp()
            form.data = data
    return render(
        request,
        "contact/public/form.html",
        {
            "form": form,
            "max_bytes": ticket_services.attachment_max_bytes(),
            "max_files": ticket_services.ATTACHMENT_MAX_FILES,
        },
    )


@login_not_required
def request_sent(request: HttpRequest) -> HttpResponse:
    """The reference and the tracking code, shown once (the session forgets them)."""
    sent = request.session.pop(SESSION_SENT, None)
    if not sent:
        return redirect("contact:public-track")
    return render(request, "contact/public/sent.html", {"sent": sent})


def _remember(request: HttpRequest, ticket: Ticket) -> None:
    tracked = [pk for pk in request.session.get(SESSION_TRACKED, []) if pk != ticket.pk]
    request.session[SESSION_TRACKED] = [ticket.pk, *tracked][:TRACKED_MAX]


# What a reference looks like (2026-000123); anything else in the URL is nobody's request.
REFERENCE_SHAPE = re.compile(r"[0-9A-Za-z-]{1,20}")


def _tracked(request: HttpRequest, reference: str) -> Ticket | None:
    if not REFERENCE_SHAPE.fullmatch(reference):
        return None
    ticket = (
        Ticket.objects.select_related("queue", "org_unit").filter(reference=reference[:20]).first()
    )
    if ticket is None or ticket.pk not in request.session.get(SESSION_TRACKED, []):
        return None
    return ticket


@login_not_required
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(
        request.POST if request.method == "POST" else None,
        initial={"reference": request.GET.get("reference", "")[:20]},
    )
    if request.method == "POST":
        ip = services.client_ip(request)
        reference = str(request.POST.get("reference", "")).strip().upper()[:20]
        if services.rate_limited("track-ip", ip, services.TRACK_PER_IP) or (
            reference
            and services.rate_limited("track-ref", reference, services.TRACK_PER_REFERENCE)
        ):
            return _limited(request)
        if form.is_valid():
            ticket = services.ticket_for_code(
                form.cleaned_data["reference"], form.cleaned_data["code"]
            )
            if ticket is not None:
                request.session.cycle_key()
                _remember(request, ticket)
                return redirect("contact:public-ticket", reference=ticket.reference)
            # The same words for an unknown reference and a wrong code.
            form.add_error(None, _("Cette référence et ce code ne correspondent à aucune demande."))
    return render(request, "contact/public/track.html", {"form": form})


def _public_messages(ticket: Ticket) -> list[dict[str, Any]]:
    rows = []
    for message in ticket.messages.exclude(kind=MessageKind.NOTE).select_related("author"):
        if message.kind == MessageKind.REPLY:
            who = (message.author.first_name if message.author else "") or _("Le centre de contact")
        else:
            who = _("Vous")
        rows.append(
            {
                "kind": message.kind,
                "who": who,
                "at": message.created_at,
                "body": message.body,
                "pk": message.pk,
            }
        )
    return rows


@login_not_required
@require_http_methods(["GET", "POST"])
def tracked_ticket(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _tracked(request, reference)
    if ticket is None:
        shown = reference if REFERENCE_SHAPE.fullmatch(reference) else ""
        return redirect(reverse("contact:public-track") + "?reference=" + shown)
    form = RequesterMessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            ticket_message_add(
                actor=None,
                ticket=ticket,
                kind=MessageKind.INCOMING,
                body=form.cleaned_data["body"],
                channel=Channel.WEB,
            )
        except ValidationError as error:
            _errors_from(form, error)
        else:
            return redirect("contact:public-ticket", reference=ticket.reference)
    return render(request, "contact/public/ticket.html", _ticket_context(ticket, form=form))


def _ticket_context(ticket: Ticket, **extra: Any) -> dict[str, Any]:
    surveys = list(ticket.surveys.all())
    answered = next((s for s in surveys if s.answered_at is not None), None)
    return {
        "ticket": ticket,
        "messages_list": _public_messages(ticket),
        "answered": answered,
        "appealed": any(s.appealed_at for s in surveys),
        "can_appeal": ticket.status in ("resolved", "closed"),
        "appeal_form": extra.pop("appeal_form", None) or AppealForm(),
        **extra,
    }


@login_not_required
@require_POST
def tracked_appeal(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _tracked(request, reference)
    if ticket is None:
        return redirect("contact:public-track")
    form = AppealForm(request.POST)
    if form.is_valid():
        try:
            ticket_appeal(ticket=ticket, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _errors_from(form, error)
        else:
            return render(request, "contact/public/appealed.html", {"ticket": ticket})
    context = _ticket_context(ticket, form=RequesterMessageForm(), appeal_form=form)
    return render(request, "contact/public/ticket.html", context, status=400)


def _survey_or_404(token: str) -> SatisfactionSurvey:
    survey = survey_by_token(token)
    if survey is None:
        raise Http404
    return survey


@login_not_required
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the rating chosen in the e-mail with a confirm button (a mail scanner
    that follows the link records nothing); POST records it."""
    found = _survey_or_404(token)
    if request.method == "POST":
        if services.rate_limited("survey-ip", services.client_ip(request), services.TRACK_PER_IP):
            return _limited(request)
        form = RatingForm(request.POST)
        if form.is_valid():
            try:
                found = survey_answer(
                    token=token,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                )
            except PermissionDenied as denied:
                raise Http404 from denied
            except ValidationError as error:
                _errors_from(form, error)
            else:
                return redirect("contact:public-survey", token=token)
    else:
        chosen = request.GET.get("rating", "")
        initial = {"rating": int(chosen)} if chosen in {str(n) for n in RATINGS} else {}
        form = RatingForm(initial=initial)
    return render(
        request,
        "contact/satisfaction/survey.html",
        {
            "survey": found,
            "ticket": found.ticket,
            "form": form,
            "expired": found.is_expired(),
            "appeal_form": AppealForm(),
            "can_appeal": found.ticket.status in ("resolved", "closed"),
            "appealed": found.appealed_at is not None,
        },
    )


@login_not_required
@require_POST
def survey_appeal(request: HttpRequest, token: str) -> HttpResponse:
    found = _survey_or_404(token)
    if found.is_expired():
        raise Http404
    form = AppealForm(request.POST)
    if form.is_valid():
        try:
            ticket_appeal(ticket=found.ticket, reason=form.cleaned_data["reason"], survey=found)
        except ValidationError as error:
            _errors_from(form, error)
        else:
            return render(request, "contact/public/appealed.html", {"ticket": found.ticket})
    return render(
        request,
        "contact/satisfaction/survey.html",
        {
            "survey": found,
            "ticket": found.ticket,
            "form": RatingForm(),
            "expired": False,
            "appeal_form": form,
            "can_appeal": True,
            "appealed": found.appealed_at is not None,
        },
        status=400,
    )


urlpatterns = [
    path("public/", request_form, name="public-form"),
    path("public/sent/", request_sent, name="public-sent"),
    path("public/track/", track, name="public-track"),
    path("public/track/<str:reference>/", tracked_ticket, name="public-ticket"),
    path("public/track/<str:reference>/appeal/", tracked_appeal, name="public-appeal"),
    path("public/survey/<str:token>/", survey, name="public-survey"),
    path("public/survey/<str:token>/appeal/", survey_appeal, name="public-survey-appeal"),
]
