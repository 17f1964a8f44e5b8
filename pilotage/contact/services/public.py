"""The public pages' writes and guards: the web form's ticket (the queue its type goes
to, the association matched in the registry, the receipt mailed), the rate limits of the
form and of the tracking page, and the check of a reference with its tracking code."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models.functions import Upper
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from pilotage.contact.models import (
    Association,
    Category,
    Channel,
    Queue,
    Requester,
    Ticket,
    TicketType,
)
from pilotage.contact.services.satisfaction import mail_language
from pilotage.contact.services.tickets import secret_hash, ticket_create
from pilotage.core.mail import base_url
from pilotage.orgunits.models import OrgUnit

logger = logging.getLogger(__name__)

# (attempts, seconds): the web form per address and per e-mail, the tracking page per
# address and per reference. Tight enough to stop a script, loose enough for an office
# of several associations behind one address.
FORM_PER_IP = (10, 3600)
FORM_PER_EMAIL = (5, 3600)
TRACK_PER_IP = (30, 900)
TRACK_PER_REFERENCE = (10, 900)

ARABIC = re.compile(r"[\u0600-\u06ff]")
# Compared against when the reference is unknown, so both answers take the same time.
_NO_TICKET_HASH = secret_hash("-" * 8)


def rate_limited(scope: str, key: str, limit: tuple[int, int]) -> bool:
    """Counts one attempt of ``key`` in ``scope`` (Django's cache, a fixed window);
    True once the attempts exceed the limit."""
    count, window = limit
    # Hashed: what is posted (any length, control characters) never reaches the cache key.
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    name = f"contact:rl:{scope}:{digest}"
    cache.add(name, 0, timeout=window)
    try:
        used = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=window)
        used = 1
    return used > count


def queue_for(type: str, category: Category | None = None) -> Queue:  # noqa: A002
    """The category's queue when it has one; else complaints go to the ``complaints``
    queue and everything else to ``info``; else the first active queue."""
    if category is not None and category.queue is not None and category.queue.is_active:
        return category.queue
    code = "complaints" if type == TicketType.COMPLAINT else "info"
    queue = Queue.objects.filter(code=code, is_active=True).first()
    if queue is None:
        queue = Queue.objects.filter(is_active=True).first()
    if queue is None:
        raise Queue.DoesNotExist("no active queue")
    return queue


def association_match(registration_number: str) -> Association | None:
    """The registry's association with exactly this number (case and spaces aside)."""
    number = (registration_number or "").strip()
    if not number:
        return None
    return (
        Association.objects.annotate(number=Upper("registration_number"))
        .filter(number=number.upper(), is_active=True)
        .first()
    )


def _requester(
    *,
    name: str,
    email: str,
    phone: str,
    language: str,
    org_unit: OrgUnit | None,
    association: Association | None,
) -> Requester | None:
    """A new requester row for each web submission: the form proves no identity, so an
    address typed in never attaches the ticket to someone else's record."""
    if not (name or email or phone):
        return None
    requester = Requester(
        email=email,
        phone=phone,
        phone_digits=re.sub(r"\D", "", phone)[:20],
        language=language,
        org_unit=org_unit,
        association=association,
    )
    if ARABIC.search(name):
        requester.name_ar = name
    else:
        requester.last_name = name
    requester.full_clean()
    requester.save()
    return requester


def receipt_email(ticket: Ticket, code: str, to: str) -> EmailMessage:
    language = mail_language(ticket)
    with translation.override(language):
        subject = _("%(reference)s : votre demande est enregistrée") % {
            "reference": ticket.reference
        }
        body = render_to_string(
            "contact/public/receipt_email.txt",
            {
                "ticket": ticket,
                "code": code,
                "track_url": base_url() + reverse("contact:public-track"),
            },
        )
    message = EmailMessage(subject=subject, body=body, to=[to])
    message.extra_headers["Content-Language"] = language
    return message


def _send(message: EmailMessage) -> None:
    try:
        message.send()
    except OSError:
        logger.exception("contact: the receipt of a web request could not be sent")


@transaction.atomic
def public_request_submit(
    *,
    type: str,  # noqa: A002 - the name of the field
    subject: str,
    body: str,
    name: str = "",
    email: str = "",
    phone: str = "",
    association_name: str = "",
    registration_number: str = "",
    org_unit: OrgUnit | None = None,
    category: Category | None = None,
    language: str = "fr",
    confidential: bool = False,
    attachments: list[tuple[str, bytes]] | None = None,
) -> Ticket:
    """A ticket from the public web form (no account: ``actor`` None). ``ticket.secret``
    holds the tracking code, shown once and mailed when an address was given. The files
    are checked by content before anything is written."""
    association = association_match(registration_number)
    unit = (
        org_unit
        or (association.org_unit if association else None)
        or OrgUnit.objects.filter(depth=1).order_by("path").first()
    )
    if unit is None:
        raise ValidationError(
            {"org_unit": _("Aucune entité n'est configurée pour recevoir la demande.")}
        )
    requester = _requester(
        name=name.strip(),
        email=email.strip(),
        phone=phone.strip(),
        language=language,
        org_unit=org_unit,
        association=association,
    )
    text = body.strip()
    if association is None and (association_name.strip() or registration_number.strip()):
        # Not in the registry: what they said is kept for the agent to match by hand.
        details = " · ".join(
            p for p in (association_name.strip(), registration_number.strip()) if p
        )
        text = f"{text}\n\n[{_('Association')} : {details}]"
    ticket = ticket_create(
        actor=None,
        channel=Channel.WEB,
        type=type,
        subject=subject,
        body=text,
        queue=queue_for(type, category),
        org_unit=unit,
        category=category,
        requester=requester,
        association=association,
        language=language,
        confidential=confidential,
        attachments=attachments or [],
        # The page that answers the form shows the reference and the tracking code: the
        # acknowledgement of receipt, given at once.
        acknowledged=True,
    )
    address = email.strip() or (association.email if association else "")
    if address:
        message = receipt_email(ticket, ticket.secret, address)  # type: ignore[attr-defined]
        transaction.on_commit(lambda: _send(message))
    return ticket


def ticket_for_code(reference: str, code: str) -> Ticket | None:
    """The ticket of this reference if ``code`` is its tracking code; None for a wrong
    code and for an unknown reference alike, after the same constant-time comparison."""
    reference = (reference or "").strip().upper()[:20]
    ticket = Ticket.objects.filter(reference=reference).first() if reference else None
    expected = ticket.secret_hash if ticket is not None else _NO_TICKET_HASH
    given = secret_hash((code or "")[:40])
    if hmac.compare_digest(expected, given) and ticket is not None:
        return ticket
    return None


def client_ip(request: Any) -> str:
    """The visitor's address as the web server saw it (the reverse proxy must set
    REMOTE_ADDR, e.g. uWSGI/gunicorn behind nginx with the real-IP module)."""
    return str(request.META.get("REMOTE_ADDR", "") or "unknown")
