"""Reading tickets, already scoped to the actor (see ``permissions.py``)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pilotage.contact import permissions as perms
from pilotage.contact.models import (
    OPEN_STATUSES,
    CannedReply,
    Ticket,
    TicketLink,
    TicketMessage,
)
from pilotage.core.audit import AuditRow, audit_action_label, audit_rows
from pilotage.core.models import AuditEntry
from pilotage.orgunits.models import OrgUnit

_ROW_JOINS = ("queue", "assignee", "requester", "association", "org_unit", "category")


def tickets_visible(actor: Any) -> QuerySet[Ticket]:
    return Ticket.objects.filter(perms.tickets_q(actor))


def overdue_q(now: dt.datetime | None = None) -> Q:
    """Open, clock running, and a deadline passed that is not met yet."""
    now = now or timezone.now()
    return Q(status__in=OPEN_STATUSES, sla_paused_at__isnull=True) & (
        Q(acknowledged_at__isnull=True, ack_due_at__lt=now)
        | Q(first_response_at__isnull=True, response_due_at__lt=now)
        | Q(resolution_due_at__lt=now)
    )


# The sorts the list offers (the key in the URL → the ORM ordering).
SORTS: dict[str, tuple[str, ...]] = {
    "-created": ("-created_at", "-pk"),
    "created": ("created_at", "pk"),
    "due": ("resolution_due_at", "pk"),
    "-updated": ("-updated_at", "-pk"),
    "reference": ("reference",),
}
SORT_LABELS = {
    "-created": gettext_lazy("Plus récents"),
    "created": gettext_lazy("Plus anciens"),
    "due": gettext_lazy("Échéance la plus proche"),
    "-updated": gettext_lazy("Modifiés récemment"),
    "reference": gettext_lazy("Référence"),
}


@dataclass
class TicketFilters:
    """What the list is narrowed by; every field empty means everything the actor sees."""

    status: str = ""
    queue: str = ""
    type: str = ""
    channel: str = ""
    priority: str = ""
    category: int | None = None
    assignee: str = ""  # "me", "none" or a user's id
    org_unit: int | None = None
    overdue: bool = False
    q: str = ""
    sort: str = "-created"


def tickets_list(
    actor: Any, filters: TicketFilters | None = None, **legacy: Any
) -> QuerySet[Ticket]:
    """The staff list with what a row shows in the same query (``select_related``), so a
    page costs a count and one select whatever the number of tickets."""
    f = filters or TicketFilters()
    rows = tickets_visible(actor).select_related(*_ROW_JOINS)
    # The foundation's keywords (status, queue, assignee as an id) still work.
    for key, value in legacy.items():
        if key == "assignee" and value is not None:
            rows = rows.filter(assignee_id=value)
        elif key in ("status", "queue") and value:
            setattr(f, key, value)
    if f.status == "open":
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif f.status:
        rows = rows.filter(status=f.status)
    if f.queue:
        rows = rows.filter(queue__code=f.queue)
    if f.type:
        rows = rows.filter(type=f.type)
    if f.channel:
        rows = rows.filter(channel=f.channel)
    if f.priority:
        rows = rows.filter(priority=f.priority)
    if f.category is not None:
        rows = rows.filter(Q(category_id=f.category) | Q(category__parent_id=f.category))
    if f.assignee == "me":
        rows = rows.filter(assignee_id=getattr(actor, "pk", None))
    elif f.assignee == "none":
        rows = rows.filter(assignee__isnull=True)
    elif f.assignee.isdigit():
        rows = rows.filter(assignee_id=int(f.assignee))
    if f.org_unit is not None:
        unit = OrgUnit.objects.filter(pk=f.org_unit).values_list("path", flat=True).first()
        rows = rows.filter(org_unit__path__startswith=unit) if unit else rows.none()
    if f.overdue:
        rows = rows.filter(overdue_q())
    text = f.q.strip()
    if text:
        rows = rows.filter(Q(reference__iexact=text) | Q(subject__icontains=text[:100]))
    return rows.order_by(*SORTS.get(f.sort, SORTS["-created"]))


@dataclass
class Deadline:
    label: str
    due: dt.datetime | None
    # Seconds left (negative: overdue); None when met or not set.
    seconds_left: int | None
    paused: bool = False

    @property
    def overdue(self) -> bool:
        return self.seconds_left is not None and self.seconds_left < 0

    @property
    def left_text(self) -> str:
        """« 2 j 5 h » left, or « en retard de 3 h »; empty when met."""
        if self.seconds_left is None:
            return ""
        seconds = abs(self.seconds_left)
        days, rest = divmod(seconds, 86400)
        hours, rest = divmod(rest, 3600)
        if days:
            span = _("%(days)d j %(hours)d h") % {"days": days, "hours": hours}
        elif hours:
            span = _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest // 60}
        else:
            span = _("%(minutes)d min") % {"minutes": max(1, rest // 60)}
        if self.overdue:
            return _("en retard de %(span)s") % {"span": span}
        return _("reste %(span)s") % {"span": span}


def _left(due: dt.datetime | None, now: dt.datetime) -> int | None:
    return None if due is None else int((due - now).total_seconds())


def deadlines(ticket: Ticket, now: dt.datetime | None = None) -> list[Deadline]:
    """The three deadlines with the seconds left on each (None when met)."""
    now = now or timezone.now()
    paused = ticket.sla_paused_at is not None
    at = ticket.sla_paused_at or now
    done = not ticket.is_open
    return [
        Deadline(
            _("Accusé de réception"),
            ticket.ack_due_at,
            None if ticket.acknowledged_at else _left(ticket.ack_due_at, at),
            paused,
        ),
        Deadline(
            _("Première réponse"),
            ticket.response_due_at,
            None if ticket.first_response_at else _left(ticket.response_due_at, at),
            paused,
        ),
        Deadline(
            _("Résolution"),
            ticket.resolution_due_at,
            None if done or ticket.resolved_at else _left(ticket.resolution_due_at, at),
            paused,
        ),
    ]


def next_deadline(ticket: Ticket, now: dt.datetime | None = None) -> Deadline | None:
    """The first deadline still to meet (what a row of the list shows)."""
    for deadline in deadlines(ticket, now):
        if deadline.seconds_left is not None:
            return deadline
    return None


def ticket_get(actor: Any, pk: int) -> Ticket:
    found = (
        Ticket.objects.select_related(*_ROW_JOINS, "merged_into", "split_from")
        .filter(pk=pk)
        .first()
    )
    if found is None or not perms.can_see_ticket(actor, found):
        raise Http404
    return found


def ticket_by_reference(actor: Any, reference: str) -> Ticket:
    """A ticket the actor sees, by its reference (the merge and link forms); 404 else."""
    found = Ticket.objects.select_related("org_unit").filter(reference=reference.strip()).first()
    if found is None or not perms.can_see_ticket(actor, found):
        raise Http404
    return found


def ticket_messages(actor: Any, ticket: Ticket) -> QuerySet[TicketMessage]:
    """Every message (notes included: the reader is staff who sees the ticket)."""
    return ticket.messages.select_related("author").prefetch_related("attachments")


def ticket_links(actor: Any, ticket: Ticket) -> list[tuple[str, Ticket]]:
    """The tickets linked to this one (both directions) that the actor sees."""
    out: list[tuple[str, Ticket]] = []
    for link in TicketLink.objects.filter(Q(source=ticket) | Q(target=ticket)).select_related(
        "source__org_unit", "target__org_unit"
    ):
        other = link.target if link.source_id == ticket.pk else link.source
        if perms.can_see_ticket(actor, other):
            out.append((link.get_kind_display(), other))
    return out


def ticket_history(actor: Any, ticket: Ticket) -> list[AuditRow]:
    """The ticket's audit entries, oldest first, made readable (core/audit.py)."""
    entries = (
        AuditEntry.objects.filter(object_type="contact.ticket", object_id=str(ticket.pk))
        .select_related("actor")
        .order_by("at", "pk")
    )
    rows = audit_rows(entries)
    for row in rows:
        row.action_label = audit_action_label(row.entry.action)  # type: ignore[attr-defined]
    return rows


