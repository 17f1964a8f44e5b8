"""Business time: deadlines that count only the hours a service is open.

Pure functions, no ORM: ``services/sla.py`` turns a calendar's rows into a :class:`Clock`
and asks it. A clock lays out, once per calendar and year, the year's working intervals
(weekly hours, Ramadan hours on Ramadan days, nothing on holidays) as epoch seconds with
their running total, so adding minutes or measuring between two instants is two binary
searches, never a walk minute by minute.

The Ramadan dates come from the Hijri calendar (``hijridate``, Umm al-Qura) moved by the
correction Morocco's moon sighting calls for; the public holidays from the ``holidays``
library's Morocco calendar, which estimates the Islamic ones the same way and is then
corrected per calendar and year (``models/sla.py``).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

# Minutes from midnight, [start, end) — e.g. (510, 750) is 08:30–12:30.
Interval = tuple[int, int]
# Seven entries, Monday first (``date.weekday()``).
Week = Sequence[Sequence[Interval]]

# How many years past the instant's a search may run before giving up (a calendar with no
# working hours at all would otherwise never end).
MAX_YEARS = 5


def hm(text: str) -> int:
    """'08:30' → 510."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


@lru_cache(maxsize=64)
def ramadan_hijri(year: int) -> tuple[tuple[dt.date, dt.date], ...]:
    """The Ramadan months (first day, last day) of the Umm al-Qura calendar that start in
    the Gregorian ``year`` (one, exceptionally none or two)."""
    from hijridate import Gregorian, Hijri

    found = []
    first_hijri = Gregorian(year, 1, 1).to_hijri().year
    for hijri_year in (first_hijri, first_hijri + 1):
        start = Hijri(hijri_year, 9, 1).to_gregorian()
        end = Hijri(hijri_year, 10, 1).to_gregorian()
        start_date = dt.date(start.year, start.month, start.day)
        if start_date.year == year:
            found.append((start_date, dt.date(end.year, end.month, end.day) - dt.timedelta(days=1)))
    return tuple(found)


def ramadan_days(year: int, start_shift: int = 0, end_shift: int = 0) -> tuple[dt.date, dt.date]:
    """Ramadan starting in ``year``, corrected by the days the moon sighting moves its first
    and last day (Morocco often starts a day after Umm al-Qura)."""
    months = ramadan_hijri(year)
    if not months:
        raise ValueError(f"no Ramadan starts in {year}")
    start, end = months[0]
    return start + dt.timedelta(days=start_shift), end + dt.timedelta(days=end_shift)


@lru_cache(maxsize=64)
def morocco_holidays(year: int) -> dict[dt.date, str]:
    """The public holidays of Morocco in ``year`` (French names), Islamic ones estimated."""
    import holidays

    return dict(holidays.country_holidays("MA", years=year, language="fr").items())


