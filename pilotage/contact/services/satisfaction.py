"""Satisfaction and follow-up: the survey sent when a ticket is resolved, its answer (a
rating recorded only by the confirm step's POST, so a mail scanner that follows the link
records nothing), the requester's appeal ("not satisfied, reopen") and the staff's record
of a referral to the Médiateur du Royaume."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pilotage.contact import permissions as perms
from pilotage.contact.audit import SURVEY_ANSWER, SURVEY_SEND, TICKET_APPEAL, TICKET_MEDIATOR
from pilotage.contact.models import (
    Channel,
    Language,
    MessageKind,
    SatisfactionSurvey,
    Status,
    Ticket,
)
from pilotage.core.audit import audit_record
from pilotage.core.mail import base_url
from pilotage.core.versioning import locked, version_check

logger = logging.getLogger(__name__)

RATINGS = (1, 2, 3, 4, 5)
COMMENT_MAX = 2000
MEDIATOR_REFERENCE_MAX = 60


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def requester_email(ticket: Ticket) -> str:
    """Where the requester's mails go: the person's address, else the association's."""
    if ticket.requester is not None and ticket.requester.email:
        return ticket.requester.email
    if ticket.association is not None and ticket.association.email:
        return ticket.association.email
    return ""


def mail_language(ticket: Ticket) -> str:
    # Amazigh is a spoken preference: written mails go out in Arabic (models/registry.py).
    return "ar" if ticket.language in (Language.ARABIC, Language.AMAZIGH) else "fr"


def survey_email(ticket: Ticket, token: str) -> EmailMessage:
    language = mail_language(ticket)
    link = base_url() + reverse("contact:public-survey", args=[token])
    with translation.override(language):
        subject = _("%(reference)s : votre avis sur la réponse reçue") % {
            "reference": ticket.reference
        }
        body = render_to_string(
            "contact/satisfaction/survey_email.txt",
            {
                "ticket": ticket,
                "links": [(n, f"{link}?rating={n}") for n in RATINGS],
                "link": link,
            },
        )
    message = EmailMessage(subject=subject, body=body, to=[requester_email(ticket)])
    message.extra_headers["Content-Language"] = language
    return message


def _send(message: EmailMessage) -> None:
    try:
        message.send()
    except OSError:
        # The survey stays valid; an agent can give the link again. Never fail the commit.
        logger.exception("contact: the satisfaction mail could not be sent")


def survey_on_resolved(ticket: Ticket, *, at: dt.datetime) -> SatisfactionSurvey | None:
    """Called by ``services/tickets._status_apply`` when a ticket becomes resolved, in its
    transaction: a survey, mailed after the commit if the requester gave an address.
    Returns None when nobody can be asked (no address)."""
    if not requester_email(ticket):
        return None
    token = secrets.token_urlsafe(24)
    survey = SatisfactionSurvey.objects.create(
        ticket=ticket, token_hash=token_hash(token), sent_at=at
    )
    audit_record(actor=None, action=SURVEY_SEND, obj=survey, changes={"ticket": [None, ticket.pk]})
    message = survey_email(ticket, token)
    transaction.on_commit(lambda: _send(message))
    return survey


def survey_by_token(token: str) -> SatisfactionSurvey | None:
    if not token or len(token) > 100:
        return None
    return (
        SatisfactionSurvey.objects.select_related("ticket", "ticket__org_unit")
        .filter(token_hash=token_hash(token))
        .first()
    )


def _rating_clean(rating: Any) -> int:
    try:
        value = int(str(rating).strip())
    except (TypeError, ValueError):
        value = 0
    if value not in RATINGS:
        raise ValidationError(
            {
                "rating": _("La note « %(value)s » n'existe pas : choisissez de 1 à 5.")
                % {"value": str(rating)[:20]}
            }
        )
    return value


@transaction.atomic
def survey_answer(
    *, token: str, rating: Any, comment: str = "", at: dt.datetime | None = None
) -> SatisfactionSurvey:
    """The requester's answer (no account: the token is the proof). Once only."""
    found = survey_by_token(token)
    if found is None:
        raise PermissionDenied
    survey = SatisfactionSurvey.objects.select_for_update().get(pk=found.pk)
    at = at or timezone.now()
    if survey.answered_at is not None:
        raise ValidationError({"rating": _("Cette enquête a déjà reçu votre réponse.")})
    if survey.is_expired(at):
        raise ValidationError({"rating": _("Ce lien a expiré (il vaut 30 jours).")})
    value = _rating_clean(rating)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError(
            {
                "comment": _("Le commentaire dépasse %(max)s caractères (%(length)s).")
                % {"max": COMMENT_MAX, "length": len(comment)}
            }
        )
    survey.rating, survey.comment, survey.answered_at = value, comment, at
    survey.save(update_fields=["rating", "comment", "answered_at"])
    audit_record(actor=None, action=SURVEY_ANSWER, obj=survey, changes={"rating": [None, value]})
    return survey


