"""Deadlines (SLA) of a ticket: set at creation, stopped while waiting on the requester,
restarted when they answer. The ticket services call these three functions; each changes
the ticket in memory and returns the fields it changed, which the caller saves.

This first version counts calendar time with fixed durations; the business-hours
calendars and the per type × priority policies replace it (docs/contact.md).
"""

from __future__ import annotations

import datetime as dt

from pilotage.contact.models import Ticket

ACK = dt.timedelta(days=1)
RESPONSE = dt.timedelta(days=5)
RESOLUTION = dt.timedelta(days=20)


def sla_start(ticket: Ticket, *, at: dt.datetime) -> list[str]:
    ticket.ack_due_at = at + ACK
    ticket.response_due_at = at + RESPONSE
    ticket.resolution_due_at = at + RESOLUTION
    return ["ack_due_at", "response_due_at", "resolution_due_at"]


def sla_pause(ticket: Ticket, *, at: dt.datetime) -> list[str]:
    if ticket.sla_paused_at is not None:
        return []
    ticket.sla_paused_at = at
    return ["sla_paused_at"]


def sla_resume(ticket: Ticket, *, at: dt.datetime) -> list[str]:
    if ticket.sla_paused_at is None:
        return []
    stopped = at - ticket.sla_paused_at
    changed = ["sla_paused_at"]
    for field in ("ack_due_at", "response_due_at", "resolution_due_at"):
        due = getattr(ticket, field)
        if due is not None and due > ticket.sla_paused_at:
            setattr(ticket, field, due + stopped)
            changed.append(field)
    ticket.sla_paused_at = None
    return changed
