"""Reading tickets, already scoped to the actor (see ``permissions.py``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from pilotage.contact import permissions as perms
from pilotage.contact.models import Ticket, TicketMessage


def tickets_visible(actor: Any) -> QuerySet[Ticket]:
    return Ticket.objects.filter(perms.tickets_q(actor))


def tickets_list(
    actor: Any,
    *,
    status: str = "",
    queue: str = "",
    assignee: int | None = None,
) -> QuerySet[Ticket]:
    """The staff list, newest first, with what a row shows in the same query."""
    rows = tickets_visible(actor).select_related(
        "queue", "assignee", "requester", "association", "org_unit", "category"
    )
    if status:
        rows = rows.filter(status=status)
    if queue:
        rows = rows.filter(queue__code=queue)
    if assignee is not None:
        rows = rows.filter(assignee_id=assignee)
    return rows


def ticket_get(actor: Any, pk: int) -> Ticket:
    found = (
        Ticket.objects.select_related(
            "queue", "assignee", "requester", "association", "org_unit", "category"
        )
        .filter(pk=pk)
        .first()
    )
    if found is None or not perms.can_see_ticket(actor, found):
        raise Http404
    return found


def ticket_messages(actor: Any, ticket: Ticket) -> QuerySet[TicketMessage]:
    """Every message (notes included: the reader is staff who sees the ticket)."""
    return ticket.messages.select_related("author").prefetch_related("attachments")


def requester_label(actor: Any, ticket: Ticket) -> str:
    """Who wrote, as this actor may see it: a confidential ticket's requester is
    « Confidentiel » to everyone but the supervisors."""
    from django.utils.translation import gettext as _

    if not perms.sees_identity(actor, ticket):
        return _("Confidentiel")
    if ticket.requester is not None:
        return ticket.requester.display_name
    if ticket.association is not None:
        return ticket.association.name
    return _("Anonyme")
