"""Values of the built-in indicators for units of the tree, years and disaggregations.

A value for unit U is computed from the fact rows whose ``path`` starts with U's path: each
part (numerator, denominator) is one ``GROUP BY`` over a fact table, summed over the whole
subtree and every cell of the disaggregation, and the ratio is taken last —
Σ numerator / Σ denominator × factor, never an average of ratios. Several units of the
same depth (the children of a unit, for a drill-down) are answered by the same query,
grouped by the prefix of the path.

The engine does not check permissions: the selectors do (``selectors.values_for``).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from pilotage.indicators.catalogue import DIMENSIONS, Indicator, Source, builtin
from pilotage.indicators.models import (
    ClassFact,
    CycleSetting,
    PopulationEstimate,
    PupilFact,
    TeacherFact,
)
from pilotage.orgunits.models import AcademicYear, Cycle, OrgUnit
from pilotage.schooling.selectors import grade_ladder

Number = int | float
Key = tuple[str, ...]  # (unit code, year code, *dimension values in DIMENSIONS order)

# Fact columns of each dimension.
_FIELD = {
    "sex": "sex",
    "milieu": "milieu",
    "sector": "sector",
    "cycle": "cycle",
    "grade": "grade_level_id",
}
CYCLES: tuple[str, ...] = tuple(Cycle.values)


class IndicatorError(ValueError):
    """A request the engine cannot answer: unknown indicator, disaggregation or parity."""


@dataclass
class Value:
    unit: str
    period: str
    dims: dict[str, str]
    numerator: Number | None
    denominator: Number | None
    value: float | None
    target: float | None = None
    status: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "org_unit": self.unit,
            "period": self.period,
            **self.dims,
            "value": None if self.value is None else round(self.value, 4),
            "numerator": self.numerator,
            "denominator": self.denominator,
            "target": self.target,
            "status": self.status,
        }


@dataclass(frozen=True)
class Grades:
    """The grade ladder: codes, cycles, and which grade follows which."""

    code: dict[int, str]
    cycle: dict[int, str]
    order: list[int]  # grade ids in ascending order
    first: dict[str, int]  # cycle → its first grade
    last: dict[str, int]  # cycle → its last grade

    @classmethod
    def load(cls) -> Grades:
        rows = grade_ladder()
        first: dict[str, int] = {}
        last: dict[str, int] = {}
        for pk, _code, cycle in rows:
            first.setdefault(cycle, pk)
            last[cycle] = pk
        return cls(
            code={pk: code for pk, code, _ in rows},
            cycle={pk: cycle for pk, _, cycle in rows},
            order=[pk for pk, _, _ in rows],
            first=first,
            last=last,
        )

    @property
    def final(self) -> int | None:
        """The last grade of the system: no grade follows it, so no flow rate is defined."""
        return self.order[-1] if self.order else None

    def index_in_cycle(self, grade: int) -> int:
        cycle = self.cycle[grade]
        return [g for g in self.order if self.cycle[g] == cycle].index(grade)

    def of_cycle_at(self, cycle: str, index: int) -> int | None:
        grades = [g for g in self.order if self.cycle[g] == cycle]
        return grades[index] if 0 <= index < len(grades) else None

    def cycles_with_next(self) -> list[str]:
        present = [c for c in CYCLES if c in self.first]
        return present[:-1]


@dataclass(frozen=True)
class Ages:
    """Official ages of each cycle (``CycleSetting``)."""

    entry: dict[str, int]
    duration: dict[str, int]

    @classmethod
    def load(cls) -> Ages:
        rows = list(CycleSetting.objects.values_list("cycle", "entry_age", "duration"))
        return cls(entry={c: a for c, a, _ in rows}, duration={c: d for c, _, d in rows})

    def cycle_of(self, age: int) -> str | None:
        for cycle, entry in self.entry.items():
            if entry <= age < entry + self.duration[cycle]:
                return cycle
        return None


def half_days_held(year: AcademicYear, today: dt.date | None = None) -> int:
    """Half-days of class from the start of the year to today (or its end): two a weekday,
    Monday to Friday. The tree has no holiday calendar yet, so holidays count as days of
    class and the absence rate is slightly understated."""
    today = today or timezone.localdate()
    end = min(today, year.end)
    if end < year.start:
        return 0
    days = (end - year.start).days + 1
    weeks, rest = divmod(days, 7)
    weekdays = weeks * 5 + sum(1 for i in range(rest) if (year.start.weekday() + i) % 7 < 5)
    return 2 * weekdays


# -- the generic GROUP BY -------------------------------------------------------------


def _common_prefix(paths: Iterable[str], steplen: int) -> str:
    prefix = os.path.commonprefix(list(paths))
    return prefix[: len(prefix) - len(prefix) % steplen]


def grouped(
    model: type[Model],
    *,
    units: Sequence[OrgUnit],
    years: Sequence[AcademicYear],
    fields: Sequence[str],
    sums: dict[str, str],
    where: str = "",
    params: Sequence[Any] = (),
) -> dict[tuple[Any, ...], dict[str, Number]]:
    """Σ of each SQL expression in ``sums`` over the subtree of each unit, per year and per
    value of ``fields``: ``{(unit code, year code, *field values): {name: total}}``.

    Plain SQL rather than the ORM: a dashboard asks for dozens of these, and building the
    query through the ORM cost more than running it. Only our own column names and
    expressions are formatted in; every value is a parameter. ``where`` is an extra
    condition (SQL with ``%s`` placeholders for ``params``)."""
    out: dict[tuple[Any, ...], dict[str, Number]] = {}
    if not units or not years:
        return out
    year_code = {y.pk: y.code for y in years}
    by_length: dict[int, dict[str, str]] = defaultdict(dict)
    for unit in units:
        by_length[len(unit.path)][unit.path] = unit.code
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(fields)
    totals = ", ".join(f"{expr} AS {name}" for name, expr in sums.items())
    for length, codes in by_length.items():
        year_marks = ", ".join(["%s"] * len(year_code))
        args: list[Any] = [*year_code]
        if len(codes) == 1:
            (only,) = codes
            prefix, condition = "%s", "path LIKE %s"
            args = [only, *args, f"{only}%"]
        else:
            common = _common_prefix(codes, OrgUnit.steplen)
            prefix = f"SUBSTR(path, 1, {length})"
            marks = ", ".join(["%s"] * len(codes))
            condition = f"path LIKE %s AND SUBSTR(path, 1, {length}) IN ({marks})"
            args = [*args, f"{common}%", *codes]
        # Our own column names and expressions only; every value is a parameter.
        sql = (
            f"SELECT {prefix} AS prefix, academic_year_id{', ' + columns if columns else ''},"  # noqa: S608
            f" {totals} FROM {table}"
            f" WHERE academic_year_id IN ({year_marks}) AND {condition}"
            f"{' AND ' + where if where else ''}"
            f" GROUP BY {', '.join(['1', '2', *fields])}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*args, *params])
            rows = cursor.fetchall()
        width = 2 + len(fields)
        for row in rows:
            key = (codes[row[0]], year_code[row[1]], *row[2:width])
            out[key] = {name: _number(v) for name, v in zip(sums, row[width:], strict=True)}
    return out


def _number(value: Any) -> Number:
    if value is None:
        return 0
    return float(value) if isinstance(value, Decimal) else value


# -- one indicator ----------------------------------------------------------------------


@dataclass
class Request:
    indicator: Indicator
    units: Sequence[OrgUnit]
    years: Sequence[AcademicYear]
    dims: tuple[str, ...]  # in DIMENSIONS order, cycle included for per-cycle indicators
    grades: Grades
    ages: Ages

    @property
    def fields(self) -> list[str]:
        return [_FIELD[d] for d in self.dims]

    def key_out(self, key: tuple[Any, ...]) -> tuple[str, str, dict[str, str]]:
        unit, year, *values = key
        dims = {}
        for dim, value in zip(self.dims, values, strict=True):
            dims[dim] = self.grades.code.get(value, str(value)) if dim == "grade" else value
        return unit, year, dims


def _official_age() -> str:
    """Pupils of the official ages of the cycle of the row's grade."""
    whens = " ".join(f"WHEN cycle = '{c}' THEN age_{c}" for c in CYCLES)
    return f"SUM(CASE {whens} ELSE 0 END)"


