"""The pivot table page and its CSV / XLSX exports. The query string carries the whole
table (so a table is a link one can send), htmx swaps the table alone when a choice
changes, and the exports read the same query string."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from pilotage.core.roles import roles_with
from pilotage.core.scope import ROOT_PATH, scope_of
from pilotage.indicators.catalogue import BUILTIN, DIMENSIONS
from pilotage.indicators.permissions import can_view_indicators
from pilotage.indicators.pivot import (
    AXES,
    XLSX_CONTENT_TYPE,
    Pivot,
    PivotError,
    PivotQuery,
    axis_label,
    dimension_members,
    pivot_build,
    pivot_csv,
    pivot_filename,
    pivot_xlsx,
    sub_units,
)
from pilotage.indicators.roles import VIEW_INDICATORS
from pilotage.indicators.selectors import academic_years, unit_for
from pilotage.orgunits.models import OrgUnit, OrgUnitLevel

SPLIT = "*"  # a disaggregation's value meaning "one row or column per member"


def default_unit(actor: Any) -> OrgUnit | None:
    """The highest unit whose indicators the actor sees: where the table starts."""
    paths = scope_of(actor).paths(roles_with(VIEW_INDICATORS))
    if not paths:
        return None
    units = OrgUnit.objects.select_related("level").order_by("path")
    if ROOT_PATH in paths:
        return units.filter(depth=1).first()
    return units.filter(path=paths[0]).first()


@dataclass
class Choices:
    """What the form shows as chosen (also when the table could not be built)."""

    indicators: list[str]
    unit_code: str
    units: str
    level: str
    years: list[str]
    dims: dict[str, str]
    rows: str
    cols: str
    detail: bool


def _choices(params: QueryDict, unit: OrgUnit | None) -> Choices:
    return Choices(
        indicators=params.getlist("ind") or ["enrolment"],
        unit_code=params.get("unit") or (unit.code if unit else ""),
        units=params.get("units") or "children",
        level=params.get("level", ""),
        years=params.getlist("year"),
        dims={d: params.get(d, "") for d in DIMENSIONS},
        rows=params.get("rows") or "unit",
        cols=params.get("cols") or "period",
        detail=params.get("detail") == "1",
    )


def _units(unit: OrgUnit, choices: Choices) -> tuple[OrgUnit, ...]:
    if choices.units == "self":
        return (unit,)
    if choices.units == "children":
        return (unit, *sub_units(unit))
    if choices.units == "level":
        level = OrgUnitLevel.objects.filter(code=choices.level).first()
        if level is None or level.depth <= unit.depth:
            raise PivotError(_("Choisissez un niveau situé sous l'unité choisie."))
        return (unit, *sub_units(unit, level.depth))
    raise PivotError(_("Choix d'unités inconnu."))


def _unknown(axis: str, value: str) -> str:
    return _("%(axis)s : valeur inconnue « %(value)s ».") % {"axis": axis, "value": value[:40]}


def pivot_query(
    actor: Any, params: QueryDict, members: dict[str, list[tuple[str, str]]]
) -> tuple[Choices, PivotQuery]:
    """The table the query string asks for; ``Http404`` for a unit out of the actor's
    scope, :class:`PivotError` for anything else that cannot be answered."""
    if not can_view_indicators(actor):
        raise Http404
    fallback = None if params.get("unit") else default_unit(actor)
    choices = _choices(params, fallback)
    if not choices.unit_code:
        raise Http404
    unit = fallback if fallback is not None else unit_for(actor, choices.unit_code)
    every = academic_years()
    if choices.years:
        years = [y for y in every if y.code in choices.years]
        missing = set(choices.years) - {y.code for y in years}
        if missing:
            raise PivotError(_unknown(axis_label("period"), sorted(missing)[0]))
    else:
        years = every[:1]
        choices.years = [y.code for y in years]
    split, filters = [], []
    for dim, value in choices.dims.items():
        if value == SPLIT:
            split.append(dim)
        elif value:
            if value not in dict(members[dim]):
                raise PivotError(_unknown(axis_label(dim), value))
            filters.append((dim, value))
    known = {i.code for i in BUILTIN}
    unknown = [c for c in choices.indicators if c not in known]
    if unknown:
        raise PivotError(_unknown(axis_label("indicator"), unknown[0]))
    query = PivotQuery(
        indicators=tuple(dict.fromkeys(choices.indicators)),
        units=_units(unit, choices),
        years=tuple(years),
        split=tuple(split),
        filters=tuple(filters),
        rows=choices.rows,
        cols=choices.cols,
    )
    return choices, query


def _build(
    request: HttpRequest, members: dict[str, list[tuple[str, str]]]
) -> tuple[Choices, Pivot | None, str]:
    choices: Choices | None = None
    try:
        choices, query = pivot_query(request.user, request.GET, members)
        return choices, pivot_build(request.user, query, members), ""
    except PivotError as exc:
        if choices is None:
            choices = _choices(request.GET, None)
        return choices, None, str(exc)


def _drill_base(params: QueryDict) -> str:
    """The query string without the unit, for the links that open a sub-unit."""
    copy = params.copy()
    for key in ("unit", "units", "level"):
        copy.pop(key, None)
    return copy.urlencode()


@require_GET
def pivot_page(request: HttpRequest) -> HttpResponse:
    members = dimension_members()
    choices, pivot, error = _build(request, members)
    context: dict[str, Any] = {
        "choices": choices,
        "pivot": pivot,
        "error": error,
        "drill_base": _drill_base(request.GET),
        "query_string": request.GET.urlencode(),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "indicators/_pivot_table.html", context)
    tops = []
    top = default_unit(request.user)
    if top is not None:
        tops = [top, *sub_units(top, limit=200)]
    context.update(
        {
            "indicators": BUILTIN,
            "years": academic_years(),
            "levels": OrgUnitLevel.objects.order_by("depth"),
            "dimensions": [
                (d, axis_label(d), choices.dims.get(d, ""), options)
                for d, options in members.items()
            ],
            "axes": [(a, axis_label(a)) for a in AXES],
            "tops": tops,
            "split": SPLIT,
        }
    )
    return render(request, "indicators/pivot.html", context)


def _export(request: HttpRequest, extension: str) -> HttpResponse:
    _choices_made, pivot, error = _build(request, dimension_members())
    if pivot is None:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    if extension == "csv":
        response = HttpResponse(pivot_csv(pivot), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(pivot_xlsx(pivot), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{pivot_filename(pivot, extension)}"'
    return response


@require_GET
def pivot_export_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, "csv")


@require_GET
def pivot_export_xlsx(request: HttpRequest) -> HttpResponse:
    return _export(request, "xlsx")


urlpatterns = [
    path("pivot/", pivot_page, name="pivot"),
    path("pivot/export.csv", pivot_export_csv, name="pivot-csv"),
    path("pivot/export.xlsx", pivot_export_xlsx, name="pivot-xlsx"),
]
