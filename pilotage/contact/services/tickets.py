"""Writing tickets: create one (from any channel), add a message to it (the requester's,
an agent's public reply, an internal note), change its status. Deadlines are kept by
``services/sla.py`` and the first assignment by ``services/routing.py``."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

import pilotage.contact.services.mail as mail  # mail:
from pilotage.contact import permissions as perms
from pilotage.contact.audit import (
    CANNED_SAVE,
    TICKET_ATTACHMENT,
    TICKET_CREATE,
    TICKET_INCOMING,
    TICKET_LINK,
    TICKET_MERGE,
    TICKET_NOTE,
    TICKET_REPLY,
    TICKET_SPLIT,
    TICKET_STATUS,
)
from pilotage.contact.models import (
    Association,
    Attachment,
    CannedReply,
    Category,
    Channel,
    Language,
    LinkKind,
    MessageKind,
    Priority,
    Queue,
    Requester,
    Status,
    Ticket,
    TicketCounter,
    TicketLink,
    TicketMessage,
    TicketType,
)
from pilotage.contact.models.canned import PLACEHOLDERS
from pilotage.contact.services import (
    routing,
    satisfaction,  # public: satisfaction
    sla,
)
from pilotage.core import uploads
from pilotage.core.audit import audit_record
from pilotage.core.versioning import locked, version_check, versioned_update
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
    attachments: Sequence[tuple[str, bytes]] = (),
    acknowledged: bool = False,
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
    if acknowledged or channel in (Channel.PHONE, Channel.WALK_IN):
        # Said to the caller or the visitor on the spot; ``acknowledged``: by the caller's
        # own means (the public form's page shows the reference and the tracking code).
        ticket.acknowledged_at = at
    ticket.full_clean(exclude=["reference"])
    if not (body or "").strip():
        raise ValidationError({"body": _("Le message est vide.")})
    checked = attachments_check(attachments)
    ticket.reference = reference_next(at.year)
    sla.sla_start(ticket, at=at)
    routing.assign_on_create(ticket)
    ticket.save()
    first = TicketMessage.objects.create(
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
    for name, data, kind in checked:
        _attachment_store(actor=actor, message=first, name=name, data=data, kind=kind)
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
    if status not in Status.values:
        raise ValidationError(
            {"status": _("Statut inconnu : %(value)s.") % {"value": str(status)[:30]}}
        )
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
    attachments: Sequence[tuple[str, bytes]] = (),
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
    checked = attachments_check(attachments)
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
    mail.reply_schedule(message)  # mail: a public reply goes to the requester by e-mail
    if stored.status != old_status:
        changes["status"] = [old_status, stored.status]
    audit_record(actor=actor, action=action, obj=stored, changes=changes)
    for name, data, kind_of in checked:
        _attachment_store(actor=actor, message=message, name=name, data=data, kind=kind_of)
    return message


# --- Attachments -----------------------------------------------------------------------

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_KINDS = (
    uploads.PDF,
    uploads.PNG,
    uploads.JPEG,
    uploads.DOCX,
    uploads.XLSX,
    uploads.ODT,
    uploads.TEXT,
)


# Files of one message (reply, web form, new ticket).
ATTACHMENT_MAX_FILES = 10


def attachment_max_bytes() -> int:
    return int(getattr(settings, "CONTACT_ATTACHMENT_MAX_BYTES", ATTACHMENT_MAX_BYTES))


def attachments_read(files: Sequence[Any]) -> list[tuple[str, bytes]]:
    """A form's uploaded files as (name, bytes), none read into memory past the limit."""
    return uploads.read_uploads(
        files,
        max_bytes=attachment_max_bytes(),
        max_files=ATTACHMENT_MAX_FILES,
        field="attachments",
    )