def _population(req: Request, *, entry_only: bool) -> dict[tuple[Any, ...], Number]:
    """Population of the official ages (or the entry age) of each cycle, keyed like the
    pupils' parts over the dimensions the population has (sex, cycle, grade)."""
    rows = grouped(
        PopulationEstimate,
        units=req.units,
        years=req.years,
        fields=["age", "sex"],
        sums={"n": "SUM(population)"},
    )
    out: dict[tuple[Any, ...], Number] = defaultdict(int)
    for (unit, year, age, sex), sums in rows.items():
        cycle = req.ages.cycle_of(age)
        if cycle is None:
            continue
        index = age - req.ages.entry[cycle]
        if entry_only and index != 0:
            continue
        grade = req.grades.of_cycle_at(cycle, index)
        values = {"sex": sex, "cycle": cycle, "grade": grade}
        if "grade" in req.dims and grade is None:
            continue
        out[(unit, year, *(values[d] for d in req.dims))] += sums["n"]
    return out


def _ratio(num: Number | None, den: Number | None, factor: int) -> float | None:
    if num is None or not den:
        return None
    return factor * num / den


def _values(
    req: Request,
    parts: dict[tuple[Any, ...], tuple[Number | None, Number | None]],
) -> list[Value]:
    factor = req.indicator.factor
    out = []
    for key, (num, den) in sorted(parts.items(), key=lambda kv: tuple(str(k) for k in kv[0])):
        unit, year, dims = req.key_out(key)
        if req.indicator.has_denominator:
            value = _ratio(num, den, factor)
        else:
            value, den = (None if num is None else float(num)), None
        out.append(Value(unit, year, dims, num, den, value))
    return out


