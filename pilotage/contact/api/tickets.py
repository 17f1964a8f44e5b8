"""Tickets in the API: create (staff), list with the page's filters, read with the three
deadlines and the seconds left on each, reply, change status. Scoped like the pages: a
ticket the caller does not see is a 404, a confidential requester is masked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.pagination import paginate

from pilotage.contact import permissions as perms
from pilotage.contact.models import (
    Category,
    Language,
    MessageKind,
    Priority,
    Queue,
    Ticket,
)
from pilotage.contact.selectors.tickets import (
    SORTS,
    TicketFilters,
    deadlines,
    requester_label,
    ticket_get,
    tickets_list,
)
from pilotage.contact.services import tickets as services
from pilotage.core.apischema import errors
from pilotage.core.pagination import Pages
from pilotage.core.versioning import Conflict
from pilotage.orgunits.models import OrgUnit

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
    org_unit: str
    assignee: str | None
    requester: str
    language: str
    created_at: dt.datetime
    ack_due_at: dt.datetime | None
    response_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None
    # Seconds left on each deadline (negative: overdue); null when met.
    ack_seconds_left: int | None
    response_seconds_left: int | None
    resolution_seconds_left: int | None
    version: int


def _out(request: HttpRequest, t: Ticket, now: dt.datetime | None = None) -> dict[str, Any]:
    ack, response, resolution = deadlines(t, now)
    return {
        "id": t.pk,
        "reference": t.reference,
        "subject": t.subject,
        "channel": t.channel,
        "type": t.type,
        "priority": t.priority,
        "status": t.status,
        "queue": t.queue.code,
        "org_unit": t.org_unit.code,
        "assignee": t.assignee.username if t.assignee else None,
        "requester": requester_label(request.user, t),
        "language": t.language,
        "created_at": t.created_at,
        "ack_due_at": t.ack_due_at,
        "response_due_at": t.response_due_at,
        "resolution_due_at": t.resolution_due_at,
        "ack_seconds_left": ack.seconds_left,
        "response_seconds_left": response.seconds_left,
        "resolution_seconds_left": resolution.seconds_left,
        "version": t.version,
    }


class FieldProblemOut(Schema):
    """One item of django-ninja's own validation answer (a body or parameter of the wrong
    shape, before the service is reached)."""

    type: str
    loc: list[str | int]
    msg: str


class ProblemOut(Schema):
    """A refusal of the service: ``detail`` in words and ``errors`` per field; or, for a
    body of the wrong shape, django-ninja's list of problems in ``detail``."""

    detail: str | list[FieldProblemOut]
    errors: dict[str, list[str]] | None = None


def _problem(exc: ValidationError) -> tuple[int, dict[str, Any]]:
    found = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return 422, {"detail": "; ".join(m for ms in found.values() for m in ms), "errors": found}


class TicketIn(Schema):
    channel: str
    type: str
    subject: str
    body: str
    queue: str
    org_unit: str
    priority: str = Priority.NORMAL
    category: str | None = None
    language: str = Language.FRENCH
    confidential: bool = False


@router.post(
    "/tickets",
    response={201: TicketOut, 422: ProblemOut, **errors(401, 403)},
)
def ticket_create(request: HttpRequest, payload: TicketIn) -> Any:
    """A ticket recorded by staff (a letter, a call, a visit); the tracking code is not
    returned: it is given to the requester by the page or the mail that acknowledges."""
    if not perms.handles_tickets(request.user):
        return 403, {"detail": "forbidden"}
    queue = Queue.objects.filter(code=payload.queue).first()
    unit = OrgUnit.objects.filter(code=payload.org_unit).first()
    category = Category.objects.filter(code=payload.category).first() if payload.category else None
    missing = {}
    if queue is None:
        missing["queue"] = [f"unknown queue: {payload.queue[:40]}"]
    if unit is None:
        missing["org_unit"] = [f"unknown org unit: {payload.org_unit[:40]}"]
    if payload.category and category is None:
        missing["category"] = [f"unknown category: {payload.category[:60]}"]
    if missing:
        return _problem(ValidationError(missing))
    try:
        created = services.ticket_create(
            actor=request.user,
            channel=payload.channel,
            type=payload.type,
            subject=payload.subject,
            body=payload.body,
            queue=queue,  # type: ignore[arg-type]
            org_unit=unit,  # type: ignore[arg-type]
            priority=payload.priority,
            category=category,
            language=payload.language,
            confidential=payload.confidential,
        )
    except PermissionDenied:
        return 403, {"detail": "forbidden"}
    except ValidationError as exc:
        return _problem(exc)
    # The service's ticket already holds what the answer shows (its queue, unit, assignee,
    # deadlines), and whoever may create it may see it: reading it back cost a SELECT of
    # ten relations, mostly planner time, near half of a creation (bench/contact_helpdesk.py).
    return 201, _out(request, created)


