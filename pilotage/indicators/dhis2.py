"""DHIS2 ``dataValueSets`` export: the built-in indicators' values and the aggregate data
values of a subtree for one school year, in the JSON DHIS2 imports
(``{"dataValues": [{"dataElement", "period", "orgUnit", "categoryOptionCombo", "value"}]}``).

Identifiers are codes, so DHIS2 imports the file with ``idScheme=CODE`` (data elements,
org units and category option combos are matched by their code):

* ``orgUnit`` — the org unit's code (``MA``, ``MA-01``, the school's code…). The export
  holds the unit asked for and every active unit below it: DHIS2 cannot add up rates, so
  each level gets its own value, computed from its subtree's facts.
* ``dataElement`` — the indicator's code for the built-in indicators (``ger``, ``ptr``…)
  and the custom ones (totals only, ``default`` combo), the data element's code for
  aggregate data values (only approved ones with ``PILOTAGE_HIDE_UNAPPROVED_DATA``).
* ``period`` — :func:`dhis2_period`: a school year is DHIS2's September financial year
  (``2024-2025`` → ``2024Sep``), months, quarters and calendar years keep their ISO form.
* ``categoryOptionCombo`` — :func:`category_option_combo`: for an indicator value, the
  values of its disaggregations joined by ``_`` in the order ``sex, milieu, sector, cycle,
  grade``, and ``default`` for the total. Each indicator is exported as a total and, when
  it has a sex split, by sex: ``default``, ``F``, ``M``; per-cycle indicators (GER, NER…)
  always carry their cycle: ``primaire``, ``F_primaire``, ``M_primaire``, ``college``…
  For an aggregate data value it is the category option's code.
* ``value`` — a string, as DHIS2 expects: rates are percentages, rounded to 4 decimals,
  without trailing zeros (``93.3333``, ``1250``).

The values are produced one batch of units at a time and written out as they come
(:func:`json_chunks`), so a national export holds one batch of values in memory, never
the whole file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pilotage.indicators.catalogue import BUILTIN, DIMENSIONS
from pilotage.indicators.custom import custom_values
from pilotage.indicators.engine import IndicatorError, Value, compute
from pilotage.indicators.models import CustomIndicator
from pilotage.indicators.selectors import unit_for
from pilotage.indicators.selectors.exports import (
    aggregate_values,
    school_years,
    subtree_batches,
    top_units,
)
from pilotage.orgunits.models import AcademicYear, OrgUnit

# The disaggregations each indicator is exported with (those it allows).
EXPORT_SPLITS: tuple[tuple[str, ...], ...] = ((), ("sex",))
DEFAULT_COMBO = "default"

_ACADEMIC_YEAR = re.compile(r"(\d{4})-(\d{4})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"\d{4}Q[1-4]")
_YEAR = re.compile(r"\d{4}")

DataValueOut = dict[str, str]


def dhis2_period(code: str) -> str:
    """The DHIS2 period identifier of one of our period codes (``orgunits.Period``)."""
    if m := _ACADEMIC_YEAR.fullmatch(code):
        first, second = int(m[1]), int(m[2])
        if second != first + 1:
            raise ValueError(f"Not a school year: {code!r}")
        return f"{first}Sep"
    if m := _MONTH.fullmatch(code):
        if not 1 <= int(m[2]) <= 12:
            raise ValueError(f"Not a month: {code!r}")
        return f"{m[1]}{m[2]}"
    if _QUARTER.fullmatch(code) or _YEAR.fullmatch(code):
        return code
    raise ValueError(f"Not a period code: {code!r}")


def category_option_combo(dims: dict[str, str]) -> str:
    parts = [str(dims[d]) for d in DIMENSIONS if d in dims]
    return "_".join(parts) if parts else DEFAULT_COMBO


def value_text(value: float | Decimal) -> str:
    number = Decimal(str(round(value, 4))) if isinstance(value, float) else value
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class Export:
    """What to export: subtrees (their tops already checked against the actor's scope,
    or chosen by an operator) and one school year."""

    tops: Sequence[OrgUnit]
    year: AcademicYear

    @property
    def filename(self) -> str:
        codes = "+".join(u.code for u in self.tops)
        return f"dhis2-{codes}-{self.year.code}.json"


def export_for(actor: Any, org_unit: str | None, period: str | None) -> Export:
    """The export an actor asks for: ``org_unit``'s subtree (404 out of their scope) or
    the top of their scope; ``period``'s school year or the latest one."""
    tops = [unit_for(actor, org_unit)] if org_unit else top_units(actor)
    years = school_years(period)
    if not years:
        raise IndicatorError("No school year to export")
    return Export(tops, years[0])


def _indicator_values(units: Sequence[OrgUnit], year: AcademicYear) -> Iterator[DataValueOut]:
    period = dhis2_period(year.code)
    for indicator in BUILTIN:
        for split in EXPORT_SPLITS:
            if not set(split) <= indicator.dimensions:
                continue
            values: list[Value] = compute(indicator.code, units=units, years=[year], by=split)
            for v in values:
                if v.value is None:
                    continue
                yield {
                    "dataElement": indicator.code,
                    "period": period,
                    "orgUnit": v.unit,
                    "categoryOptionCombo": category_option_combo(v.dims),
                    "value": value_text(v.value),
                }


def _custom_values(
    customs: Sequence[CustomIndicator], units: Sequence[OrgUnit], year: AcademicYear
) -> Iterator[DataValueOut]:
    """The custom indicators' values, each a data element of its own code (totals only:
    a custom indicator has no disaggregation)."""
    period = dhis2_period(year.code)
    for custom in customs:
        for v in custom_values(custom, units=units, years_or_periods=[year]):
            if v.value is None:
                continue
            yield {
                "dataElement": custom.code,
                "period": period,
                "orgUnit": v.unit,
                "categoryOptionCombo": DEFAULT_COMBO,
                "value": value_text(round(v.value, 4)),
            }


def data_values(export: Export) -> Iterator[DataValueOut]:
    customs = list(CustomIndicator.objects.order_by("code"))
    for top in export.tops:
        for batch in subtree_batches(top):
            yield from _indicator_values(batch, export.year)
            yield from _custom_values(customs, batch, export.year)
        for element, period, unit, option, value in aggregate_values(top, export.year):
            yield {
                "dataElement": element,
                "period": dhis2_period(period),
                "orgUnit": unit,
                "categoryOptionCombo": option,
                "value": value_text(value),
            }


def json_chunks(values: Iterable[DataValueOut]) -> Iterator[str]:
    """``{"dataValues": [...]}`` one data value per chunk (and per line)."""
    yield '{"dataValues": ['
    first = True
    for value in values:
        yield ("\n" if first else ",\n") + json.dumps(value, ensure_ascii=False)
        first = False
    yield "\n]}\n"