def _join(
    nums: dict[tuple[Any, ...], Number], dens: dict[tuple[Any, ...], Number]
) -> dict[tuple[Any, ...], tuple[Number | None, Number | None]]:
    return {
        k: (nums.get(k), dens.get(k)) for k in nums.keys() | dens.keys() if nums.get(k) is not None
    }


def _marks(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values)) or "NULL"


def _pupils(
    req: Request,
    sums: dict[str, str],
    where: str = "",
    params: Sequence[Any] = (),
    extra: Sequence[str] = (),
) -> dict[tuple[Any, ...], dict[str, Number]]:
    return grouped(
        PupilFact,
        units=req.units,
        years=req.years,
        fields=[*req.fields, *extra],
        sums=sums,
        where=where,
        params=params,
    )


def _flows(req: Request, extra: Sequence[str] = ()) -> dict[tuple[Any, ...], dict[str, Number]]:
    where, params = "promoted IS NOT NULL", []
    if req.grades.final is not None:
        where, params = where + " AND grade_level_id <> %s", [req.grades.final]
    return _pupils(
        req,
        {"base": "SUM(enrolled)", "promoted": "SUM(promoted)", "repeated": "SUM(repeated)"},
        where,
        params,
        extra,
    )


def _pick(
    rows: dict[tuple[Any, ...], dict[str, Number]], name: str
) -> dict[tuple[Any, ...], Number]:
    return {k: v[name] for k, v in rows.items()}


def _compute(req: Request) -> list[Value]:  # noqa: C901 - one branch per indicator, on purpose
    code = req.indicator.code
    if code == "enrolment":
        return _values(req, _join(_pick(_pupils(req, {"n": "SUM(enrolled)"}), "n"), {}))
    if code == "ger":
        nums = _pick(_pupils(req, {"n": "SUM(enrolled)"}), "n")
        return _values(req, _join(nums, _population(req, entry_only=False)))
    if code == "ner":
        nums = _pick(_pupils(req, {"n": _official_age()}), "n")
        return _values(req, _join(nums, _population(req, entry_only=False)))
    if code == "gir":
        firsts = list(req.grades.first.values())
        where = f"new_entrants IS NOT NULL AND grade_level_id IN ({_marks(firsts)})"
        nums = _pick(_pupils(req, {"n": "SUM(new_entrants)"}, where, firsts), "n")
        return _values(req, _join(nums, _population(req, entry_only=True)))
    if code in ("repetition_rate", "promotion_rate", "dropout_rate"):
        rows = _flows(req)
        parts: dict[tuple[Any, ...], tuple[Number | None, Number | None]] = {}
        for key, s in rows.items():
            num = {
                "repetition_rate": s["repeated"],
                "promotion_rate": s["promoted"],
                "dropout_rate": s["base"] - s["promoted"] - s["repeated"],
            }[code]
            parts[key] = (num, s["base"])
        return _values(req, parts)
    if code == "transition_rate":
        lasts = [req.grades.last[c] for c in req.grades.cycles_with_next()]
        where = f"promoted IS NOT NULL AND grade_level_id IN ({_marks(lasts)})"
        rows = _pupils(req, {"base": "SUM(enrolled)", "promoted": "SUM(promoted)"}, where, lasts)
        return _values(req, {k: (s["promoted"], s["base"]) for k, s in rows.items()})
    if code == "survival_rate":
        return _survival(req)
    if code == "ptr":
        nums = _pick(_pupils(req, {"n": "SUM(enrolled)"}), "n")
        dens = _pick(_teachers(req, {"n": "SUM(teachers)"}), "n")
        return _values(req, _join(nums, dens))
    if code == "pupils_per_class":
        nums = _pick(_pupils(req, {"n": "SUM(enrolled)"}), "n")
        classes = grouped(
            ClassFact,
            units=req.units,
            years=req.years,
            fields=req.fields,
            sums={"n": "SUM(classes)"},
        )
        return _values(req, _join(nums, _pick(classes, "n")))
    if code == "qualified_teachers_pct":
        rows = _teachers(req, {"q": "SUM(qualified)", "n": "SUM(teachers)"})
        return _values(req, {k: (s["q"], s["n"]) for k, s in rows.items()})
    if code == "absence_rate":
        held = {y.code: half_days_held(y) for y in req.years}
        rows = _pupils(req, {"a": "SUM(absent_half_days)", "n": "SUM(enrolled)"})
        return _values(req, {k: (s["a"], s["n"] * held[k[1]]) for k, s in rows.items()})
    if code == "pass_rate":
        rows = _pupils(req, {"p": "SUM(passed)", "n": "SUM(assessed)"})
        return _values(req, {k: (s["p"], s["n"]) for k, s in rows.items() if s["n"]})
    if code == "mean_mark":
        rows = _pupils(req, {"s": "SUM(marks_sum)", "n": "SUM(marks_count)"})
        return _values(req, {k: (s["s"], s["n"]) for k, s in rows.items() if s["n"]})
    if code == "out_of_school_rate":
        return _out_of_school(req)
    raise IndicatorError(f"No computation for indicator {code!r}")


