"""Reads of the API and the DHIS2 export: the school years asked, the top of an actor's scope,
the units of a subtree level by level, and the aggregate data values of a subtree and a
school year."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import Http404

from pilotage.core.roles import roles_with
from pilotage.core.scope import ROOT_PATH, scope_of
from pilotage.indicators.engine import IndicatorError
from pilotage.indicators.models import DataValue
from pilotage.indicators.quality.approval import approved_values_q
from pilotage.indicators.roles import VIEW_INDICATORS
from pilotage.indicators.selectors.values import academic_years
from pilotage.orgunits.models import AcademicYear, OrgUnit

SCHOOL_YEAR = re.compile(r"\d{4}-\d{4}")
# Units computed together: one GROUP BY per part for this many units of a level.
BATCH = 1000


def school_years(period: str | None) -> list[AcademicYear]:
    """The school year of ``period`` (``2025-2026``), or every year without it."""
    if period is None or period == "":
        return academic_years()
    if not SCHOOL_YEAR.fullmatch(period):
        raise IndicatorError(f"Invalid period {period[:20]!r}: use a school year like 2025-2026")
    return academic_years([period])


def top_units(actor: Any) -> list[OrgUnit]:
    """The highest units whose indicators the actor may see (one per assignment that is not
    under another); 404 for someone who sees none."""
    paths = scope_of(actor).paths(roles_with(VIEW_INDICATORS))
    if not paths:
        raise Http404
    qs = OrgUnit.objects.select_related("level").order_by("path")
    units = list(qs.filter(depth=1) if ROOT_PATH in paths else qs.filter(path__in=paths))
    if not units:
        raise Http404
    return units


def children_of_all(units: list[OrgUnit]) -> list[OrgUnit]:
    """The active children of each unit, in one query (for a drill-down)."""
    q = Q(pk__in=[])
    for unit in units:
        q |= Q(path__startswith=unit.path, depth=unit.depth + 1)
    return list(OrgUnit.objects.filter(q, is_active=True).select_related("level").order_by("path"))


def subtree_batches(top: OrgUnit, size: int = BATCH) -> Iterator[list[OrgUnit]]:
    """The active units of ``top``'s subtree, ``top`` first, as lists of at most ``size``
    units of one depth whose paths follow each other (so that their common path prefix,
    which bounds the engine's scan, stays long)."""
    qs = (
        OrgUnit.objects.filter(path__startswith=top.path, is_active=True)
        .order_by("depth", "path")
        .only("pk", "path", "depth", "code")
    )
    batch: list[OrgUnit] = []
    for unit in qs.iterator(chunk_size=size):
        if batch and (len(batch) >= size or unit.depth != batch[0].depth):
            yield batch
            batch = []
        batch.append(unit)
    if batch:
        yield batch


def aggregate_values(
    top: OrgUnit, year: AcademicYear
) -> Iterator[tuple[str, str, str, str, Decimal]]:
    """(data element code, period code, org-unit code, category option code, value) of
    every aggregate data value of ``top``'s subtree whose period lies within ``year`` (only
    the approved ones with ``PILOTAGE_HIDE_UNAPPROVED_DATA``)."""
    rows = (
        DataValue.objects.filter(
            approved_values_q(),
            path__startswith=top.path,
            period__start__gte=year.start,
            period__end__lte=year.end,
        )
        .order_by("pk")
        .values_list(
            "data_element__code",
            "period__code",
            "org_unit__code",
            "category_option__code",
            "value",
        )
    )
    yield from rows.iterator(chunk_size=2000)
