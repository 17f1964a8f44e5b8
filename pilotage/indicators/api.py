"""Indicators over the API: the catalogue, values scoped exactly like the pages (same
selectors), and the DHIS2 ``dataValueSets`` export."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.http import Http404, HttpRequest, StreamingHttpResponse
from ninja import Router, Schema, Status
from pydantic import BaseModel, ConfigDict

from pilotage.core.apischema import errors
from pilotage.indicators import dhis2
from pilotage.indicators.catalogue import BUILTIN, DIMENSIONS, builtin
from pilotage.indicators.engine import IndicatorError
from pilotage.indicators.permissions import can_view_indicators
from pilotage.indicators.selectors import ValuesQuery, unit_for, values_for
from pilotage.indicators.selectors.custom import custom_entries, custom_values_for, is_custom
from pilotage.indicators.selectors.exports import children_of_all, school_years, top_units

router = Router(tags=["indicators"])


class IndicatorOut(Schema):
    code: str
    name: str
    unit: str
    formula: str
    source: str
    dimensions: list[str]
    higher_is_better: bool
    per_cycle: bool
    kind: str


class ValueOut(BaseModel):
    """One value. Besides the fields below, one string key per disaggregation of the
    result (``sex``, ``milieu``, ``sector``, ``cycle``, ``grade``): those asked in ``by``,
    and ``cycle`` for the per-cycle indicators."""

    # A plain pydantic model: ninja's Schema reads objects by attribute, which drops the
    # extra keys.
    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, str]

    org_unit: str
    period: str
    value: float | None
    numerator: int | float | None
    denominator: int | float | None
    target: float | None
    status: str | None


class ValuesOut(Schema):
    results: list[ValueOut]


class DataValueOut(Schema):
    dataElement: str  # noqa: N815 - DHIS2's field names
    period: str
    orgUnit: str  # noqa: N815
    categoryOptionCombo: str  # noqa: N815
    value: str


class DataValueSetOut(Schema):
    dataValues: list[DataValueOut]  # noqa: N815


# -- the catalogue ----------------------------------------------------------------------


def builtin_entries(actor: Any) -> Iterable[dict[str, Any]]:
    for indicator in BUILTIN:
        yield {
            "code": indicator.code,
            "name": str(indicator.name),
            "unit": indicator.unit.value,
            "formula": indicator.formula,
            "source": indicator.source,
            "dimensions": [d for d in DIMENSIONS if d in indicator.dimensions],
            "higher_is_better": indicator.higher_is_better,
            "per_cycle": indicator.per_cycle,
            "kind": "builtin",
        }


# Where the catalogue comes from: each function gives the entries an actor may see.
# Custom indicators add theirs here (``CATALOGUE.append(custom_entries)``) with
# ``kind="custom"``, and their computation to :data:`VALUES` below.
CATALOGUE: list[Callable[[Any], Iterable[dict[str, Any]]]] = [builtin_entries]


def catalogue_entries(actor: Any) -> list[dict[str, Any]]:
    return [entry for source in CATALOGUE for entry in source(actor)]


def _builtin_values(actor: Any, query: ValuesQuery) -> list[dict[str, Any]]:
    return [v.as_dict() for v in values_for(actor, query)]


# Who computes an indicator's values: (knows this code?, its values). Custom indicators
# append theirs; a code nobody knows is a 404.
VALUES: list[tuple[Callable[[str], bool], Callable[[Any, ValuesQuery], list[dict[str, Any]]]]] = [
    (lambda code: builtin(code) is not None, _builtin_values)
]


@router.get("/", response={200: list[IndicatorOut], **errors(404)})
def list_indicators(request: HttpRequest):
    """The indicators the caller may compute, names in the request's language."""
    if not can_view_indicators(request.user):
        raise Http404
    return catalogue_entries(request.user)


# -- DHIS2 ------------------------------------------------------------------------------


@router.get(
    "/dhis2/dataValueSets",
    response={200: DataValueSetOut, **errors(400, 404)},
)
def dhis2_data_value_sets(
    request: HttpRequest, org_unit: str | None = None, period: str | None = None
):
    """Every value of ``org_unit`` (default: the top of the caller's scope) and the units
    below it for the school year ``period`` (default: the latest), as DHIS2 imports it
    with ``idScheme=CODE``. Periods are DHIS2's (``2024-2025`` → ``2024Sep``);
    ``categoryOptionCombo`` is ``default`` for totals, ``F``/``M`` by sex, prefixed with
    the cycle for per-cycle indicators (``F_primaire``). Streamed."""
    try:
        export = dhis2.export_for(request.user, org_unit, period)
    except IndicatorError as exc:
        return Status(400, {"detail": str(exc)})
    return StreamingHttpResponse(
        dhis2.json_chunks(dhis2.data_values(export)), content_type="application/json"
    )


# -- values -----------------------------------------------------------------------------


@router.get("/{code}/values", response={200: ValuesOut, **errors(400, 404)})
def indicator_values(
    request: HttpRequest,
    code: str,
    org_unit: str | None = None,
    period: str | None = None,
    by: str = "",
    parity: str | None = None,
    children: bool = False,
):
    """Values of indicator ``code`` for ``org_unit`` (default: the top of the caller's
    scope) — or for each of its children with ``children=true`` — per school year
    (``period``, default every year), split by ``by`` (comma-separated: sex, milieu,
    sector, cycle, grade). ``parity=gpi|gpia`` gives the sex parity index instead, with
    the female value as numerator and the male value as denominator. Rates are
    percentages. Each result has one key per disaggregation (``"sex": "F"``)."""
    compute = next((values for knows, values in VALUES if knows(code)), None)
    if compute is None or not can_view_indicators(request.user):
        raise Http404
    try:
        units = [unit_for(request.user, org_unit)] if org_unit else top_units(request.user)
        if children:
            units = children_of_all(units)
        query = ValuesQuery(
            code,
            units,
            school_years(period),
            tuple(b for b in by.split(",") if b.strip()),
            parity or None,
        )
        return {"results": compute(request.user, query)}
    except IndicatorError as exc:
        return Status(400, {"detail": str(exc)})


# -- custom indicators, through the extension points above ---------------------------------

CATALOGUE.append(custom_entries)
VALUES.append(
    (is_custom, lambda actor, query: [v.as_dict() for v in custom_values_for(actor, query)])
)
