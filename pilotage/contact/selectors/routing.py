"""Reading for the SLA board and the queues page, scoped to the supervisor.

``deadline_state`` is the one place that says where a ticket stands against its deadlines;
the board, its counts and its colours all read it (the SLA helper may later count the
"percent used" in business time: only this function changes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from pilotage.contact import permissions as perms
from pilotage.contact.models import OPEN_STATUSES, Queue, QueueMember, Ticket
from pilotage.orgunits.models import OrgUnit

MET = "met"
OK = "ok"
WARNING = "warning"
BREACHED = "breached"
STATES = (BREACHED, WARNING, OK, MET)
STATE_LABELS = {
    MET: _("Respecté"),
    OK: _("Dans les délais"),
    # xgettext:no-python-format
    WARNING: _("75 % du délai consommé"),
    BREACHED: _("Dépassé"),
}
# Share of the time allowed past which a deadline turns orange.
WARNING_PERCENT = 75

# (name, the field that says it was met, the deadline field), in the order they fall.
DEADLINES = (
    ("ack", "acknowledged_at", "ack_due_at"),
    ("response", "first_response_at", "response_due_at"),
    ("resolution", "resolved_at", "resolution_due_at"),
)
DEADLINE_LABELS = {
    "ack": _("Accusé de réception"),
    "response": _("Première réponse"),
    "resolution": _("Résolution"),
}


@dataclass(frozen=True)
class DeadlineState:
    name: str  # "ack", "response", "resolution"; "" when none is pending
    due: dt.datetime | None
    left: dt.timedelta | None  # negative once breached
    percent: int | None  # share of the allowed time used, may pass 100
    state: str
    paused: bool

    @property
    def label(self) -> str:
        return str(DEADLINE_LABELS.get(self.name, ""))

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def overdue(self) -> dt.timedelta | None:
        return -self.left if self.left is not None and self.left < dt.timedelta(0) else None


def deadline_state(ticket: Ticket, now: dt.datetime) -> DeadlineState:
    """The next deadline not yet met, the time left, the share used and the state. While
    the clock is stopped (waiting on the requester) time is read at the pause."""
    clock = ticket.sla_paused_at or now
    paused = ticket.sla_paused_at is not None
    pending = [
        (getattr(ticket, due_field), name)
        for name, done_field, due_field in DEADLINES
        if getattr(ticket, done_field) is None and getattr(ticket, due_field) is not None
    ]
    if not pending or not ticket.is_open:
        return DeadlineState("", None, None, None, MET, paused)
    due, name = min(pending)
    left = due - clock
    allowed = (due - ticket.created_at).total_seconds()
    used = (clock - ticket.created_at).total_seconds()
    percent = max(0, int(100 * used / allowed)) if allowed > 0 else 100
    if left < dt.timedelta(0):
        state = BREACHED
    elif percent >= WARNING_PERCENT:
        state = WARNING
    else:
        state = OK
    return DeadlineState(name, due, left, percent, state, paused)


def regions() -> QuerySet[OrgUnit]:
    """The first level under the country (the board's region filter)."""
    return OrgUnit.objects.filter(depth=2).order_by("path")


def board_tickets(
    actor: Any,
    *,
    queue: str = "",
    agent: int | None = None,
    unassigned: bool = False,
    region: OrgUnit | None = None,
) -> QuerySet[Ticket]:
    """The open tickets the supervisor covers, with what a row shows (one query)."""
    rows = (
        Ticket.objects.filter(perms.supervised_tickets_q(actor), status__in=OPEN_STATUSES)
        .select_related("queue", "assignee", "org_unit")
        .only(
            "reference",
            "subject",
            "priority",
            "status",
            "created_at",
            "acknowledged_at",
            "first_response_at",
            "resolved_at",
            "ack_due_at",
            "response_due_at",
            "resolution_due_at",
            "sla_paused_at",
            "version",
            "queue__code",
            "queue__name_fr",
            "queue__name_ar",
            "queue__name_en",
            "assignee__username",
            "assignee__first_name",
            "assignee__last_name",
            "org_unit__name_fr",
            "org_unit__name_ar",
            "org_unit__name_en",
            "org_unit__path",
        )
        .order_by("pk")
    )
    if queue:
        rows = rows.filter(queue__code=queue)
    if unassigned:
        rows = rows.filter(assignee__isnull=True)
    elif agent is not None:
        rows = rows.filter(assignee_id=agent)
    if region is not None:
        rows = rows.filter(org_unit__path__startswith=region.path)
    return rows


def agents_overview(actor: Any) -> QuerySet[Any]:
    """Every active member of a queue, with their availability and open tickets (one
    query): the board's "who is available" and its agent filter."""
    User = get_user_model()
    open_q = Q(contact_tickets__status__in=OPEN_STATUSES)
    return (
        User.objects.filter(is_active=True)
        .filter(Exists(QueueMember.objects.filter(user=OuterRef("pk"))))
        .select_related("contact_status")
        .annotate(open_count=Count("contact_tickets", filter=open_q))
        .order_by("last_name", "first_name", "username")
    )


def queues_overview(actor: Any) -> QuerySet[Queue]:
    """Every queue with its members and its open and unassigned counts (two queries)."""
    open_q = Q(tickets__status__in=OPEN_STATUSES) & perms.supervised_tickets_q(actor, "tickets__")
    return (
        Queue.objects.annotate(
            open_count=Count("tickets", filter=open_q),
            unassigned_count=Count("tickets", filter=open_q & Q(tickets__assignee__isnull=True)),
        )
        .prefetch_related("members")
        .order_by("order", "code")
    )


def contact_staff() -> QuerySet[Any]:
    """Who may be a queue's member: the active users holding a contact-centre role."""
    from pilotage.accounts.models import RoleAssignment
    from pilotage.contact.roles import CONTACT_AGENT, CONTACT_SUPERVISOR

    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(
            Exists(
                RoleAssignment.objects.filter(
                    user=OuterRef("pk"), role__in=(CONTACT_AGENT, CONTACT_SUPERVISOR)
                )
            )
        )
        .order_by("last_name", "first_name", "username")
    )
