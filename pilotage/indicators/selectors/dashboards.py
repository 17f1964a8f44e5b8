"""Reads behind the dashboards, the drill-down and the maps, scoped to the actor.

Every figure comes from the engine over the fact tables (``values_for``), never from the
school records. A page asks for the unit and its children in one call per indicator: the
engine answers each part with one ``GROUP BY`` per depth of the units asked, so a page's
query count depends on the indicators shown, not on the size of the territory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pilotage.core.roles import roles_with
from pilotage.core.scope import ROOT_PATH, scope_of
from pilotage.indicators.catalogue import Indicator
from pilotage.indicators.engine import IndicatorError, Value, gpi, gpia, grouped, parse_by
from pilotage.indicators.engine import indicator_or_error as _indicator_or_error
from pilotage.indicators.models import ClassFact, PupilFact, TeacherFact
from pilotage.indicators.roles import VIEW_INDICATORS
from pilotage.indicators.selectors.values import (
    ValuesQuery,
    academic_years,
    units_below,
    values_for,
)
from pilotage.orgunits.models import AcademicYear, Cycle, OrgUnit

# The landing dashboard's indicators, in the order shown.
KEY_INDICATORS: tuple[str, ...] = (
    "enrolment",
    "ger",
    "ner",
    "repetition_rate",
    "dropout_rate",
    "ptr",
    "pupils_per_class",
    "qualified_teachers_pct",
    "absence_rate",
    "pass_rate",
)

# Tree depth of the units each map draws, and the map file (assets/vendor/morocco-map/).
MAP_LEVELS: dict[str, tuple[int, str]] = {
    "region": (2, "regions.json"),
    "province": (3, "provinces.json"),
}

STATUS_ORDER = {"off_track": 0, "at_risk": 1, "on_track": 2}


def indicator_or_error(code: str) -> Indicator:
    return _indicator_or_error(code)


def dashboard_tops(actor: Any) -> list[OrgUnit]:
    """The highest units where the actor sees indicators: the country for the national
    administration, the region, province or school of an officer or head. One query."""
    paths = scope_of(actor).paths(roles_with(VIEW_INDICATORS))
    if not paths:
        return []
    qs = OrgUnit.objects.select_related("level").order_by("path")
    if ROOT_PATH in paths:
        return list(qs.filter(depth=1))
    return list(qs.filter(path__in=paths))


def year_chosen(years: Sequence[AcademicYear], code: str | None) -> AcademicYear | None:
    """The year of ``code`` (an unknown code is an error), else the current year, else the
    latest. ``years`` is every year, latest first (``academic_years()``)."""
    if code:
        for year in years:
            if year.code == code:
                return year
        raise IndicatorError(f"Unknown academic year: {code}")
    for year in years:
        if year.is_current:
            return year
    return years[0] if years else None


def indicator_breadcrumb(actor: Any, unit: OrgUnit) -> list[OrgUnit]:
    """The ancestors whose indicators the actor sees, then the unit: one query."""
    scope = scope_of(actor)
    holders = roles_with(VIEW_INDICATORS)
    ancestors = OrgUnit.objects.filter(path__in=unit.ancestor_paths()).order_by("depth")
    return [a for a in ancestors if scope.covers(a.path, holders)] + [unit]


def sub_units(unit: OrgUnit) -> list[OrgUnit]:
    return list(units_below(unit).order_by("name_fr"))


# -- series: the values of one indicator for a unit and its children --------------------


@dataclass
class Series:
    """One indicator's values for a unit (every year) and its children, as the engine
    gave them, indexed for the pages."""

    indicator: Indicator
    unit: OrgUnit
    children: list[OrgUnit]
    years: list[AcademicYear]  # oldest first
    values: list[Value]

    @property
    def cycles(self) -> list[str | None]:
        """The cycles the values carry (per-cycle indicators), ``[None]`` otherwise."""
        found = {v.dims["cycle"] for v in self.values if "cycle" in v.dims}
        return [c for c in Cycle.values if c in found] or [None]

    def get(self, unit: str, year: str, cycle: str | None = None) -> Value | None:
        for v in self.values:
            if v.unit == unit and v.period == year and v.dims.get("cycle") == cycle:
                return v
        return None

    def trend(self, cycle: str | None = None) -> list[Value | None]:
        return [self.get(self.unit.code, y.code, cycle) for y in self.years]

    def by_child(self, year: str, cycle: str | None = None) -> list[tuple[OrgUnit, Value | None]]:
        return [(c, self.get(c.code, year, cycle)) for c in self.children]


def series_for(
    actor: Any,
    code: str,
    unit: OrgUnit,
    children: list[OrgUnit],
    years: Sequence[AcademicYear],
) -> Series:
    """The indicator for ``unit`` and ``children`` over ``years``: one engine call (the grade
    ladder, the cycle ages, then per part one GROUP BY for the unit and one for the
    children; the targets' query once that module has targets)."""
    indicator = indicator_or_error(code)
    values = values_for(actor, ValuesQuery(code, [unit, *children], list(years)))
    return Series(indicator, unit, children, sorted(years, key=lambda y: y.start), values)


# -- the landing dashboard -----------------------------------------------------------------


@dataclass
class Line:
    """A row of the key-indicator table: one indicator (and cycle) for the chosen year."""

    series: Series
    cycle: str | None
    value: Value

    @property
    def indicator(self) -> Indicator:
        return self.series.indicator

    @property
    def previous(self) -> Value | None:
        codes = [y.code for y in self.series.years]
        i = codes.index(self.value.period)
        return self.series.get(self.series.unit.code, codes[i - 1], self.cycle) if i else None


@dataclass
class Gap:
    unit: OrgUnit
    indicator: Indicator
    value: Value

    @property
    def gap(self) -> float:
        """value − target, in the indicator's unit (positive: above the target)."""
        return (self.value.value or 0.0) - (self.value.target or 0.0)

    @property
    def shortfall(self) -> float:
        """How far the value falls short of its target, relative to the target: positive
        when it is off, the larger the worse."""
        worse = -self.gap if self.indicator.higher_is_better else self.gap
        return worse / (abs(self.value.target or 0) or 1)


@dataclass
class Overview:
    unit: OrgUnit
    year: AcademicYear
    years: list[AcademicYear]
    children: list[OrgUnit]
    series: dict[str, Series]
    lines: list[Line]
    gaps: list[Gap] = field(default_factory=list)


def dashboard_overview(
    actor: Any, unit: OrgUnit, year: AcademicYear, years: Sequence[AcademicYear]
) -> Overview:
    """Every key indicator for the unit and its children, every year: one engine call per
    indicator. Lines without a value for ``year`` are left out."""
    children = sub_units(unit)
    all_series = {code: series_for(actor, code, unit, children, years) for code in KEY_INDICATORS}
    lines: list[Line] = []
    gaps: list[Gap] = []
    by_code = {c.code: c for c in [unit, *children]}
    for series in all_series.values():
        for cycle in series.cycles:
            v = series.get(unit.code, year.code, cycle)
            if v is not None and v.value is not None:
                lines.append(Line(series, cycle, v))
        for v in series.values:
            if v.period == year.code and v.status and v.target is not None and v.value is not None:
                gaps.append(Gap(by_code[v.unit], series.indicator, v))
    gaps.sort(key=lambda g: (STATUS_ORDER.get(g.value.status or "", 3), -g.shortfall))
    return Overview(unit, year, list(years), children, all_series, lines, gaps)


# -- a split by disaggregation, with parity ----------------------------------------------


@dataclass
class Split:
    dims: tuple[str, ...]
    values: list[Value]
    # (other dims, F value, M value, GPI, GPIA) for each cell of the other dimensions
    parity: list[tuple[dict[str, str], float, float, float | None, float | None]]


def split_for(
    actor: Any, code: str, unit: OrgUnit, year: AcademicYear, by: Sequence[str] | str
) -> Split:
    """The indicator for ``unit`` and ``year`` split by ``by`` (one engine call); when the
    split has the sex, the parity indices computed from the girls' and boys' values (no
    further query)."""
    indicator = indicator_or_error(code)
    dims = parse_by(indicator, by)
    values = values_for(actor, ValuesQuery(code, [unit], [year], dims))
    parity = []
    if "sex" in dims:
        pairs: dict[tuple[tuple[str, str], ...], dict[str, Value]] = defaultdict(dict)
        for v in values:
            rest = tuple((k, d) for k, d in v.dims.items() if k != "sex")
            pairs[rest][v.dims["sex"]] = v
        for rest, sexes in pairs.items():
            f, m = sexes.get("F"), sexes.get("M")
            if f is None or m is None or f.value is None or m.value is None:
                continue
            parity.append(
                (dict(rest), f.value, m.value, gpi(f.value, m.value), gpia(f.value, m.value))
            )
    shown = tuple(d for d in (*dims, "cycle") if any(d in v.dims for v in values))
    return Split(tuple(dict.fromkeys(shown)), values, parity)


# -- maps --------------------------------------------------------------------------------


def map_levels(unit: OrgUnit) -> list[str]:
    """The maps a unit has: regions and provinces for the country, provinces for a region,
    its own outline for a province (no geometry below the provinces)."""
    below = [name for name, (depth, _file) in MAP_LEVELS.items() if depth > unit.depth]
    if below:
        return below
    return [name for name, (depth, _file) in MAP_LEVELS.items() if depth == unit.depth]


def map_units(unit: OrgUnit, level: str) -> list[OrgUnit]:
    depth, _file = MAP_LEVELS[level]
    return list(
        OrgUnit.objects.filter(path__startswith=unit.path, depth=depth, is_active=True)
        .select_related("level")
        .order_by("name_fr")
    )


def map_values(actor: Any, code: str, units: list[OrgUnit], year: AcademicYear) -> list[Value]:
    """The indicator for every unit of the map, one year: one engine call (units of one
    depth, so one GROUP BY per part)."""
    indicator_or_error(code)
    if not units:
        return []
    return values_for(actor, ValuesQuery(code, units, [year]))


# -- the home card -----------------------------------------------------------------------


@dataclass
class Figures:
    unit: OrgUnit
    year: AcademicYear
    pupils: int
    girls_pct: float | None
    pupils_per_class: float | None
    pupils_per_teacher: float | None
    qualified_pct: float | None


def home_figures(unit: OrgUnit, year: AcademicYear) -> Figures:
    """Four figures of the unit for the card: three GROUP BYs straight over the fact
    tables, the same sums as the engine's enrolment, pupils per class, pupil-teacher ratio
    and qualified teachers (the engine would also read the grade ladder and the ages for
    each)."""
    pupils = grouped(
        PupilFact, units=[unit], years=[year], fields=["sex"], sums={"n": "SUM(enrolled)"}
    )
    classes = grouped(ClassFact, units=[unit], years=[year], fields=[], sums={"n": "SUM(classes)"})
    teachers = grouped(
        TeacherFact,
        units=[unit],
        years=[year],
        fields=[],
        sums={"n": "SUM(teachers)", "q": "SUM(qualified)"},
    )
    n = int(sum(s["n"] for s in pupils.values()))
    girls = int(sum(s["n"] for k, s in pupils.items() if k[2] == "F"))
    c = sum(s["n"] for s in classes.values())
    t = sum(s["n"] for s in teachers.values())
    q = sum(s["q"] for s in teachers.values())
    return Figures(
        unit,
        year,
        n,
        100 * girls / n if n else None,
        n / c if c else None,
        n / t if t else None,
        100 * q / t if t else None,
    )


__all__ = [
    "KEY_INDICATORS",
    "MAP_LEVELS",
    "Figures",
    "Gap",
    "Line",
    "Overview",
    "Series",
    "Split",
    "academic_years",
    "dashboard_overview",
    "dashboard_tops",
    "home_figures",
    "indicator_breadcrumb",
    "indicator_or_error",
    "map_levels",
    "map_units",
    "map_values",
    "series_for",
    "split_for",
    "sub_units",
    "year_chosen",
]
