"""Who handles a ticket: the first assignment by the queue's mode (manual: nobody until an
agent takes it or a supervisor assigns it; round-robin; least-loaded), an agent taking a
ticket, a supervisor giving one (or many, from the SLA board) to an agent, a transfer to
another queue, the agents' availability and the queues' settings.

Only available agents who are members of the queue and whose scope covers the ticket's
unit get tickets automatically. The automatic choice locks the queue's row, so two tickets
created at the same time in a queue are assigned one after the other."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from pilotage.contact import permissions as perms
from pilotage.contact.audit import (
    AGENT_AVAILABILITY,
    QUEUE_UPDATE,
    TICKET_ASSIGN,
    TICKET_TRANSFER,
)
from pilotage.contact.models import (
    OPEN_STATUSES,
    PRIORITY_WEIGHT,
    AgentStatus,
    AssignmentMode,
    Channel,
    MessageKind,
    Queue,
    QueueMember,
    Ticket,
    TicketMessage,
)
from pilotage.contact.roles import HANDLE_TICKETS
from pilotage.contact.services import sla
from pilotage.core.audit import audit_record, audit_record_bulk
from pilotage.core.scope import scope_of
from pilotage.core.versioning import locked, version_check

NOTE_MAX = 2000


def user_label(user: Any) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.username


def _candidates(queue: Queue, ticket: Ticket) -> list[Any]:
    """The queue's available members who may handle ``ticket``, in a stable order (pk)."""
    User = get_user_model()
    members = (
        User.objects.filter(is_active=True, contact_memberships__queue=queue)
        .exclude(contact_status__available=False)
        .order_by("pk")
    )
    return [user for user in members if perms.can_handle_ticket(user, ticket)]


def _least_loaded(candidates: list[Any]) -> Any:
    """The smallest sum of priority weights over open tickets, then the fewest open
    tickets, then the name: one aggregate query."""
    User = get_user_model()
    open_q = Q(contact_tickets__status__in=OPEN_STATUSES)
    weight = Case(
        *[When(contact_tickets__priority=p, then=Value(w)) for p, w in PRIORITY_WEIGHT.items()],
        default=Value(0),
        output_field=IntegerField(),
    )
    return (
        User.objects.filter(pk__in=[u.pk for u in candidates])
        .annotate(
            load=Coalesce(Sum(weight, filter=open_q), Value(0)),
            open_count=Count("contact_tickets", filter=open_q),
        )
        .order_by("load", "open_count", "last_name", "first_name", "username", "pk")
        .first()
    )


def _auto_assign(ticket: Ticket) -> list[str]:
    """Sets ``ticket.assignee`` by its queue's mode (in memory); returns the changed fields.
    Call inside a transaction: the queue's row stays locked until it ends."""
    queue = Queue.objects.select_for_update().get(pk=ticket.queue_id)
    ticket.queue = queue
    if queue.assignment == AssignmentMode.MANUAL:
        return []
    candidates = _candidates(queue, ticket)
    if not candidates:
        return []
    if queue.assignment == AssignmentMode.ROUND_ROBIN:
        last = queue.last_assignee_id or 0
        chosen = next((u for u in candidates if u.pk > last), candidates[0])
        queue.last_assignee = chosen
        queue.save(update_fields=["last_assignee"])
    else:
        chosen = _least_loaded(candidates)
    ticket.assignee = chosen
    return ["assignee"]


def assign_on_create(ticket: Ticket) -> list[str]:
    """Sets ``ticket.assignee`` by the queue's mode; returns the fields it changed."""
    return _auto_assign(ticket)


def _check_assignee(ticket: Ticket, assignee: Any) -> None:
    """The assignee must be an active member of the ticket's queue who may handle it."""
    if assignee is None:
        return
    name = user_label(assignee)
    if (
        not assignee.is_active
        or not QueueMember.objects.filter(queue_id=ticket.queue_id, user=assignee).exists()
    ):
        raise ValidationError(
            {
                "assignee": _("%(name)s n'est pas agent de la file « %(queue)s ».")
                % {"name": name, "queue": ticket.queue.name}
            }
        )
    if not perms.can_handle_ticket(assignee, ticket):
        raise ValidationError(
            {
                "assignee": _(
                    "%(name)s ne traite pas les tickets concernant « %(unit)s » (ticket "
                    "%(reference)s)."
                )
                % {"name": name, "unit": ticket.org_unit.name, "reference": ticket.reference}
            }
        )