def attachment_get(actor: Any, pk: int) -> Any:
    """An attachment the reader may download: staff who see its ticket; 404 else."""
    from pilotage.contact.models import Attachment

    found = Attachment.objects.select_related("message__ticket__org_unit").filter(pk=pk).first()
    if found is None or not perms.can_see_ticket(actor, found.message.ticket):
        raise Http404
    return found


def requester_label(actor: Any, ticket: Ticket) -> str:
    """Who wrote, as this actor may see it: a confidential ticket's requester is
    « Confidentiel » to everyone but the supervisors."""
    if not perms.sees_identity(actor, ticket):
        return _("Confidentiel")
    if ticket.requester is not None:
        return ticket.requester.display_name
    if ticket.association is not None:
        return ticket.association.name
    return _("Anonyme")


# --- Duplicate warning -----------------------------------------------------------------

_STOP = {
    "de", "des", "du", "la", "le", "les", "un", "une", "et", "en", "pour", "sur", "au",
    "aux", "dans", "par", "avec", "notre", "nous", "mon", "ma", "mes", "votre", "est",
    "demande", "في", "من", "على", "إلى", "عن", "مع", "طلب",
}  # fmt: skip
_ARABIC_LETTERS = str.maketrans("أإآىة", "ااايه")
_ARABIC_MARKS = re.compile("[\u0640\u064b-\u065f\u0670]")


