"""Writes of the walk-in reception: a visitor registered with a number of the day, the
next visitor called to a desk (never the same one by two agents), and a visit turned into
a ticket (channel walk-in) with the visitor as requester."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from pilotage.contact import permissions as perms
from pilotage.contact.audit import VISIT_CALL, VISIT_REGISTER, VISIT_SERVE
from pilotage.contact.models import (
    Association,
    Category,
    Channel,
    Queue,
    Requester,
    Status,
    Ticket,
    Visit,
    VisitCounter,
    VisitStatus,
)
from pilotage.contact.selectors.intake import phone_digits, requester_by_phone
from pilotage.contact.services.intake import org_unit_for
from pilotage.contact.services.tickets import ticket_create, ticket_status_set
from pilotage.core.audit import audit_record
from pilotage.core.versioning import locked, version_check


def _number_next(day: dt.date) -> int:
    """The next number of ``day``; call inside the transaction (the UPDATE holds the
    counter's row until it commits, so two desks never give the same number)."""
    VisitCounter.objects.get_or_create(day=day)
    VisitCounter.objects.filter(day=day).update(last=F("last") + 1)
    return VisitCounter.objects.filter(day=day).values_list("last", flat=True).get()


@transaction.atomic
def visit_register(
    *,
    actor: Any,
    name: str,
    reason: str,
    phone: str = "",
    association: Association | None = None,
    at: dt.datetime | None = None,
) -> Visit:
    if not perms.receives_visitors(actor):
        raise PermissionDenied
    if association is not None and not perms.can_see_association(actor, association):
        raise PermissionDenied
    at = at or timezone.now()
    visit = Visit(
        day=timezone.localdate(at),
        number=0,
        name=(name or "").strip(),
        phone=(phone or "").strip(),
        association=association,
        reason=(reason or "").strip(),
        arrived_at=at,
        registered_by=actor,
    )
    visit.requester = requester_by_phone(visit.phone) if visit.phone else None
    visit.full_clean(exclude=["number"])
    visit.number = _number_next(visit.day)
    visit.save()
    audit_record(
        actor=actor, action=VISIT_REGISTER, obj=visit, changes={"number": [None, visit.label]}
    )
    return visit


def visit_call_next(*, actor: Any, desk: str, at: dt.datetime | None = None) -> Visit | None:
    """Calls the first waiting visitor of the day to ``desk``; None when nobody waits.

    The row is taken with ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL): a second agent
    pressing the button at the same instant skips the visitor the first one is calling and
    gets the next. The conditional UPDATE is the guard on databases without row locks."""
    if not perms.receives_visitors(actor):
        raise PermissionDenied
    desk = (desk or "").strip()[:20]
    if not desk:
        raise ValidationError({"desk": _("Indiquez votre guichet.")})
    at = at or timezone.now()
    for _attempt in range(5):
        with transaction.atomic():
            visit = (
                Visit.objects.select_for_update(skip_locked=True)
                .filter(day=timezone.localdate(at), status=VisitStatus.WAITING)
                .order_by("number")
                .first()
            )
            if visit is None:
                return None
            taken = Visit.objects.filter(pk=visit.pk, status=VisitStatus.WAITING).update(
                status=VisitStatus.CALLED,
                called_at=at,
                served_by=actor,
                desk=desk,
                version=F("version") + 1,
            )
            if not taken:
                continue
            visit.refresh_from_db()
            audit_record(
                actor=actor,
                action=VISIT_CALL,
                obj=visit,
                changes={"status": [VisitStatus.WAITING, VisitStatus.CALLED], "desk": [None, desk]},
            )
            return visit
    return None


@transaction.atomic
def visit_serve(
    *,
    actor: Any,
    visit: Visit | int,
    type: str,  # noqa: A002 - the ticket's field
    subject: str,
    notes: str,
    queue: Queue,
    priority: str,
    category: Category | None = None,
    answered: bool = False,
    version: int | None = None,
) -> Ticket:
    """The visit recorded as a ticket (channel walk-in), the visitor as requester: found by
    phone number, or recorded now from the name given at the reception."""
    stored = locked(Visit, visit)
    if not perms.receives_visitors(actor) or stored.served_by_id != actor.pk:
        raise PermissionDenied
    version_check(stored, version)
    if stored.status != VisitStatus.CALLED:
        raise ValidationError(
            {"status": _("La visite %(number)s n'est pas au guichet.") % {"number": stored.label}}
        )
    requester = stored.requester or (requester_by_phone(stored.phone) if stored.phone else None)
    if requester is None:
        requester = Requester(
            last_name=stored.name,
            phone=stored.phone,
            phone_digits=phone_digits(stored.phone),
            association=stored.association,
        )
        requester.full_clean()
        requester.save()
    ticket = ticket_create(
        actor=actor,
        channel=Channel.WALK_IN,
        type=type,
        subject=subject,
        body=(notes or "").strip() or (subject or "").strip() or stored.reason,
        queue=queue,
        org_unit=org_unit_for(actor, requester),
        priority=priority,
        category=category,
        requester=requester,
        association=requester.association,
        language=requester.language,
    )
    if answered:
        ticket = ticket_status_set(actor=actor, ticket=ticket, status=Status.RESOLVED)
        ticket.first_contact_resolution = True
        ticket.save(update_fields=["first_contact_resolution"])
    stored.status = VisitStatus.SERVED
    stored.ticket = ticket
    stored.requester = requester
    stored.version += 1
    stored.save(update_fields=["status", "ticket", "requester", "version"])
    audit_record(
        actor=actor,
        action=VISIT_SERVE,
        obj=stored,
        changes={
            "status": [VisitStatus.CALLED, VisitStatus.SERVED],
            "ticket": [None, ticket.reference],
        },
    )
    return ticket
