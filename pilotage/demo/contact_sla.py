"""Demo data of the contact centre's deadlines: the hours of the ``administration``
calendar (Monday–Friday 08:30–16:30, Ramadan 09:00–15:00) and the policies of every ticket
type × priority (the Moroccan legal defaults, ``services/sla.py``)."""

from __future__ import annotations

from pilotage.contact.models import BusinessCalendar
from pilotage.contact.services.sla import calendar_hours_seed, sla_policies_seed
from pilotage.demo.context import Context


def create_contact_sla(ctx: Context) -> None:
    ctx.progress.total(2)
    calendar = BusinessCalendar.objects.get(code="administration")
    calendar_hours_seed(
        calendar,
        hours=dict.fromkeys(range(5), "08:30-16:30"),
        ramadan=dict.fromkeys(range(5), "09:00-15:00"),
    )
    ctx.progress.advance(1, calendar.code)
    sla_policies_seed()
    ctx.progress.advance(1, "policies")
