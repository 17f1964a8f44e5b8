"""Reads of the deadlines: the warnings and breaches for the SLA board, the calendars and
policies for the supervisors' pages — scoped to the actor."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from pilotage.contact import permissions as perms
from pilotage.contact.models import (
    BusinessCalendar,
    HolidayOverride,
    RamadanCorrection,
    SlaEvent,
    SlaPolicy,
    WorkingHours,
)
from pilotage.contact.services import sla as sla_services


def sla_events_for(
    actor: Any,
    *,
    kind: str = "",
    deadline: str = "",
    since: dt.datetime | None = None,
    ticket: int | None = None,
) -> QuerySet[SlaEvent]:
    """The warnings and breaches of the tickets the actor sees, newest first, with their
    ticket (and its queue and assignee) in the same query."""
    if not perms.can_use(actor):
        return SlaEvent.objects.none()
    rows = SlaEvent.objects.filter(perms.tickets_q(actor, "ticket__")).select_related(
        "ticket__queue", "ticket__assignee", "ticket__org_unit"
    )
    if kind:
        rows = rows.filter(kind=kind)
    if deadline:
        rows = rows.filter(deadline=deadline)
    if since is not None:
        rows = rows.filter(at__gte=since)
    if ticket is not None:
        rows = rows.filter(ticket_id=ticket)
    return rows.order_by("-at", "-pk")


def calendars_list(actor: Any) -> QuerySet[BusinessCalendar]:
    if not perms.can_use(actor):
        raise Http404
    return BusinessCalendar.objects.order_by("code")


def calendar_get(actor: Any, pk: int) -> BusinessCalendar:
    found = calendars_list(actor).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def calendar_overview(calendar: BusinessCalendar, year: int) -> dict[str, Any]:
    """What the calendar's page shows for ``year``: the weekly hours (ordinary and
    Ramadan), Ramadan's computed and corrected dates, and the holidays with overrides."""
    from pilotage.contact import businesstime as bt

    hours = list(WorkingHours.objects.filter(calendar=calendar))
    overrides = list(HolidayOverride.objects.filter(calendar=calendar))
    corrections = {c.year: c for c in RamadanCorrection.objects.filter(calendar=calendar)}
    computed = bt.ramadan_hijri(year)
    official = bt.morocco_holidays(year)
    holidays = sla_services.holidays_of(overrides, year)
    by_day = {o.day: o for o in overrides}
    by_target = {o.moved_to: o for o in overrides if o.moved_to}
    holiday_rows = [
        {
            "day": day,
            "name": name,
            "official": day in official,
            "override": by_day.get(day) or by_target.get(day),
        }
        for day, name in sorted(holidays.items())
    ]
    removed = [o for o in overrides if o.day.year == year and o.day not in holidays]
    return {
        "hours": [h for h in hours if not h.ramadan],
        "ramadan_hours": [h for h in hours if h.ramadan],
        "ramadan_computed": computed[0] if computed else None,
        "ramadan": sla_services.ramadan_of(corrections, year) if computed else None,
        "correction": corrections.get(year),
        "holidays": holiday_rows,
        "removed": removed,
    }


def policies_list(actor: Any) -> QuerySet[SlaPolicy]:
    if not perms.can_use(actor):
        raise Http404
    return SlaPolicy.objects.order_by("type", "priority")