def _teachers(req: Request, sums: dict[str, Any]) -> dict[tuple[Any, ...], dict[str, Number]]:
    return grouped(TeacherFact, units=req.units, years=req.years, fields=req.fields, sums=sums)


def _survival(req: Request) -> list[Value]:
    """Reconstructed cohort: of 1 000 pupils entering the cycle, those who reach its last
    grade, when every grade keeps year t's promotion, repetition and dropout rates and
    repeaters may repeat again: from grade g a pupil is eventually promoted with
    probability p / (p + d) = p / (1 − r). The survival rate to the last grade is the
    product of those probabilities over the grades before it. Numerator = survivors of the
    1 000, denominator = 1 000."""
    rows = _flows(req, extra=["grade_level_id"])
    by_key: dict[tuple[Any, ...], dict[int, dict[str, Number]]] = defaultdict(dict)
    for row_key, sums in rows.items():
        by_key[row_key[:-1]][row_key[-1]] = sums
    parts: dict[tuple[Any, ...], tuple[Number | None, Number | None]] = {}
    cycle_at = req.dims.index("cycle") + 2
    for key, grades in by_key.items():
        cycle = key[cycle_at]
        ladder = [g for g in req.grades.order if req.grades.cycle[g] == cycle][:-1]
        if not ladder or any(g not in grades or not grades[g]["base"] for g in ladder):
            continue
        survival = 1.0
        for g in ladder:
            s = grades[g]
            p, r = s["promoted"] / s["base"], s["repeated"] / s["base"]
            survival *= p / (1 - r) if r < 1 else 0.0
        parts[key] = (round(1000 * survival, 2), 1000)
    return _values(req, parts)


def _out_of_school(req: Request) -> list[Value]:
    """Children of the official ages of a cycle not enrolled in that cycle or a higher one,
    over the population of those ages (100 − total net enrolment rate)."""
    dims_no_cycle = [d for d in req.dims if d != "cycle"]
    sums = {}
    for i, cycle in enumerate(CYCLES):
        higher = CYCLES[i:]
        among = ", ".join(f"'{c}'" for c in higher)
        sums[cycle] = f"SUM(CASE WHEN cycle IN ({among}) THEN age_{cycle} ELSE 0 END)"
    rows = grouped(
        PupilFact,
        units=req.units,
        years=req.years,
        fields=[_FIELD[d] for d in dims_no_cycle],
        sums=sums,
    )
    cycle_at = req.dims.index("cycle")
    enrolled: dict[tuple[Any, ...], Number] = {}
    for (unit, year, *values), s in rows.items():
        for cycle in CYCLES:
            dims = list(values)
            dims.insert(cycle_at, cycle)
            enrolled[(unit, year, *dims)] = s[cycle]
    parts: dict[tuple[Any, ...], tuple[Number | None, Number | None]] = {}
    for key, pop in _population(req, entry_only=False).items():
        parts[key] = (max(pop - enrolled.get(key, 0), 0), pop)
    return _values(req, parts)


