"""Deadlines on tickets: due dates from the policies (legal defaults), the pause that gives
back only the business time waited, the recompute on a change of priority, the 75 %
warning and the breach escalation (real SMTP, each once), and the supervisors' edits.

The calendar is the administration's: Monday–Friday 08:30–16:30, Ramadan 09:00–15:00.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from pilotage.contact.models import (
    BusinessCalendar,
    Channel,
    HolidayOverride,
    OverrideKind,
    Priority,
    SlaEvent,
    SlaPolicy,
    Status,
    Ticket,
    TicketType,
    WorkingHours,
)
from pilotage.contact.services import sla
from pilotage.contact.services.routing import ticket_transfer
from pilotage.contact.services.tickets import ticket_status_set, ticket_update
from pilotage.contact.tests.factories import make_ticket
from pilotage.core.models import AuditEntry
from pilotage.core.versioning import Conflict

TZ = ZoneInfo("Africa/Casablanca")
WEEKDAYS = dict.fromkeys(range(5), "08:30-16:30")
RAMADAN = dict.fromkeys(range(5), "09:00-15:00")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture
def sla_cc(cc):
    sla.calendar_hours_seed(cc.calendar, hours=WEEKDAYS, ramadan=RAMADAN)
    sla.sla_policies_seed()
    return cc


def test_the_legal_defaults_are_seeded_for_every_type_and_priority(sla_cc) -> None:
    assert SlaPolicy.objects.count() == len(TicketType.values) * len(Priority.values)
    assert sla.sla_policies_seed() == 0  # a second run keeps what is there
    complaint = SlaPolicy.objects.get(type=TicketType.COMPLAINT, priority=Priority.NORMAL)
    assert (complaint.clock, complaint.ack_delay, complaint.resolution_delay) == (
        "calendar",
        0,
        60 * 24 * 60,
    )
    urgent = SlaPolicy.objects.get(type=TicketType.INFORMATION, priority=Priority.URGENT)
    assert (urgent.clock, urgent.resolution_delay) == ("working_days", 3)


def test_a_complaint_is_due_at_once_and_answered_within_sixty_days(sla_cc) -> None:
    # Received Friday 4 December 2026 16:00: acknowledgement due at once, the answer 60
    # calendar days later: Tuesday 2 February 2027 16:00.
    ticket = make_ticket(
        sla_cc.complaints,
        sla_cc.personas.country,
        type=TicketType.COMPLAINT,
        at=at(2026, 12, 4, 16),
    )
    assert ticket.ack_due_at == at(2026, 12, 4, 16)
    assert ticket.resolution_due_at == at(2027, 2, 2, 16)


def test_information_is_due_in_twenty_working_days(sla_cc) -> None:
    # Received Friday 4 December 2026 10:00 (law 31-13): 20 working days → Monday 4 January
    # 2027 16:30 (1 January is a holiday); urgent: 3 → Wednesday 9 December 16:30.
    normal = make_ticket(sla_cc.info, sla_cc.personas.country, at=at(2026, 12, 4, 10))
    urgent = make_ticket(
        sla_cc.info, sla_cc.personas.country, priority=Priority.URGENT, at=at(2026, 12, 4, 10)
    )
    assert normal.resolution_due_at == at(2027, 1, 4, 16, 30)
    assert normal.ack_due_at == at(2026, 12, 7, 16, 30)
    assert urgent.resolution_due_at == at(2026, 12, 9, 16, 30)


def test_the_pause_gives_back_the_business_time_waited_not_the_weekend(sla_cc) -> None:
    # Received Monday 7 December 2026 09:00: resolution due 20 working days later, Tuesday
    # 5 January 2027 16:30. Waiting on the requester from Friday 11 December 16:00 to Monday
    # 14 December 10:00: 30 min on Friday + 90 min on Monday = 120 business minutes (not the
    # 66 calendar hours) → the resolution moves to Wednesday 6 January 10:30.
    ticket = make_ticket(sla_cc.info, sla_cc.personas.country, at=at(2026, 12, 7, 9))
    assert ticket.resolution_due_at == at(2027, 1, 5, 16, 30)
    ticket_status_set(
        actor=sla_cc.agent, ticket=ticket, status=Status.WAITING_REQUESTER, at=at(2026, 12, 11, 16)
    )
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.sla_paused_at == at(2026, 12, 11, 16)
    assert stored.resolution_due_at == at(2027, 1, 5, 16, 30)
    ticket_status_set(
        actor=sla_cc.agent, ticket=ticket, status=Status.OPEN, at=at(2026, 12, 14, 10)
    )
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.sla_paused_at is None
    assert stored.sla_paused_minutes == 120
    assert stored.resolution_due_at == at(2027, 1, 6, 10, 30)
    # The acknowledgement (due Tuesday 8 December 16:30) had passed before the pause: kept.
    assert stored.ack_due_at == at(2026, 12, 8, 16, 30)

    # A change of priority recomputes from the receipt and keeps the time waited: urgent
    # is 3 working days → Thursday 10 December 16:30, + 120 min → Friday 11 December 10:30.
    stored.priority = Priority.URGENT
    changed = sla.sla_recompute(stored, at=at(2026, 12, 14, 11))
    assert "resolution_due_at" in changed
    assert stored.resolution_due_at == at(2026, 12, 11, 10, 30)


def test_the_edit_and_the_transfer_recompute_the_due_dates(sla_cc) -> None:
    # Received Friday 4 December 2026 10:00 as information: 20 working days → Monday 4
    # January 2027 16:30. Made a complaint: 60 calendar days → Tuesday 2 February 10:00;
    # then made urgent: 15 calendar days → Saturday 19 December 10:00.
    ticket = make_ticket(sla_cc.info, sla_cc.personas.country, at=at(2026, 12, 4, 10))
    assert ticket.resolution_due_at == at(2027, 1, 4, 16, 30)
    ticket = ticket_update(
        actor=sla_cc.agent, ticket=ticket, version=1, changes={"type": TicketType.COMPLAINT}
    )
    assert Ticket.objects.get(pk=ticket.pk).resolution_due_at == at(2027, 2, 2, 10)
    ticket_update(
        actor=sla_cc.agent, ticket=ticket, version=2, changes={"priority": Priority.URGENT}
    )
    assert Ticket.objects.get(pk=ticket.pk).resolution_due_at == at(2026, 12, 19, 10)
    # Back to information and transferred to a queue whose calendar works Saturdays too:
    # Saturday 5 December is the first of 20 working days, Monday 28 December the last.
    ticket_update(
        actor=sla_cc.agent,
        ticket=ticket,
        version=3,
        changes={"type": TicketType.INFORMATION, "priority": Priority.NORMAL},
    )
    assert Ticket.objects.get(pk=ticket.pk).resolution_due_at == at(2027, 1, 4, 16, 30)
    six_days = BusinessCalendar.objects.create(name="Six jours", code="six")
    sla.calendar_hours_seed(six_days, hours=dict.fromkeys(range(6), "08:30-16:30"))
    sla_cc.complaints.calendar = six_days
    sla_cc.complaints.save(update_fields=["calendar"])
    ticket_transfer(actor=sla_cc.supervisor, ticket=ticket.pk, queue=sla_cc.complaints, note="x")
    assert Ticket.objects.get(pk=ticket.pk).resolution_due_at == at(2026, 12, 28, 16, 30)


def test_a_pause_inside_a_weekend_moves_nothing(sla_cc) -> None:
    ticket = make_ticket(sla_cc.info, sla_cc.personas.country, at=at(2026, 12, 7, 9))
    due = ticket.resolution_due_at
    sla.sla_pause(ticket, at=at(2026, 12, 12, 10))
    changed = sla.sla_resume(ticket, at=at(2026, 12, 13, 18))
    assert ticket.resolution_due_at == due
    assert "resolution_due_at" not in changed


def test_a_calendar_without_hours_counts_on_the_ordinary_ones(cc) -> None:
    ticket = make_ticket(cc.info, cc.personas.country, at=at(2026, 12, 4, 10))
    assert ticket.resolution_due_at == at(2027, 1, 4, 16, 30)


def test_warning_then_breach_each_once(sla_cc, mailbox) -> None:
    # Urgent information received Monday 7 December 2026 09:00: resolution due Thursday
    # 10 December 16:30 (3 working days: 22.5 business hours from receipt). 75 % is spent on
    # Thursday 10 December at 10:52 (16.875 h: 7.5 h Monday + 8 h Tuesday... the check at
    # 12:00 is past it).
    ticket = make_ticket(
        sla_cc.info, sla_cc.personas.country, priority=Priority.URGENT, at=at(2026, 12, 7, 9)
    )
    Ticket.objects.filter(pk=ticket.pk).update(
        assignee=sla_cc.agent,
        acknowledged_at=at(2026, 12, 7, 9),
        first_response_at=at(2026, 12, 7, 9),
    )
    assert sla.sla_check(at=at(2026, 12, 9, 12)) == {"warned": 0, "breached": 0, "emails": 0}
    assert sla.sla_check(at=at(2026, 12, 10, 12)) == {"warned": 1, "breached": 0, "emails": 1}
    assert [m["To"] for m in mailbox.messages] == [sla_cc.agent.email]
    assert ticket.reference in mailbox.messages[0]["Subject"]
    # A second run at the same time sends nothing more.
    assert sla.sla_check(at=at(2026, 12, 10, 13)) == {"warned": 0, "breached": 0, "emails": 0}

    # Breached on Friday: the supervisor covering the country is told, the agent is not.
    call_command("contact_sla_check", "--at", "2026-12-11T09:00:00+01:00")
    event = SlaEvent.objects.get(ticket=ticket, kind="breached")
    assert (event.deadline, event.due_at, event.recipients) == (
        "resolution",
        at(2026, 12, 10, 16, 30),
        1,
    )
    assert mailbox.messages[-1]["To"] == sla_cc.supervisor.email
    assert len(mailbox.messages) == 2
    call_command("contact_sla_check", "--at", "2026-12-11T10:00:00+01:00")
    assert len(mailbox.messages) == 2
    assert SlaEvent.objects.filter(ticket=ticket).count() == 2


def test_met_and_paused_deadlines_are_not_warned(sla_cc, mailbox) -> None:
    ticket = make_ticket(sla_cc.info, sla_cc.personas.country, at=at(2026, 12, 7, 9))
    ticket_status_set(
        actor=sla_cc.agent, ticket=ticket, status=Status.WAITING_REQUESTER, at=at(2026, 12, 7, 10)
    )
    assert sla.sla_check(at=at(2027, 3, 1, 9))["breached"] == 0
    assert mailbox.messages == []


def test_an_agent_cannot_change_the_hours(sla_cc) -> None:
    hours = WorkingHours.objects.count()
    audits = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        sla.calendar_hours_set(
            actor=sla_cc.agent, calendar=sla_cc.calendar, ramadan=False, week={0: []}
        )
    with pytest.raises(PermissionDenied):
        sla.holiday_override_set(
            actor=sla_cc.agent,
            calendar=sla_cc.calendar,
            kind=OverrideKind.ADD,
            day=dt.date(2026, 12, 7),
        )
    assert WorkingHours.objects.count() == hours
    assert AuditEntry.objects.count() == audits
    assert not HolidayOverride.objects.exists()


def test_a_supervisor_changes_the_hours_and_the_ticket_deadlines_follow(sla_cc) -> None:
    calendar = BusinessCalendar.objects.get(pk=sla_cc.calendar.pk)
    sla.calendar_hours_set(
        actor=sla_cc.supervisor,
        calendar=calendar,
        ramadan=False,
        week={
            day: [(dt.time(8, 30), dt.time(12, 30)), (dt.time(14), dt.time(16, 30))]
            for day in range(5)
        },
        version=calendar.version,
    )
    assert AuditEntry.objects.filter(action="sla_calendar_edit").count() == 1
    # A stale form is refused.
    with pytest.raises(Conflict):
        sla.calendar_hours_set(
            actor=sla_cc.supervisor,
            calendar=calendar,
            ramadan=False,
            week={},
            version=calendar.version,
        )
    # Tuesday 8 December 12:00 + 1 h on the split day → 14:30.
    clock = sla.clock_for(BusinessCalendar.objects.get(pk=calendar.pk))
    assert clock.add(at(2026, 12, 8, 12), 60) == at(2026, 12, 8, 14, 30)


def test_overlapping_hours_are_refused_naming_the_day(sla_cc) -> None:
    with pytest.raises(ValidationError) as error:
        sla.calendar_hours_set(
            actor=sla_cc.supervisor,
            calendar=sla_cc.calendar,
            ramadan=False,
            week={2: [(dt.time(8, 30), dt.time(12, 30)), (dt.time(12), dt.time(16))]},
        )
    assert "08:30–12:30" in str(error.value.message_dict["day_2"])
    assert WorkingHours.objects.filter(calendar=sla_cc.calendar, ramadan=False).count() == 5


def test_holiday_overrides_add_remove_and_move(sla_cc) -> None:
    calendar = sla_cc.calendar
    # Aïd al-Fitr estimated on Friday 20 March 2026, announced for Saturday 21 → moved to
    # Monday 23 (an illustration); Monday 7 December made a day off.
    sla.holiday_override_set(
        actor=sla_cc.supervisor,
        calendar=calendar,
        kind=OverrideKind.MOVE,
        day=dt.date(2026, 3, 20),
        moved_to=dt.date(2026, 3, 23),
    )
    sla.holiday_override_set(
        actor=sla_cc.supervisor, calendar=calendar, kind=OverrideKind.ADD, day=dt.date(2026, 12, 7)
    )
    overrides = list(HolidayOverride.objects.filter(calendar=calendar))
    days = sla.holidays_of(overrides, 2026)
    assert dt.date(2026, 3, 20) not in days
    assert dt.date(2026, 3, 23) in days
    assert dt.date(2026, 12, 7) in days
    with pytest.raises(ValidationError) as error:
        sla.holiday_override_set(
            actor=sla_cc.supervisor,
            calendar=calendar,
            kind=OverrideKind.REMOVE,
            day=dt.date(2026, 12, 8),
        )
    assert "08/12/2026" in str(error.value.message_dict["day"])
    assert HolidayOverride.objects.count() == 2


def test_ramadan_correction(sla_cc) -> None:
    sla.ramadan_correct(
        actor=sla_cc.supervisor, calendar=sla_cc.calendar, year=2026, start_shift=1, end_shift=0
    )
    clock = sla.clock_for(BusinessCalendar.objects.get(pk=sla_cc.calendar.pk))
    # Wednesday 18 February 2026 keeps ordinary hours (480 min), Thursday 19 has Ramadan's.
    assert clock.between(at(2026, 2, 18), at(2026, 2, 19)) == 480
    assert clock.between(at(2026, 2, 19), at(2026, 2, 20)) == 360
    with pytest.raises(ValidationError):
        sla.ramadan_correct(
            actor=sla_cc.supervisor, calendar=sla_cc.calendar, year=2026, start_shift=3, end_shift=0
        )
    with pytest.raises(PermissionDenied):
        sla.ramadan_correct(
            actor=sla_cc.agent, calendar=sla_cc.calendar, year=2027, start_shift=1, end_shift=0
        )
    assert AuditEntry.objects.filter(action="sla_ramadan_correct").count() == 1


def test_a_phone_call_meets_its_acknowledgement(sla_cc, mailbox) -> None:
    call = make_ticket(
        sla_cc.complaints,
        sla_cc.personas.country,
        actor=sla_cc.agent,
        channel=Channel.PHONE,
        type=TicketType.COMPLAINT,
        at=at(2026, 12, 7, 9),
    )
    sla.sla_check(at=at(2026, 12, 7, 10))
    assert not SlaEvent.objects.filter(ticket=call, deadline="ack").exists()