def _check_open(ticket: Ticket) -> None:
    if not ticket.is_open:
        raise ValidationError(
            {
                "ticket": _("Le ticket %(reference)s est « %(status)s » : il n'est plus attribué.")
                % {"reference": ticket.reference, "status": ticket.get_status_display()}
            }
        )


def _locked_ticket(ticket: Ticket | int) -> Ticket:
    stored = locked(Ticket, ticket)
    # The queue and the unit are read by the checks and the messages.
    return Ticket.objects.select_related("queue", "org_unit", "assignee").get(pk=stored.pk)


@transaction.atomic
def ticket_assign(
    *, actor: Any, ticket: Ticket | int, assignee: Any, version: int | None = None
) -> Ticket:
    """A supervisor gives the ticket to a member of its queue (``None``: nobody); an agent
    may only give it to themself (``ticket_take``)."""
    stored = _locked_ticket(ticket)
    if not perms.can_see_ticket(actor, stored) or not perms.can_assign(actor, stored, assignee):
        raise PermissionDenied
    version_check(stored, version)
    _check_open(stored)
    _check_assignee(stored, assignee)
    old = stored.assignee
    if (old.pk if old else None) == (assignee.pk if assignee else None):
        return stored
    stored.assignee = assignee
    stored.version += 1
    stored.save(update_fields=["assignee", "version", "updated_at"])
    audit_record(
        actor=actor,
        action=TICKET_ASSIGN,
        obj=stored,
        changes={"assignee": [user_label(old) if old else None, user_label(assignee)]},
    )
    return stored


def ticket_take(*, actor: Any, ticket: Ticket | int, version: int | None = None) -> Ticket:
    """« Je prends » : the agent assigns the ticket to themself."""
    return ticket_assign(actor=actor, ticket=ticket, assignee=actor, version=version)


@transaction.atomic
def ticket_transfer(
    *,
    actor: Any,
    ticket: Ticket | int,
    queue: Queue,
    note: str,
    version: int | None = None,
) -> Ticket:
    """Moves the ticket to another queue with the reason as an internal note; the new
    queue's mode then assigns it (or leaves it to be taken)."""
    stored = _locked_ticket(ticket)
    if not perms.can_supervise_ticket(actor, stored):
        raise PermissionDenied
    version_check(stored, version)
    _check_open(stored)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Indiquez le motif du transfert.")})
    if len(note) > NOTE_MAX:
        raise ValidationError(
            {"note": _("Le motif dépasse %(max)s caractères.") % {"max": NOTE_MAX}}
        )
    if not queue.is_active:
        raise ValidationError(
            {"queue": _("La file « %(queue)s » est fermée.") % {"queue": queue.name}}
        )
    if queue.pk == stored.queue_id:
        raise ValidationError(
            {"queue": _("Le ticket est déjà dans la file « %(queue)s ».") % {"queue": queue.name}}
        )
    old_queue, old_assignee = stored.queue, stored.assignee
    stored.queue = queue
    stored.assignee = None
    _auto_assign(stored)
    # The new queue may count on another calendar: its due dates, from the receipt.
    due_fields = sla.sla_recompute(stored, at=timezone.now())
    stored.version += 1
    stored.save(update_fields=["queue", "assignee", "version", "updated_at", *due_fields])
    message = TicketMessage.objects.create(
        ticket=stored,
        kind=MessageKind.NOTE,
        channel=Channel.WEB,
        author=actor,
        body=note,
        language=stored.language,
        created_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action=TICKET_TRANSFER,
        obj=stored,
        changes={
            "queue": [old_queue.code, queue.code],
            "assignee": [
                user_label(old_assignee) if old_assignee else None,
                user_label(stored.assignee) if stored.assignee else None,
            ],
            "message": [None, message.pk],
        },
    )
    return stored