def _clean_name(name: str) -> str:
    """The file's own name without any folder, control characters or leading dots."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip().lstrip(".")
    return base[:200] or "fichier"


def attachments_check(
    files: Sequence[tuple[str, bytes]],
) -> list[tuple[str, bytes, uploads.Kind]]:
    """Every file checked (size, then type by content) before anything is written; one
    ValidationError lists each refused file."""
    checked = []
    problems: list[str] = []
    for name, data in files:
        clean = _clean_name(name)
        try:
            kind = uploads.file_kind(
                data,
                name=clean,
                allowed=ATTACHMENT_KINDS,
                max_bytes=attachment_max_bytes(),
                field="attachments",
            )
        except ValidationError as exc:
            problems += exc.message_dict["attachments"]
            continue
        checked.append((clean, data, kind))
    if problems:
        raise ValidationError({"attachments": problems})
    return checked


def _attachment_store(
    *, actor: Any, message: TicketMessage, name: str, data: bytes, kind: uploads.Kind
) -> Attachment:
    attachment = Attachment(
        message=message,
        name=name,
        content_type=kind.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    # Stored under a random name: the requester's file name is kept only in ``name``.
    attachment.file.save(f"{secrets.token_hex(16)}.{kind.code}", ContentFile(data), save=False)
    attachment.save()
    audit_record(
        actor=actor,
        action=TICKET_ATTACHMENT,
        obj=message.ticket,
        changes={"attachment": [None, name]},
    )
    return attachment


@transaction.atomic
def attachment_add(
    *, message: TicketMessage, name: str, data: bytes, actor: Any = None
) -> Attachment:
    """A file added to a message (the public form, the mailbox, a reply): checked by its
    content, stored through Django's storage."""
    [(clean, checked, kind)] = attachments_check([(name, data)])
    if actor is not None and not perms.can_handle_ticket(actor, message.ticket):
        raise PermissionDenied
    return _attachment_store(actor=actor, message=message, name=clean, data=checked, kind=kind)


# --- Edit, links, merge, split ---------------------------------------------------------

TICKET_EDITABLE = ("category", "priority", "type", "org_unit")


@transaction.atomic
def ticket_update(
    *, actor: Any, ticket: Ticket | int, version: int | None, changes: dict[str, Any]
) -> Ticket:
    """Category, priority, type or concerned unit (versioned: a stale form is a
    conflict); the new unit must also be one the actor handles."""
    new_unit = changes.get("org_unit")
    if new_unit is not None and not perms.can_handle_at(actor, new_unit.path):
        raise PermissionDenied
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    terms_before = Ticket.objects.filter(pk=pk).values_list("type", "priority").first()
    updated = versioned_update(
        actor=actor,
        model=Ticket,
        obj=ticket,
        version=version,
        changes=changes,
        editable=TICKET_EDITABLE,
        service="ticket_update",
        allowed=lambda stored: perms.can_handle_ticket(actor, stored),
    )
    if (updated.type, updated.priority) != terms_before:
        # Another type or priority is another policy: its due dates, from the receipt.
        due_fields = sla.sla_recompute(updated, at=timezone.now())
        if due_fields:
            updated.save(update_fields=due_fields)
    return updated


def _both_locked(actor: Any, first: Ticket | int, second: Ticket | int) -> tuple[Ticket, Ticket]:
    """Two tickets locked in the order of their ids (two merges never wait on each
    other), each one the actor handles."""
    a = first.pk if isinstance(first, Ticket) else first
    b = second.pk if isinstance(second, Ticket) else second
    if a == b:
        raise ValidationError({"target": _("Un ticket ne peut pas être lié à lui-même.")})
    rows = {pk: locked(Ticket, pk) for pk in sorted((a, b))}
    for row in rows.values():
        if not perms.can_handle_ticket(actor, row):
            raise PermissionDenied
    return rows[a], rows[b]