@transaction.atomic
def ticket_appeal(
    *,
    ticket: Ticket | int,
    reason: str,
    survey: SatisfactionSurvey | None = None,
    at: dt.datetime | None = None,
) -> Ticket:
    """The requester is not satisfied: the ticket is reopened (actor None, the requester)
    with their reason as an incoming message. Only an answered ticket can be appealed;
    the caller has proven who they are (tracking code in the session, or survey token)."""
    from pilotage.contact.services.tickets import ticket_message_add, ticket_status_set

    stored = locked(Ticket, ticket)
    if stored.status not in (Status.RESOLVED, Status.CLOSED):
        raise ValidationError(
            {"status": _("Seule une demande traitée peut faire l'objet d'un recours.")}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Dites en quelques mots pourquoi la réponse ne vous satisfait pas.")}
        )
    if len(reason) > COMMENT_MAX:
        raise ValidationError(
            {
                "reason": _("Le motif dépasse %(max)s caractères (%(length)s).")
                % {"max": COMMENT_MAX, "length": len(reason)}
            }
        )
    at = at or timezone.now()
    old = stored.status
    ticket_status_set(actor=None, ticket=stored, status=Status.REOPENED, at=at)
    ticket_message_add(
        actor=None,
        ticket=stored,
        kind=MessageKind.INCOMING,
        body=reason,
        channel=Channel.WEB,
        at=at,
    )
    target = survey or stored.surveys.order_by("-sent_at", "-pk").first()
    if target is not None and target.appealed_at is None:
        target.appealed_at = at
        target.save(update_fields=["appealed_at"])
    stored.refresh_from_db()
    audit_record(
        actor=None, action=TICKET_APPEAL, obj=stored, changes={"status": [old, stored.status]}
    )
    return stored


def appealed(ticket: Ticket) -> bool:
    return ticket.surveys.filter(appealed_at__isnull=False).exists()


@transaction.atomic
def mediator_referral_record(
    *,
    actor: Any,
    ticket: Ticket | int,
    referred_on: dt.date | None,
    reference: str,
    version: int | None = None,
) -> Ticket:
    """A member of staff records that the requester referred the matter to the Médiateur
    du Royaume (date and the Médiateur's reference), or clears it (both empty)."""
    stored = locked(Ticket, ticket)
    if actor is None or not perms.can_record_mediator(actor, stored):
        raise PermissionDenied
    version_check(stored, version)
    reference = (reference or "").strip()
    if reference and referred_on is None:
        raise ValidationError({"mediator_referred_on": _("Indiquez la date de la saisine.")})
    if referred_on is not None and referred_on > timezone.localdate():
        raise ValidationError(
            {
                "mediator_referred_on": _("La date %(date)s est dans le futur.")
                % {"date": referred_on.isoformat()}
            }
        )
    if referred_on is not None and referred_on < timezone.localtime(stored.created_at).date():
        raise ValidationError(
            {
                "mediator_referred_on": _("La date %(date)s précède la demande.")
                % {"date": referred_on.isoformat()}
            }
        )
    if len(reference) > MEDIATOR_REFERENCE_MAX:
        raise ValidationError(
            {
                "mediator_reference": _("La référence « %(value)s… » dépasse %(max)s caractères.")
                % {"value": reference[:20], "max": MEDIATOR_REFERENCE_MAX}
            }
        )
    old_on, old_reference = stored.mediator_referred_on, stored.mediator_reference
    stored.mediator_referred_on, stored.mediator_reference = referred_on, reference
    stored.version += 1
    stored.save(
        update_fields=["mediator_referred_on", "mediator_reference", "version", "updated_at"]
    )
    audit_record(
        actor=actor,
        action=TICKET_MEDIATOR,
        obj=stored,
        changes={
            "mediator_referred_on": [
                old_on.isoformat() if old_on else None,
                referred_on.isoformat() if referred_on else None,
            ],
            "mediator_reference": [old_reference, reference],
        },
    )
    return stored