# -- parity ------------------------------------------------------------------------------


def gpi(female: float, male: float) -> float | None:
    """Gender parity index: F / M."""
    return None if not male else female / male


def gpia(female: float, male: float) -> float | None:
    """Adjusted gender parity index (UIS): F / M when F ≤ M, else 2 − M / F, so that
    disparities favouring either sex are symmetric around 1 and bounded by 2."""
    if female <= male:
        return gpi(female, male)
    return 2 - male / female


def _parity(values: list[Value], kind: str) -> list[Value]:
    pairs: dict[tuple[Any, ...], dict[str, Value]] = defaultdict(dict)
    for v in values:
        rest = {k: d for k, d in v.dims.items() if k != "sex"}
        pairs[(v.unit, v.period, *rest.items())][v.dims["sex"]] = v
    out = []
    for (unit, period, *items), by_sex in pairs.items():
        f, m = by_sex.get("F"), by_sex.get("M")
        if f is None or m is None or f.value is None or m.value is None:
            continue
        index = (gpia if kind == "gpia" else gpi)(f.value, m.value)
        out.append(Value(unit, period, dict(items), f.value, m.value, index))
    return out


# -- entry point -------------------------------------------------------------------------


def indicator_or_error(code: str) -> Indicator:
    indicator = builtin(code)
    if indicator is None:
        raise IndicatorError(f"Unknown indicator {code!r}")
    return indicator


def parse_by(indicator: Indicator, by: Iterable[str] | str) -> tuple[str, ...]:
    """The requested disaggregations, checked against the indicator, in canonical order."""
    asked = [b.strip() for b in (by.split(",") if isinstance(by, str) else by) if b.strip()]
    for dim in asked:
        if dim not in DIMENSIONS:
            raise IndicatorError(f"Unknown disaggregation {dim!r}: use {', '.join(DIMENSIONS)}")
        if dim not in indicator.dimensions:
            allowed = ", ".join(d for d in DIMENSIONS if d in indicator.dimensions) or "none"
            raise IndicatorError(
                f"Indicator {indicator.code!r} cannot be split by {dim!r} (allowed: {allowed})"
            )
    return tuple(d for d in DIMENSIONS if d in asked)


_shared = threading.local()


@contextmanager
def shared_reference() -> Iterator[None]:
    """Within the block, every ``compute`` reuses one reading of the grade ladder and the
    cycles' official ages (a dashboard computes dozens of values: two queries each saved).
    Outside, each call reads them afresh, so a change in the admin shows at once."""
    outer = getattr(_shared, "reference", None)
    if outer is None:
        _shared.reference = (Grades.load(), Ages.load())
    try:
        yield
    finally:
        if outer is None:
            _shared.reference = None


def _reference() -> tuple[Grades, Ages]:
    shared = getattr(_shared, "reference", None)
    return shared if shared is not None else (Grades.load(), Ages.load())


def compute(
    code: str,
    *,
    units: Sequence[OrgUnit],
    years: Sequence[AcademicYear],
    by: Iterable[str] | str = (),
    parity: str | None = None,
) -> list[Value]:
    """Values of indicator ``code`` for each unit (its whole subtree) and year, split by
    ``by``; with ``parity`` ("gpi" or "gpia"), the parity index of the sex split instead."""
    indicator = indicator_or_error(code)
    dims = set(parse_by(indicator, by))
    if parity:
        if parity not in ("gpi", "gpia"):
            raise IndicatorError(f"Unknown parity {parity!r}: use gpi or gpia")
        if "sex" not in indicator.dimensions:
            raise IndicatorError(f"Indicator {code!r} has no sex split: no parity index")
        dims.add("sex")
    if indicator.per_cycle:
        dims.add("cycle")
    grades, ages = _reference()
    req = Request(indicator, units, years, tuple(d for d in DIMENSIONS if d in dims), grades, ages)
    values = _compute(req)
    return _parity(values, parity) if parity else values


__all__ = [
    "Source",
    "Value",
    "IndicatorError",
    "compute",
    "shared_reference",
    "gpi",
    "gpia",
    "grouped",
    "half_days_held",
    "parse_by",
]