@transaction.atomic
def ticket_link_add(
    *, actor: Any, source: Ticket | int, target: Ticket | int, kind: str
) -> TicketLink:
    if kind not in LinkKind.values:
        raise ValidationError({"kind": _("Type de lien inconnu : %(value)s.") % {"value": kind}})
    src, dst = _both_locked(actor, source, target)
    if TicketLink.objects.filter(
        models.Q(source=src, target=dst) | models.Q(source=dst, target=src)
    ).exists():
        raise ValidationError(
            {
                "target": _("Les tickets %(a)s et %(b)s sont déjà liés.")
                % {"a": src.reference, "b": dst.reference}
            }
        )
    link = TicketLink.objects.create(source=src, target=dst, kind=kind)
    for one, other in ((src, dst), (dst, src)):
        audit_record(
            actor=actor,
            action=TICKET_LINK,
            obj=one,
            changes={"link": [None, f"{LinkKind(kind).label} {other.reference}"]},
        )
    return link


@transaction.atomic
def ticket_merge(
    *, actor: Any, source: Ticket | int, target: Ticket | int, at: dt.datetime | None = None
) -> Ticket:
    """A duplicate merged into ``target``: its messages (and their attachments) move
    there, it is closed with ``merged_into``. Nobody is told: no mail goes out."""
    src, dst = _both_locked(actor, source, target)
    if src.merged_into_id is not None or dst.merged_into_id is not None:
        raise ValidationError({"target": _("Un ticket déjà fusionné ne peut plus être fusionné.")})
    at = at or timezone.now()
    moved = TicketMessage.objects.filter(ticket=src).update(ticket=dst)
    old_status = src.status
    src.merged_into = dst
    src.status = Status.CLOSED
    src.closed_at = at
    if src.sla_paused_at is not None:
        src.sla_paused_at = None
    src.version += 1
    src.save(
        update_fields=[
            "merged_into",
            "status",
            "closed_at",
            "sla_paused_at",
            "version",
            "updated_at",
        ]
    )
    dst.version += 1
    dst.save(update_fields=["version", "updated_at"])
    audit_record(
        actor=actor,
        action=TICKET_MERGE,
        obj=src,
        changes={"merged_into": [None, dst.pk], "status": [old_status, Status.CLOSED]},
    )
    audit_record(
        actor=actor,
        action=TICKET_MERGE,
        obj=dst,
        changes={"messages": [None, f"{moved} ← {src.reference}"]},
    )
    return dst


@transaction.atomic
def ticket_split(
    *,
    actor: Any,
    ticket: Ticket | int,
    message_ids: Sequence[int],
    subject: str,
    at: dt.datetime | None = None,
) -> Ticket:
    """The chosen messages moved into a new ticket (same requester, queue and unit) with
    ``split_from``; the original keeps at least one message."""
    stored = locked(Ticket, ticket)
    if not perms.can_handle_ticket(actor, stored):
        raise PermissionDenied
    if not (subject or "").strip():
        raise ValidationError({"subject": _("Donnez un objet au nouveau ticket.")})
    chosen = set(stored.messages.filter(pk__in=list(message_ids)).values_list("pk", flat=True))
    if not chosen or len(chosen) != len(set(message_ids)):
        raise ValidationError({"messages": _("Choisissez des messages de ce ticket.")})
    if stored.messages.exclude(pk__in=chosen).count() == 0:
        raise ValidationError(
            {"messages": _("Laissez au moins un message dans le ticket d'origine.")}
        )
    at = at or timezone.now()
    new = Ticket(
        reference=reference_next(at.year),
        secret_hash=secret_hash(secret_new()),
        channel=stored.channel,
        type=stored.type,
        subject=subject.strip(),
        queue=stored.queue,
        org_unit=stored.org_unit,
        priority=stored.priority,
        category=stored.category,
        requester=stored.requester,
        association=stored.association,
        language=stored.language,
        confidential=stored.confidential,
        created_by=actor,
        created_at=at,
        acknowledged_at=stored.acknowledged_at,
        assignee=stored.assignee,
        split_from=stored,
    )
    new.full_clean()
    sla.sla_start(new, at=at)
    new.save()
    TicketMessage.objects.filter(pk__in=chosen).update(ticket=new)
    stored.version += 1
    stored.save(update_fields=["version", "updated_at"])
    audit_record(
        actor=actor,
        action=TICKET_SPLIT,
        obj=new,
        changes={"split_from": [None, stored.pk], "reference": [None, new.reference]},
    )
    audit_record(
        actor=actor,
        action=TICKET_SPLIT,
        obj=stored,
        changes={"messages": [None, f"{len(chosen)} → {new.reference}"]},
    )
    return new


