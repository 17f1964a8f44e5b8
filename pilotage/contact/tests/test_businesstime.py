"""The business-time engine against worked examples written out by hand.

The calendar of the examples is the administration's: Monday–Friday 08:30–16:30 (480 min a
day), 09:00–15:00 in Ramadan (360 min), Morocco's public holidays from the ``holidays``
library. Dates of 2026 used below (checked against the library and ``hijridate``):
Ramadan 1447 by Umm al-Qura: Wednesday 18 February – Thursday 19 March 2026; Aïd al-Fitr
(estimated): Friday 20 and Saturday 21 March 2026; 1 January, 11 January (a Sunday in
2026) and 14 January (Amazigh new year, a Wednesday) are holidays. Africa/Casablanca is
UTC+1, suspended (UTC+0) from Sunday 15 February to Sunday 22 March 2026.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from pilotage.contact import businesstime as bt

TZ = ZoneInfo("Africa/Casablanca")
WEEK = [[(bt.hm("08:30"), bt.hm("16:30"))]] * 5 + [[], []]
RAMADAN_WEEK = [[(bt.hm("09:00"), bt.hm("15:00"))]] * 5 + [[], []]


def days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def clock(extra_off: set[dt.date] | None = None, removed: set[dt.date] | None = None, shift=(0, 0)):
    def holidays(year: int) -> set[dt.date]:
        return (set(bt.morocco_holidays(year)) | (extra_off or set())) - (removed or set())

    return bt.Clock(
        "Africa/Casablanca",
        WEEK,
        RAMADAN_WEEK,
        holidays=holidays,
        ramadan=lambda year: days(*bt.ramadan_days(year, *shift)),
    )


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def test_friday_afternoon_runs_over_the_weekend():
    # Friday 4 December 2026, 16:00 + 2 h: 30 min on Friday (16:00–16:30), then 90 min
    # from Monday 08:30 → Monday 7 December 10:00.
    c = clock()
    assert c.add(at(2026, 12, 4, 16, 0), 120) == at(2026, 12, 7, 10, 0)
    # From the close of Friday, 1 h → Monday 09:30.
    assert c.add(at(2026, 12, 4, 16, 30), 60) == at(2026, 12, 7, 9, 30)
    # A Saturday counts from Monday's opening.
    assert c.add(at(2026, 12, 5, 11, 0), 60) == at(2026, 12, 7, 9, 30)
    assert c.between(at(2026, 12, 4, 16, 0), at(2026, 12, 7, 10, 0)) == 120


def test_a_deadline_landing_on_the_close_stays_that_day():
    # 14:30 + 2 h = 16:30 the same day, not Monday 08:30.
    assert clock().add(at(2026, 12, 4, 14, 30), 120) == at(2026, 12, 4, 16, 30)


def test_several_intervals_a_day():
    # 08:30–12:30 and 14:00–16:30: Tuesday 12:00 + 1 h = 30 min before lunch + 30 min after
    # → 14:30.
    split = bt.Clock("Africa/Casablanca", [[(510, 750), (840, 990)]] * 5 + [[], []])
    assert split.add(at(2026, 12, 1, 12, 0), 60) == at(2026, 12, 1, 14, 30)
    assert split.between(at(2026, 12, 1, 12, 0), at(2026, 12, 1, 14, 30)) == 60
    # Lunch is not open.
    assert not split.is_open(at(2026, 12, 1, 13, 0))
    assert split.is_open(at(2026, 12, 1, 14, 0))


def test_inside_ramadan_the_ramadan_hours_count():
    # Monday 2 March 2026 (Ramadan), 14:00 + 2 h: 60 min to 15:00, then Tuesday 3 March
    # from 09:00 + 60 min → 10:00 (not 16:00 the same day on ordinary hours).
    c = clock()
    assert c.add(at(2026, 3, 2, 14, 0), 120) == at(2026, 3, 3, 10, 0)
    # A Ramadan day has 6 h: Monday 09:00 + 360 min = Monday 15:00.
    assert c.between(at(2026, 3, 2, 0, 0), at(2026, 3, 3, 0, 0)) == 360


def test_across_aid_al_fitr_and_the_clock_change():
    # Thursday 19 March 2026, last day of Ramadan, 14:00 + 2 h: 60 min to 15:00 (Ramadan
    # hours), Friday 20 and Saturday 21 March are Aïd al-Fitr, Sunday is off, Monday
    # 23 March has ordinary hours again: 08:30 + 60 min → 09:30. On the 19th Morocco is on
    # UTC+0, on the 23rd on UTC+1 again: 09:30 local is 08:30 UTC.
    c = clock()
    due = c.add(at(2026, 3, 19, 14, 0), 120)
    assert due == at(2026, 3, 23, 9, 30)
    assert due.utcoffset() == dt.timedelta(hours=1)
    assert at(2026, 3, 19, 14, 0).utcoffset() == dt.timedelta(0)
    assert due.astimezone(dt.UTC) == dt.datetime(2026, 3, 23, 8, 30, tzinfo=dt.UTC)


def test_the_clock_change_at_the_start_of_ramadan():
    # Friday 13 February 2026 15:30 (UTC+1, ordinary hours) + 2 h: 60 min to 16:30, then
    # Monday 16 February (UTC+0 since Sunday, not yet Ramadan: 08:30–16:30) → 09:30 local,
    # 09:30 UTC: the business time is 120 min; the elapsed time is 67 h (Friday 14:30 UTC
    # to Monday 09:30 UTC), one more than the 66 h the wall clocks show.
    c = clock()
    start = at(2026, 2, 13, 15, 30)
    due = c.add(start, 120)
    assert due == at(2026, 2, 16, 9, 30)
    assert due.utcoffset() == dt.timedelta(0)
    assert due.astimezone(dt.UTC) - start.astimezone(dt.UTC) == dt.timedelta(hours=67)
    assert c.between(start, due) == 120


def test_ramadan_correction_moves_the_schedule():
    # Umm al-Qura starts Ramadan on Wednesday 18 February 2026; Morocco's sighting a day
    # later: with +1, the 18th keeps ordinary hours (8 h) and the 19th has Ramadan's (6 h).
    plain, corrected = clock(), clock(shift=(1, 0))
    wed, thu, fri = at(2026, 2, 18), at(2026, 2, 19), at(2026, 2, 20)
    assert plain.between(wed, thu) == 360
    assert corrected.between(wed, thu) == 480
    assert corrected.between(thu, fri) == 360
    assert bt.ramadan_days(2026, 1, 0) == (dt.date(2026, 2, 19), dt.date(2026, 3, 19))


def test_twenty_working_days_under_law_31_13():
    # A request received on Friday 4 December 2026: the 20 working days are 7–11, 14–18,
    # 21–25 December (15), 28–31 December (4: 19) and, 1 January 2027 being a holiday,
    # Monday 4 January 2027 (20) → due at its close, 16:30.
    c = clock()
    assert c.add_working_days(at(2026, 12, 4, 10, 0), 20) == at(2027, 1, 4, 16, 30)
    # Urgent: 3 working days → Wednesday 9 December, 16:30.
    assert c.add_working_days(at(2026, 12, 4, 10, 0), 3) == at(2026, 12, 9, 16, 30)


def test_a_holiday_on_a_monday():
    # Monday 7 December 2026 made a day off (an override): Friday 16:00 + 2 h runs to
    # Tuesday 8 December 10:00.
    c = clock(extra_off={dt.date(2026, 12, 7)})
    assert c.add(at(2026, 12, 4, 16, 0), 120) == at(2026, 12, 8, 10, 0)


def test_holidays_and_their_override():
    # Wednesday 14 January 2026 (Amazigh new year) is off: Tuesday 13, 16:00 + 1 h →
    # Thursday 15, 09:00. Removed by an override, → Wednesday 14, 09:00.
    start = at(2026, 1, 13, 16, 0)
    assert clock().add(start, 60) == at(2026, 1, 15, 9, 0)
    assert clock(removed={dt.date(2026, 1, 14)}).add(start, 60) == at(2026, 1, 14, 9, 0)


def test_across_the_new_year():
    # Thursday 31 December 2026 16:00 + 2 h: 30 min, 1 January 2027 (Friday) is a holiday,
    # then Monday 4 January 08:30 + 90 min → 10:00.
    c = clock()
    assert c.add(at(2026, 12, 31, 16, 0), 120) == at(2027, 1, 4, 10, 0)
    assert c.between(at(2026, 12, 31, 16, 0), at(2027, 1, 4, 10, 0)) == 120
    assert c.between(at(2027, 1, 4, 10, 0), at(2026, 12, 31, 16, 0)) == -120


def test_zero_and_calendar_time():
    c = clock()
    saturday = at(2026, 12, 5, 11, 0)
    assert c.add(saturday, 0) == saturday
    assert bt.add_calendar(saturday, 60 * 24 * 60) == at(2027, 2, 3, 11, 0)
    assert bt.between_calendar(saturday, at(2026, 12, 6, 11, 0)) == 1440
    # Across the change to UTC+0 before Ramadan (Sunday 15 February 2026): ten days of 24
    # hours from Tuesday 10 February 12:00 (UTC+1, 11:00 UTC) are Friday 20 February 11:00
    # on the clock (UTC+0), not 12:00; and counted back, they are 14 400 minutes.
    start = at(2026, 2, 10, 12, 0)
    assert bt.add_calendar(start, 10 * 1440) == at(2026, 2, 20, 11, 0)
    assert bt.between_calendar(start, at(2026, 2, 20, 11, 0)) == 10 * 1440


def test_refusals():
    c = clock()
    with pytest.raises(ValueError, match="negative"):
        c.add(at(2026, 12, 4), -1)
    closed = bt.Clock("Africa/Casablanca", [[]] * 7)
    with pytest.raises(ValueError, match="no working hours"):
        closed.add(at(2026, 12, 4), 1)


def test_movable_holidays_of_the_library():
    # The Islamic holidays come from the holidays library (estimated): Aïd al-Fitr,
    # Aïd al-Adha, 1 Muharram and the Mawlid are all in 2026's list.
    days_off = bt.morocco_holidays(2026)
    for day in (
        dt.date(2026, 3, 20),  # Aïd al-Fitr
        dt.date(2026, 5, 27),  # Aïd al-Adha
        dt.date(2026, 6, 16),  # 1 Muharram
        dt.date(2026, 8, 25),  # Mawlid
        dt.date(2026, 7, 30),  # Fête du Trône
    ):
        assert day in days_off
