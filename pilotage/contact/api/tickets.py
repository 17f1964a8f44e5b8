"""Tickets in the API."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from pilotage.contact.selectors.tickets import requester_label, ticket_get
from pilotage.core.apischema import errors

router = Router(tags=["contact"])


class TicketOut(Schema):
    id: int
    reference: str
    subject: str
    channel: str
    type: str
    priority: str
    status: str
    queue: str
    requester: str
    created_at: dt.datetime
    ack_due_at: dt.datetime | None
    response_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None


@router.get("/tickets/{ticket_id}", response={200: TicketOut, **errors(401, 404)})
def ticket_read(request: HttpRequest, ticket_id: int) -> TicketOut:
    found = ticket_get(request.user, ticket_id)
    return TicketOut(
        id=found.pk,
        reference=found.reference,
        subject=found.subject,
        channel=found.channel,
        type=found.type,
        priority=found.priority,
        status=found.status,
        queue=found.queue.code,
        requester=requester_label(request.user, found),
        created_at=found.created_at,
        ack_due_at=found.ack_due_at,
        response_due_at=found.response_due_at,
        resolution_due_at=found.resolution_due_at,
    )