# --- Canned replies --------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def canned_placeholders_check(text: str, field: str) -> None:
    unknown = [m for m in _PLACEHOLDER.findall(text) if m not in PLACEHOLDERS]
    if unknown:
        raise ValidationError(
            {
                field: _("Champ inconnu : {%(name)s}. Champs possibles : %(known)s.")
                % {
                    "name": unknown[0][:40],
                    "known": ", ".join("{" + p + "}" for p in PLACEHOLDERS),
                }
            }
        )


@transaction.atomic
def canned_reply_save(
    *,
    actor: Any,
    reply: CannedReply | int | None = None,
    version: int | None = None,
    title: str,
    body_fr: str,
    body_ar: str,
    queue: Queue | None = None,
    category: Category | None = None,
    is_active: bool = True,
) -> CannedReply:
    """Creates or edits a canned reply (supervisors); an unknown placeholder is refused."""
    if not perms.supervises(actor):
        raise PermissionDenied
    values = {
        "title": (title or "").strip(),
        "body_fr": (body_fr or "").strip(),
        "body_ar": (body_ar or "").strip(),
        "queue": queue,
        "category": category,
        "is_active": is_active,
    }
    if not values["body_fr"] and not values["body_ar"]:
        raise ValidationError({"body_fr": _("Écrivez le texte en français ou en arabe.")})
    canned_placeholders_check(str(values["body_fr"]), "body_fr")
    canned_placeholders_check(str(values["body_ar"]), "body_ar")
    if reply is None:
        created = CannedReply(**values)
        created.full_clean()
        created.save()
        audit_record(
            actor=actor, action=CANNED_SAVE, obj=created, changes={"title": [None, created.title]}
        )
        return created
    return versioned_update(
        actor=actor,
        model=CannedReply,
        obj=reply,
        version=version,
        changes=values,
        editable=tuple(values),
        service="canned_reply_save",
        allowed=lambda _row: True,
    )


def canned_render(reply: CannedReply, ticket: Ticket, *, actor: Any, language: str) -> str:
    """The reply's text in ``language`` (Arabic for Amazigh; the other language when this
    one is empty) with its placeholders filled. Plain substitution, no format mini-language:
    the text cannot reach an attribute of anything."""
    from pilotage.contact.selectors.tickets import requester_label

    arabic = language in (Language.ARABIC, Language.AMAZIGH)
    text = (reply.body_ar or reply.body_fr) if arabic else (reply.body_fr or reply.body_ar)
    due = ticket.resolution_due_at
    # Names and dates in the reply's language, whatever the agent's screen is in.
    with translation.override(Language.ARABIC if arabic else Language.FRENCH):
        values = {
            "reference": ticket.reference,
            "requester": requester_label(actor, ticket),
            "agent": (actor.get_full_name() or actor.username) if actor is not None else "",
            "due_date": date_format(timezone.localtime(due), "SHORT_DATE_FORMAT") if due else "",
            "association": (
                ticket.association.name
                if ticket.association is not None and perms.sees_identity(actor, ticket)
                else ""
            ),
        }
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


__all__ = [
    "TRANSITIONS",
    "attachment_add",
    "canned_reply_save",
    "ticket_link_add",
    "ticket_merge",
    "ticket_split",
    "ticket_update",
    "TicketType",
    "reference_next",
    "secret_hash",
    "ticket_create",
    "ticket_message_add",
    "ticket_status_set",
]