@router.get("/tickets", response={200: list[TicketOut], **errors(401, 404)})
@paginate(Pages, page_size=50)
def tickets_read(
    request: HttpRequest,
    status: str = "",
    queue: str = "",
    type: str = "",  # noqa: A002 - the filter's name
    channel: str = "",
    priority: str = "",
    assignee: str = "",
    overdue: bool = False,
    q: str = "",
    sort: str = "-created",
) -> Any:
    """The tickets the caller sees, with the staff list's filters; the same two queries
    (a count and a page with its joins) whatever the number of tickets."""
    if not perms.can_use(request.user):
        raise Http404
    filters = TicketFilters(
        status=status,
        queue=queue,
        type=type,
        channel=channel,
        priority=priority,
        assignee=assignee,
        overdue=overdue,
        q=q[:100],
        sort=sort if sort in SORTS else "-created",
    )
    now = timezone.now()
    return _Rows(tickets_list(request.user, filters), lambda t: _out(request, t, now))


class _Rows:
    """A queryset the paginator slices, each row turned into the schema's dict."""

    def __init__(self, rows: Any, shape: Any) -> None:
        self.rows, self.shape = rows, shape

    def count(self) -> int:
        return int(self.rows.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: slice) -> list[dict[str, Any]]:
        return [self.shape(t) for t in self.rows[key]]


@router.get("/tickets/{ticket_id}", response={200: TicketOut, **errors(401, 404)})
def ticket_read(request: HttpRequest, ticket_id: int) -> Any:
    return _out(request, ticket_get(request.user, ticket_id))


class ReplyIn(Schema):
    body: str
    note: bool = False
    status: str | None = None


class MessageOut(Schema):
    id: int
    kind: str
    ticket: TicketOut


@router.post(
    "/tickets/{ticket_id}/replies",
    response={201: MessageOut, 422: ProblemOut, **errors(401, 403, 404)},
)
def ticket_reply(request: HttpRequest, ticket_id: int, payload: ReplyIn) -> Any:
    """A public reply (in the requester's language) or an internal note (``note``)."""
    found = ticket_get(request.user, ticket_id)
    try:
        message = services.ticket_message_add(
            actor=request.user,
            ticket=found,
            kind=MessageKind.NOTE if payload.note else MessageKind.REPLY,
            body=payload.body,
            status=payload.status or None,
        )
    except PermissionDenied:
        return 403, {"detail": "forbidden"}
    except ValidationError as exc:
        return _problem(exc)
    return 201, {
        "id": message.pk,
        "kind": message.kind,
        "ticket": _out(request, ticket_get(request.user, ticket_id)),
    }


class StatusIn(Schema):
    status: str
    version: int | None = None


@router.post(
    "/tickets/{ticket_id}/status",
    response={200: TicketOut, 409: ProblemOut, 422: ProblemOut, **errors(401, 403, 404)},
)
def ticket_status(request: HttpRequest, ticket_id: int, payload: StatusIn) -> Any:
    found = ticket_get(request.user, ticket_id)
    try:
        services.ticket_status_set(
            actor=request.user, ticket=found, status=payload.status, version=payload.version
        )
    except PermissionDenied:
        return 403, {"detail": "forbidden"}
    except Conflict as exc:
        return 409, _problem(exc)[1]
    except ValidationError as exc:
        return _problem(exc)
    return _out(request, ticket_get(request.user, ticket_id))