@transaction.atomic
def tickets_reassign(*, actor: Any, tickets: Sequence[int], assignee: Any) -> list[Ticket]:
    """The SLA board's bulk re-assignment: every ticket to ``assignee``, or none of them
    (each refusal is listed by reference)."""
    if not perms.supervises(actor):
        raise PermissionDenied
    ids = sorted({int(pk) for pk in tickets})
    if not ids:
        raise ValidationError({"tickets": _("Cochez au moins un ticket.")})
    list(Ticket.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
    rows = list(
        Ticket.objects.filter(pk__in=ids)
        .select_related("queue", "org_unit", "assignee")
        .order_by("pk")
    )
    if len(rows) != len(ids) or not all(perms.can_supervise_ticket(actor, t) for t in rows):
        raise PermissionDenied
    problems: list[str] = []
    for row in rows:
        try:
            _check_open(row)
            _check_assignee(row, assignee)
        except ValidationError as error:
            problems += [str(m) for m in error.messages]
    if problems:
        raise ValidationError({"assignee": problems})
    changed: list[tuple[Ticket, dict[str, list[Any]]]] = []
    for row in rows:
        if row.assignee_id == assignee.pk:
            continue
        changes = {
            "assignee": [user_label(row.assignee) if row.assignee else None, user_label(assignee)]
        }
        row.assignee = assignee
        row.version += 1
        row.save(update_fields=["assignee", "version", "updated_at"])
        changed.append((row, changes))
    audit_record_bulk(actor=actor, action=TICKET_ASSIGN, entries=changed)
    return rows


def agent_status_of(user: Any) -> AgentStatus | None:
    return AgentStatus.objects.filter(user=user).first()


@transaction.atomic
def agent_availability_set(*, actor: Any, available: bool, note: str = "") -> AgentStatus:
    """The agent says they take tickets (or not, with an optional reason)."""
    if not perms.handles_tickets(actor):
        raise PermissionDenied
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": _("Le motif dépasse %(max)s caractères.") % {"max": 200}})
    now = timezone.now()
    status, created = AgentStatus.objects.select_for_update().get_or_create(
        user=actor, defaults={"available": True, "since": now}
    )
    old = (True, "") if created else (status.available, status.note)
    if old == (available, note if not available else ""):
        return status
    status.available = available
    status.note = "" if available else note
    status.since = now
    status.save(update_fields=["available", "note", "since"])
    audit_record(
        actor=actor,
        action=AGENT_AVAILABILITY,
        obj=status,
        changes={"available": [old[0], available], "note": [old[1], status.note]},
    )
    return status


@transaction.atomic
def queue_update(
    *,
    actor: Any,
    queue: Queue | int,
    assignment: str,
    members: Sequence[Any],
    version: int | None,
) -> Queue:
    """A supervisor sets a queue's assignment mode and its members (agents only)."""
    if not perms.edits_queues(actor):
        raise PermissionDenied
    stored = locked(Queue, queue)
    version_check(stored, version)
    if assignment not in AssignmentMode.values:
        raise ValidationError(
            {
                "assignment": _("« %(value)s » n'est pas un mode d'attribution.")
                % {"value": str(assignment)[:40]}
            }
        )
    for user in members:
        if not user.is_active or not scope_of(user).allows(HANDLE_TICKETS):
            raise ValidationError(
                {
                    "members": _("%(name)s n'est pas agent du centre de contact.")
                    % {"name": user_label(user)}
                }
            )
    before_ids = set(stored.memberships.values_list("user_id", flat=True))
    after_ids = {u.pk for u in members}
    User = get_user_model()
    names = dict(User.objects.filter(pk__in=before_ids | after_ids).values_list("pk", "username"))
    changes: dict[str, list[Any]] = {}
    if stored.assignment != assignment:
        changes["assignment"] = [stored.assignment, assignment]
    if before_ids != after_ids:
        changes["members"] = [
            sorted(names[i] for i in before_ids),
            sorted(names[i] for i in after_ids),
        ]
    if not changes:
        return stored
    stored.memberships.exclude(user_id__in=after_ids).delete()
    QueueMember.objects.bulk_create(
        [QueueMember(queue=stored, user_id=i) for i in sorted(after_ids - before_ids)]
    )
    stored.assignment = assignment
    stored.version += 1
    stored.save(update_fields=["assignment", "version"])
    audit_record(actor=actor, action=QUEUE_UPDATE, obj=stored, changes=changes)
    return stored