@dataclass(frozen=True)
class Year:
    """One year's working intervals in epoch seconds and the business seconds before each."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    before: tuple[int, ...]  # business seconds in the year before interval i
    after: tuple[int, ...]  # ... up to the end of interval i
    total: int
    first: int  # the year's first instant (local 1 January 00:00), epoch seconds


@dataclass
class Clock:
    """A calendar's business time. ``holidays(year)`` and ``ramadan(year)`` give the days
    off and the Ramadan days of a year (callables so a clock built for a ticket reads only
    the years it needs)."""

    timezone: str
    week: Week
    ramadan_week: Week | None = None
    holidays: Callable[[int], Iterable[dt.date]] = lambda year: ()
    ramadan: Callable[[int], Iterable[dt.date]] = lambda year: ()
    _years: dict[int, Year] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.zone = ZoneInfo(self.timezone)

    # --- the year's layout ---

    def _year(self, year: int) -> Year:
        found = self._years.get(year)
        if found is None:
            found = self._years[year] = self._layout(year)
        return found

    def _instant(self, day: dt.date, minutes: int) -> int:
        local = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes)
        return int(local.replace(tzinfo=self.zone).timestamp())

    def _layout(self, year: int) -> Year:
        off = set(self.holidays(year))
        ramadan = set(self.ramadan(year)) | set(self.ramadan(year - 1))
        starts: list[int] = []
        ends: list[int] = []
        day = dt.date(year, 1, 1)
        while day.year == year:
            if day not in off:
                week = self.ramadan_week if (day in ramadan and self.ramadan_week) else self.week
                for start, end in sorted(week[day.weekday()]):
                    if end > start:
                        starts.append(self._instant(day, start))
                        ends.append(self._instant(day, end))
            day += dt.timedelta(days=1)
        before, after, running = [], [], 0
        for start, end in zip(starts, ends, strict=True):
            before.append(running)
            running += end - start
            after.append(running)
        return Year(
            tuple(starts),
            tuple(ends),
            tuple(before),
            tuple(after),
            running,
            self._instant(dt.date(year, 1, 1), 0),
        )

    def _local_year(self, ts: int) -> int:
        return dt.datetime.fromtimestamp(ts, self.zone).year

    def _offset(self, layout: Year, ts: int) -> int:
        """Business seconds of the year elapsed at ``ts``."""
        i = bisect_right(layout.ends, ts)
        if i == len(layout.ends):
            return layout.total
        return layout.before[i] + max(0, ts - layout.starts[i])

    # --- the questions ---

    def add(self, at: dt.datetime, minutes: int) -> dt.datetime:
        """The instant ``minutes`` business minutes after ``at`` (at an interval's end when
        it falls there: 14:30 + 2 h on a day ending 16:30 is 16:30 the same day)."""
        if minutes < 0:
            raise ValueError("minutes must not be negative")
        if minutes == 0:
            return at
        ts = int(at.timestamp())
        remaining = minutes * 60
        year = self._local_year(ts)
        for _step in range(MAX_YEARS + 1):
            layout = self._year(year)
            offset = self._offset(layout, ts)
            if offset + remaining <= layout.total:
                target = offset + remaining
                j = bisect_left(layout.after, target)
                return self._aware(layout.starts[j] + target - layout.before[j])
            remaining -= layout.total - offset
            year += 1
            ts = self._year(year).first
        raise ValueError(f"no working hours within {MAX_YEARS} years")

    def between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Business minutes from ``start`` to ``end`` (negative when ``end`` comes first)."""
        if end < start:
            return -self.between(end, start)
        a, b = int(start.timestamp()), int(end.timestamp())
        year_a, year_b = self._local_year(a), self._local_year(b)
        seconds = -self._offset(self._year(year_a), a)
        for year in range(year_a, year_b):
            seconds += self._year(year).total
        seconds += self._offset(self._year(year_b), b)
        return seconds // 60

    def add_working_days(self, at: dt.datetime, days: int) -> dt.datetime:
        """The close of the ``days``-th working day after the day of ``at`` (the day of
        receipt does not count, as in law 31-13's "twenty days from receipt")."""
        if days < 0:
            raise ValueError("days must not be negative")
        local = at.astimezone(self.zone)
        if days == 0:
            return at
        day, count = local.date(), 0
        for _step in range(366 * MAX_YEARS):
            day += dt.timedelta(days=1)
            layout = self._year(day.year)
            start = self._instant(day, 0)
            end = self._instant(day + dt.timedelta(days=1), 0)
            i = bisect_left(layout.starts, start)
            j = bisect_left(layout.starts, end)
            if j > i:
                count += 1
                if count == days:
                    return self._aware(layout.ends[j - 1])
        raise ValueError(f"no working day within {MAX_YEARS} years")

    def is_open(self, at: dt.datetime) -> bool:
        ts = int(at.timestamp())
        layout = self._year(self._local_year(ts))
        i = bisect_right(layout.ends, ts)
        return i < len(layout.starts) and layout.starts[i] <= ts

    def _aware(self, ts: int) -> dt.datetime:
        return dt.datetime.fromtimestamp(ts, self.zone)


def add_calendar(at: dt.datetime, minutes: int) -> dt.datetime:
    """Calendar time: every minute counts (nights, weekends, holidays). Counted in UTC:
    Python adds wall-clock time to a zoned datetime, which would be an hour off across
    Casablanca's change of offset at Ramadan."""
    return (at.astimezone(dt.UTC) + dt.timedelta(minutes=minutes)).astimezone(at.tzinfo)


def between_calendar(start: dt.datetime, end: dt.datetime) -> int:
    # In UTC too: two datetimes of the same zone subtract as wall-clock times.
    return int((end.astimezone(dt.UTC) - start.astimezone(dt.UTC)).total_seconds() // 60)