def subject_words(text: str) -> set[str]:
    """The words that carry a subject's meaning: lower case, French accents folded,
    Arabic letters normalised (alef forms, ta marbuta, alef maqsura, the article)."""
    text = _ARABIC_MARKS.sub("", text.lower())
    text = text.translate(_ARABIC_LETTERS)
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    words = set()
    for word in re.findall(r"\w+", text):
        if word.startswith("ال") and len(word) > 4:
            word = word[2:]
        if len(word) > 2 and word not in _STOP and not word.isdigit():
            words.add(word)
    return words


def tickets_similar(
    actor: Any,
    *,
    requester: Any = None,
    association: Any = None,
    subject: str,
    days: int = 30,
    exclude: int | None = None,
) -> list[Ticket]:
    """Open tickets of the last ``days`` from the same requester or association whose
    subject shares at least half of its meaningful words with ``subject`` (one query,
    fifty candidates at most)."""
    if requester is None and association is None:
        return []
    words = subject_words(subject or "")
    if not words:
        return []
    who = Q()
    if requester is not None:
        who |= Q(requester=requester)
    if association is not None:
        who |= Q(association=association)
    candidates = (
        tickets_visible(actor)
        .filter(who, status__in=OPEN_STATUSES, merged_into__isnull=True)
        .filter(created_at__gte=timezone.now() - dt.timedelta(days=days))
        .select_related("queue")
        .order_by("-created_at")
    )
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude)
    found = []
    for ticket in candidates[:50]:
        theirs = subject_words(ticket.subject)
        if theirs and len(words & theirs) * 2 >= min(len(words), len(theirs)):
            found.append(ticket)
    return found


# --- Canned replies and home counts ----------------------------------------------------


def canned_for(actor: Any, ticket: Ticket) -> QuerySet[CannedReply]:
    """The active canned replies offered for this ticket (its queue's, its category's and
    the general ones)."""
    return CannedReply.objects.filter(
        Q(queue__isnull=True) | Q(queue_id=ticket.queue_id),
        Q(category__isnull=True) | Q(category_id=ticket.category_id),
        is_active=True,
    )


def tickets_counts(actor: Any) -> dict[str, int]:
    """The home card: three counts (mine open, unassigned in my queues, overdue)."""
    visible = tickets_visible(actor).filter(status__in=OPEN_STATUSES)
    return {
        "mine": visible.filter(assignee_id=actor.pk).count(),
        "unassigned": visible.filter(
            assignee__isnull=True, queue__memberships__user_id=actor.pk
        ).count(),
        "overdue": visible.filter(overdue_q()).count(),
    }
