"""How reported results roll up: pure functions on plain values, no database.

The rules, in the order they are applied:

1. **Only approved updates count.** Drafts, submitted and returned updates are left out
   (:func:`counted`).
2. **Each location's series is reduced over its periods first** (:func:`across_periods`):
   - a *cumulative* indicator reports, each period, the total since the start: its periods
     are never added, the latest one is the location's figure;
   - otherwise the indicator's period aggregation applies (sum, average, maximum, latest);
   - a percentage over periods is Σ numerator / Σ denominator (or its latest period, when
     cumulative or aggregated as "latest").
3. **Then locations are combined** (:func:`across_locations`) with the indicator's location
   aggregation; a percentage is always Σ numerator / Σ denominator across countries and
   projects — two countries at 30/60 and 45/50 make (30+45)/(60+50) = 68.18 %, not the mean
   of 50 % and 90 % (70 %). The database refuses another location aggregation for a
   percentage (``result_indicator_percentage_ratio_of_sums``).

Reducing each location first is what makes "latest" and "cumulative" right when countries
report on different calendars: the latest figure of each country is taken, and those add up.

Qualitative indicators have no figure; their texts are listed, not rolled up.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

SUM = "sum"
AVERAGE = "average"
MAXIMUM = "maximum"
LATEST = "latest"
UNIT = "unit"
PERCENTAGE = "percentage"
QUALITATIVE = "qualitative"
APPROVED = "approved"

HUNDRED = Decimal(100)
ZERO = Decimal(0)


@dataclass(frozen=True)
class Spec:
    """What the roll-up needs to know of an indicator."""

    measure: str
    period_aggregation: str = SUM
    location_aggregation: str = SUM
    cumulative: bool = False


@dataclass(frozen=True)
class Entry:
    """One update's figures: ``location`` is a country (or project) code."""

    location: str
    period_start: dt.date
    period_end: dt.date
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    status: str = APPROVED


@dataclass(frozen=True)
class Figure:
    """A rolled-up figure; for a percentage, ``value`` is 100 × numerator / denominator."""

    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    count: int = 0  # how many approved updates went into it

    @property
    def empty(self) -> bool:
        return self.count == 0


NOTHING = Figure(None)


def percent(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if not denominator:
        return None
    return HUNDRED * numerator / denominator


def rounded(value: Decimal | None, places: int = 2) -> Decimal | None:
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def counted(entries: Iterable[Entry]) -> list[Entry]:
    """The approved entries: the only ones that count."""
    return [e for e in entries if e.status == APPROVED]


def _ratio(figures: Sequence[Figure]) -> Figure:
    num = sum((f.numerator or ZERO for f in figures), ZERO)
    den = sum((f.denominator or ZERO for f in figures), ZERO)
    return Figure(percent(num, den), num, den, sum(f.count for f in figures))


def _combine(figures: Sequence[Figure], how: str) -> Figure:
    values = [f.value for f in figures if f.value is not None]
    total = sum(f.count for f in figures)
    if not values:
        return Figure(None, count=total)
    if how == SUM:
        return Figure(sum(values, ZERO), count=total)
    if how == AVERAGE:
        return Figure(sum(values, ZERO) / len(values), count=total)
    if how == MAXIMUM:
        return Figure(max(values), count=total)
    raise ValueError(f"unknown aggregation {how!r}")


def _figure(entry: Entry, measure: str) -> Figure:
    if measure == PERCENTAGE:
        num = entry.numerator or ZERO
        den = entry.denominator or ZERO
        return Figure(percent(num, den), num, den, 1)
    return Figure(entry.value, count=1)


def across_periods(entries: Sequence[Entry], spec: Spec) -> Figure:
    """One location's approved entries over its periods (see the module's rule 2)."""
    rows = sorted(counted(entries), key=lambda e: (e.period_end, e.period_start))
    if not rows or spec.measure == QUALITATIVE:
        return Figure(None, count=len(rows))
    if spec.cumulative or spec.period_aggregation == LATEST:
        return _figure(rows[-1], spec.measure)
    figures = [_figure(e, spec.measure) for e in rows]
    if spec.measure == PERCENTAGE:
        return _ratio(figures)
    return _combine(figures, spec.period_aggregation)


def across_locations(figures: Sequence[Figure], spec: Spec, ends: Sequence[dt.date] = ()) -> Figure:
    """Locations' figures combined (rule 3). ``ends``: each figure's latest period end,
    needed only for the "latest" aggregation (the most recently reported location)."""
    present = [f for f in figures if not f.empty]
    if not present or spec.measure == QUALITATIVE:
        return Figure(None, count=sum(f.count for f in present))
    if spec.measure == PERCENTAGE:
        return _ratio(present)
    if spec.location_aggregation == LATEST:
        if not ends:
            raise ValueError("the latest location needs each figure's period end")
        dated = [(end, f) for end, f in zip(ends, figures, strict=True) if not f.empty]
        latest = max(dated, key=lambda pair: pair[0])[1]
        return Figure(latest.value, count=sum(f.count for f in present))
    return _combine(present, spec.location_aggregation)


def achieved(
    entries: Iterable[Entry],
    spec: Spec,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Figure:
    """What the approved entries add up to, per location then across locations, keeping
    the periods that end between ``since`` and ``until`` (both included, both optional)."""
    by_location: dict[str, list[Entry]] = defaultdict(list)
    for entry in counted(entries):
        if until is not None and entry.period_end > until:
            continue
        if since is not None and entry.period_end < since:
            continue
        by_location[entry.location].append(entry)
    figures: list[Figure] = []
    ends: list[dt.date] = []
    for location in sorted(by_location):
        rows = by_location[location]
        figures.append(across_periods(rows, spec))
        ends.append(max(e.period_end for e in rows))
    return across_locations(figures, spec, ends)


def in_period(entries: Iterable[Entry], spec: Spec, *, start: dt.date, end: dt.date) -> Figure:
    """The actual for a target's period: the approved entries whose period lies within
    ``start``–``end`` (a yearly target collects the quarterly updates of its year)."""
    inside = [e for e in entries if e.period_start >= start and e.period_end <= end]
    return achieved(inside, spec)


def achievement(actual: Decimal | None, target: Decimal | None) -> Decimal | None:
    """Actual as a percentage of the target (for a percentage indicator, of the target
    rate); None when either is missing or the target is zero."""
    if actual is None or target is None or not target:
        return None
    return HUNDRED * actual / target
