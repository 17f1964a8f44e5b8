"""Writing tickets: create one (from any channel), add a message to it (the requester's,
an agent's public reply, an internal note), change its status. Deadlines are kept by
``services/sla.py`` and the first assignment by ``services/routing.py``."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from pilotage.contact import permissions as perms
from pilotage.contact.audit import (
    TICKET_CREATE,
    TICKET_INCOMING,
    TICKET_NOTE,
    TICKET_REPLY,
    TICKET_STATUS,
)
from pilotage.contact.models import (
    Association,
    Category,
    Channel,
    Language,
    MessageKind,
    Priority,
    Queue,
    Requester,
    Status,
    Ticket,
    TicketCounter,
    TicketMessage,
    TicketType,
)
from pilotage.contact.services import routing, satisfaction, sla  # public: satisfaction
from pilotage.core.audit import audit_record
from pilotage.core.versioning import locked, version_check
from pilotage.orgunits.models import OrgUnit

# The alphabet of tracking codes: no 0/O or 1/I/L to misread on the phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def secret_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace("-", "").encode()).hexdigest()


def secret_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def reference_next(year: int) -> str:
    """``2026-000123``: numbered from 1 each year; call inside the transaction."""
    TicketCounter.objects.get_or_create(year=year)
    TicketCounter.objects.filter(year=year).update(last=F("last") + 1)
    number = TicketCounter.objects.filter(year=year).values_list("last", flat=True).get()
    return f"{year}-{number:06d}"


def _may_write(actor: Any, org_unit: OrgUnit) -> None:
    """``actor`` None: the public web form, the mailbox or the telephony server."""
    if actor is None:
        return
    if not perms.can_handle_at(actor, org_unit.path):
        raise PermissionDenied


@transaction.atomic
def ticket_create(
    *,
    actor: Any,
    channel: str,
    type: str,  # noqa: A002 - the name of the field
    subject: str,
    body: str,
    queue: Queue,
    org_unit: OrgUnit,
    priority: str = Priority.NORMAL,
    category: Category | None = None,
    requester: Requester | None = None,
    association: Association | None = None,
    language: str = Language.FRENCH,
    confidential: bool = False,
    at: dt.datetime | None = None,
    email_message_id: str = "",
) -> Ticket:
    """Records a ticket and its first message; ``ticket.secret`` holds the tracking code
    (given once to the requester, only its hash is stored)."""
    _may_write(actor, org_unit)
    at = at or timezone.now()
    code = secret_new()
    ticket = Ticket(
        reference="",
        secret_hash=secret_hash(code),
        channel=channel,
        type=type,
        subject=(subject or "").strip(),
        queue=queue,
        org_unit=org_unit,
        priority=priority,
        category=category,
        requester=requester,
        association=association,
        language=language,
        confidential=confidential,
        created_by=actor,
        created_at=at,
    )
    if channel in (Channel.PHONE, Channel.WALK_IN):
        # Said to the caller or the visitor on the spot.
        ticket.acknowledged_at = at
    ticket.full_clean(exclude=["reference"])
    if not (body or "").strip():
        raise ValidationError({"body": _("Le message est vide.")})
    ticket.reference = reference_next(at.year)
    sla.sla_start(ticket, at=at)
    routing.assign_on_create(ticket)
    ticket.save()
    TicketMessage.objects.create(
        ticket=ticket,
        kind=MessageKind.INCOMING,
        channel=channel,
        author=actor if channel in (Channel.PHONE, Channel.WALK_IN, Channel.LETTER) else None,
        body=body.strip(),
        language=language,
        created_at=at,
        email_message_id=email_message_id,
    )
    audit_record(
        actor=actor,
        action=TICKET_CREATE,
        obj=ticket,
        changes={
            "reference": [None, ticket.reference],
            "channel": [None, channel],
            "status": [None, ticket.status],
        },
    )
    ticket.secret = code  # type: ignore[attr-defined]
    return ticket


# Allowed moves between statuses (the services below make the automatic ones).
TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {Status.OPEN, Status.WAITING_REQUESTER, Status.WAITING_OTHER, Status.RESOLVED},
    Status.OPEN: {Status.WAITING_REQUESTER, Status.WAITING_OTHER, Status.RESOLVED},
    Status.WAITING_REQUESTER: {Status.OPEN, Status.WAITING_OTHER, Status.RESOLVED},
    Status.WAITING_OTHER: {Status.OPEN, Status.WAITING_REQUESTER, Status.RESOLVED},
    Status.REOPENED: {Status.OPEN, Status.WAITING_REQUESTER, Status.WAITING_OTHER, Status.RESOLVED},
    Status.RESOLVED: {Status.CLOSED, Status.REOPENED},
    Status.CLOSED: {Status.REOPENED},
}


def _status_apply(ticket: Ticket, status: str, at: dt.datetime) -> list[str]:
    """Moves ``ticket`` to ``status`` in memory with what goes with it (the dates, the SLA
    clock); returns the fields changed."""
    old = ticket.status
    ticket.status = status
    changed = ["status"]
    if status == Status.WAITING_REQUESTER:
        changed += sla.sla_pause(ticket, at=at)
    elif old == Status.WAITING_REQUESTER:
        changed += sla.sla_resume(ticket, at=at)
    if status == Status.RESOLVED:
        ticket.resolved_at = at
        changed.append("resolved_at")
        satisfaction.survey_on_resolved(ticket, at=at)  # public: the satisfaction survey
    elif status == Status.CLOSED:
        ticket.closed_at = at
        changed.append("closed_at")
    elif status == Status.REOPENED:
        ticket.resolved_at = None
        ticket.closed_at = None
        changed += ["resolved_at", "closed_at"]
    return changed


@transaction.atomic
def ticket_status_set(
    *,
    actor: Any,
    ticket: Ticket | int,
    status: str,
    version: int | None = None,
    at: dt.datetime | None = None,
) -> Ticket:
    stored = locked(Ticket, ticket)
    if actor is not None and not perms.can_handle_ticket(actor, stored):
        raise PermissionDenied
    version_check(stored, version)
    old = stored.status
    if status == old:
        return stored
    if status not in TRANSITIONS.get(old, set()):
        raise ValidationError(
            {
                "status": _("Un ticket « %(old)s » ne peut pas passer à « %(new)s ».")
                % {"old": Status(old).label, "new": Status(status).label}
            }
        )
    at = at or timezone.now()
    changed = _status_apply(stored, status, at)
    stored.version += 1
    stored.save(update_fields=[*dict.fromkeys(changed), "version", "updated_at"])
    audit_record(actor=actor, action=TICKET_STATUS, obj=stored, changes={"status": [old, status]})
    return stored


@transaction.atomic
def ticket_message_add(
    *,
    actor: Any,
    ticket: Ticket | int,
    kind: str,
    body: str,
    channel: str | None = None,
    language: str | None = None,
    at: dt.datetime | None = None,
    email_message_id: str = "",
    email_in_reply_to: str = "",
    status: str | None = None,
) -> TicketMessage:
    """An agent's reply or note (``actor`` a user who handles the ticket), or what the
    requester wrote (``kind`` incoming; ``actor`` None from the mailbox or the tracking
    page, or the agent who took the call). A reply is the first response if none came
    before; a requester's message restarts a paused clock and reopens a resolved ticket.
    ``status``: where a reply leaves the ticket (open by default; waiting on the
    requester, resolved…)."""
    stored = locked(Ticket, ticket)
    if kind in (MessageKind.REPLY, MessageKind.NOTE):
        if actor is None or not perms.can_handle_ticket(actor, stored):
            raise PermissionDenied
    elif actor is not None and not perms.can_handle_ticket(actor, stored):
        raise PermissionDenied
    if not (body or "").strip():
        raise ValidationError({"body": _("Le message est vide.")})
    at = at or timezone.now()
    message = TicketMessage.objects.create(
        ticket=stored,
        kind=kind,
        channel=channel or stored.channel,
        author=actor if kind != MessageKind.INCOMING or channel != Channel.EMAIL else None,
        body=body.strip(),
        language=language or stored.language,
        created_at=at,
        email_message_id=email_message_id,
        email_in_reply_to=email_in_reply_to,
    )
    old_status = stored.status
    changed: list[str] = []
    if kind == MessageKind.REPLY:
        if stored.first_response_at is None:
            stored.first_response_at = at
            changed.append("first_response_at")
        if stored.acknowledged_at is None:
            stored.acknowledged_at = at
            changed.append("acknowledged_at")
        target = status or Status.OPEN
        if target != stored.status:
            if target not in TRANSITIONS.get(stored.status, set()) and not (
                stored.status == Status.NEW and target == Status.OPEN
            ):
                raise ValidationError({"status": _("Ce statut n'est pas possible ici.")})
            changed += _status_apply(stored, target, at)
    elif kind == MessageKind.INCOMING:
        if stored.status == Status.WAITING_REQUESTER:
            changed += _status_apply(stored, Status.OPEN, at)
        elif stored.status in (Status.RESOLVED, Status.CLOSED):
            changed += _status_apply(stored, Status.REOPENED, at)
    if changed:
        stored.version += 1
        stored.save(update_fields=[*dict.fromkeys(changed), "version", "updated_at"])
    action = {
        MessageKind.REPLY: TICKET_REPLY,
        MessageKind.NOTE: TICKET_NOTE,
        MessageKind.INCOMING: TICKET_INCOMING,
    }[MessageKind(kind)]
    changes: dict[str, list[Any]] = {"message": [None, message.pk]}
    if stored.status != old_status:
        changes["status"] = [old_status, stored.status]
    audit_record(actor=actor, action=action, obj=stored, changes=changes)
    return message


__all__ = [
    "TRANSITIONS",
    "TicketType",
    "reference_next",
    "secret_hash",
    "ticket_create",
    "ticket_message_add",
    "ticket_status_set",
]
