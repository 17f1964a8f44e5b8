"""Indicator values as an actor may see them: only units of their scope (others are
"not found"), targets and statuses attached."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from pilotage.indicators.engine import IndicatorError, Value, compute
from pilotage.indicators.permissions import can_view_unit
from pilotage.indicators.targets import attach_targets
from pilotage.orgunits.models import AcademicYear, OrgUnit


@dataclass(frozen=True)
class ValuesQuery:
    code: str
    units: Sequence[OrgUnit]
    years: Sequence[AcademicYear]
    by: tuple[str, ...] = ()
    parity: str | None = None


def unit_for(actor: Any, code: str) -> OrgUnit:
    """The unit of that code if the actor may see its indicators; 404 otherwise (an
    unknown unit and one out of scope look the same)."""
    unit = OrgUnit.objects.filter(code=code).select_related("level").first()
    if unit is None or not can_view_unit(actor, unit):
        raise Http404
    return unit


def units_below(unit: OrgUnit, depth: int | None = None) -> QuerySet[OrgUnit]:
    """The active units of ``unit``'s subtree at ``depth`` (its children by default), by
    path prefix and depth: one query, whatever the pages order or cut them to."""
    return OrgUnit.objects.filter(
        path__startswith=unit.path,
        depth=unit.depth + 1 if depth is None else depth,
        is_active=True,
    ).select_related("level")


def academic_years(codes: Sequence[str] | None = None) -> list[AcademicYear]:
    """The years of those codes (all years, latest first, without codes); an unknown
    code is an error."""
    qs = AcademicYear.objects.order_by("-start")
    if not codes:
        return list(qs)
    years = list(qs.filter(code__in=codes))
    missing = set(codes) - {y.code for y in years}
    if missing:
        raise IndicatorError(f"Unknown academic year: {', '.join(sorted(missing))}")
    return years


def values_for(actor: Any, query: ValuesQuery) -> list[Value]:
    for unit in query.units:
        if not can_view_unit(actor, unit):
            raise Http404
    values = compute(
        query.code, units=query.units, years=query.years, by=query.by, parity=query.parity
    )
    if query.parity is None:
        attach_targets(query.code, values)
    return values
