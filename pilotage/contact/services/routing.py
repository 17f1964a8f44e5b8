"""Who gets a new ticket: the queue's assignment mode decides (manual: nobody until an
agent takes it or a supervisor assigns it)."""

from __future__ import annotations

from pilotage.contact.models import Ticket


def assign_on_create(ticket: Ticket) -> list[str]:
    """Sets ``ticket.assignee`` by the queue's mode; returns the fields it changed."""
    return []
