"""Dashboards: the landing page of an actor's territory, the drill-down from the country to
a school, and the choropleth maps of regions and provinces.

HTTP only: the figures come from ``selectors/dashboards.py``. A request the engine cannot
answer (unknown indicator, year or disaggregation) gets the page with the engine's message
and status 400, never a 500; a unit out of scope is a 404 (``unit_for``). Charts and maps
are drawn by ``static/indicators/charts.js`` and ``maps.js`` from data passed with
``json_script`` (the CSP forbids inline scripts); the tables under them carry the same
figures for readers without JavaScript.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.translation import get_language, get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _

from pilotage.indicators.catalogue import BUILTIN, DIMENSIONS, Indicator, Unit
from pilotage.indicators.engine import IndicatorError, Value, parse_by, shared_reference
from pilotage.indicators.permissions import can_open_actions, can_set_targets
from pilotage.indicators.selectors import unit_for
from pilotage.indicators.selectors.actions import overdue_for
from pilotage.indicators.selectors.dashboards import (
    KEY_INDICATORS,
    MAP_LEVELS,
    Series,
    academic_years,
    dashboard_overview,
    dashboard_tops,
    indicator_breadcrumb,
    indicator_or_error,
    map_levels,
    map_units,
    map_values,
    series_for,
    split_for,
    sub_units,
    year_chosen,
)
from pilotage.orgunits.models import AcademicYear, Cycle, Milieu, OrgUnit, Sector

DIMENSION_LABELS = {
    "sex": gettext_lazy("Sexe"),
    "milieu": gettext_lazy("Milieu"),
    "sector": gettext_lazy("Secteur"),
    "cycle": gettext_lazy("Cycle"),
    "grade": gettext_lazy("Niveau"),
}
_CHOICES = {
    # The pupils' sexes as the school records name them (a domain reads another's models
    # only through its selectors, so the two labels are repeated here).
    "sex": {"F": gettext_lazy("Fille"), "M": gettext_lazy("Garçon")},
    "milieu": dict(Milieu.choices),
    "sector": dict(Sector.choices),
    "cycle": dict(Cycle.choices),
}
STATUS_LABELS = {
    "on_track": gettext_lazy("En bonne voie"),
    "at_risk": gettext_lazy("À risque"),
    "off_track": gettext_lazy("Hors trajectoire"),
}
DECIMALS = {Unit.COUNT: 0, Unit.PERCENT: 1, Unit.RATIO: 1, Unit.MARK: 2}
MAP_LABELS = {"region": gettext_lazy("Régions"), "province": gettext_lazy("Provinces")}


def dim_label(dim: str, value: str) -> str:
    return str(_CHOICES.get(dim, {}).get(value, value))


def _cycle_label(cycle: str | None) -> str:
    return "" if cycle is None else dim_label("cycle", cycle)


def _unit_label(indicator: Indicator) -> str:
    return {
        Unit.PERCENT: "%",
        Unit.COUNT: _("effectif"),
        Unit.RATIO: _("ratio"),
        Unit.MARK: "/20",
    }[indicator.unit]


def _num(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _js_common(indicator: Indicator) -> dict[str, Any]:
    """What every chart needs to format its figures in the reader's language."""
    return {
        "rtl": bool(get_language_bidi()),
        "locale": {"ar": "ar-MA", "fr": "fr-MA", "en": "en-GB"}.get(
            (get_language() or "fr")[:2], "fr-MA"
        ),
        "unit": indicator.unit.value,
        "unitLabel": _unit_label(indicator),
        "decimals": DECIMALS[indicator.unit],
        "noData": _("pas de données"),
    }


def _query(**params: Any) -> str:
    kept = {k: v for k, v in params.items() if v}
    return "?" + urlencode(kept) if kept else ""


def _series_chart(series: Series, year: AcademicYear, links: dict[str, str]) -> dict[str, Any]:
    """Line of the unit over the years and bars of its children for ``year``, one series per
    cycle for the per-cycle indicators; bars sorted by the first series' value."""
    cycles = series.cycles
    name = str(series.indicator.name)
    trend = {
        **_js_common(series.indicator),
        "kind": "line",
        "categories": [y.code for y in series.years],
        "series": [
            {
                "name": _cycle_label(c) or name,
                "data": [_num(v.value) if v else None for v in series.trend(c)],
            }
            for c in cycles
        ],
    }
    rows = [
        (child, [series.get(child.code, year.code, c) for c in cycles]) for child in series.children
    ]
    rows.sort(key=lambda r: (r[1][0] is None or r[1][0].value is None, -(_val(r[1][0]))))
    bars = {
        **_js_common(series.indicator),
        "kind": "bar",
        "categories": [child.name for child, _v in rows],
        "links": [links.get(child.code, "") for child, _v in rows],
        "series": [
            {
                "name": _cycle_label(c) or name,
                "data": [_num(_value_of(vals[i])) for _c, vals in rows],
            }
            for i, c in enumerate(cycles)
        ],
    }
    return {"trend": trend, "bars": bars}


def _value_of(v: Value | None) -> float | None:
    return None if v is None else v.value


def _val(v: Value | None) -> float:
    return v.value if v is not None and v.value is not None else 0.0


def _years_or_error(
    request: HttpRequest, context: dict[str, Any]
) -> tuple[list[AcademicYear], AcademicYear | None]:
    """Every year (kept in the context, so the page offers them even after an error) and
    the one asked for; an unknown year is an ``IndicatorError``."""
    years = academic_years()
    context["years"] = years
    return years, year_chosen(years, request.GET.get("year") or None)


def _by_param(request: HttpRequest) -> str:
    return ",".join(p for p in request.GET.getlist("by") if p.strip())


# -- the landing dashboard -------------------------------------------------------------


@shared_reference()
def dashboard(request: HttpRequest) -> HttpResponse:
    tops = dashboard_tops(request.user)
    if not tops:
        raise Http404
    code = request.GET.get("unit")
    unit = unit_for(request.user, code) if code else tops[0]
    context: dict[str, Any] = {
        "unit": unit,
        "tops": tops,
        "breadcrumb": indicator_breadcrumb(request.user, unit),
        "indicators": [i for i in BUILTIN if i.code in KEY_INDICATORS],
    }
    try:
        years, year = _years_or_error(request, context)
        focus_code = request.GET.get("indicator") or None
        if focus_code is not None:
            indicator_or_error(focus_code)
        if year is None:
            context["empty"] = _("Aucune année scolaire n'est encore définie.")
            return render(request, "indicators/dashboard.html", context)
        overview = dashboard_overview(request.user, unit, year, years)
        focus_code = focus_code or (overview.lines[0].indicator.code if overview.lines else None)
        focus = overview.series.get(focus_code) if focus_code else None
        if focus_code and focus is None:
            focus = series_for(request.user, focus_code, unit, overview.children, years)
        split = None
        if focus is not None and "sex" in focus.indicator.dimensions:
            split = split_for(request.user, focus.indicator.code, unit, year, ("sex",))
    except IndicatorError as exc:
        context["error"] = str(exc)
        return render(request, "indicators/dashboard.html", context, status=400)
    links = {
        c.code: reverse("indicators:unit", args=[c.code])
        + _query(year=year.code, indicator=focus_code)
        for c in overview.children
    }
    context.update(
        year=year,
        years=years,
        overview=overview,
        lines=[_line_row(line, unit, year) for line in overview.lines],
        gaps=[_gap_row(g, year) for g in overview.gaps[:20]],
        focus=focus,
        focus_code=focus_code,
        split=_split_rows(split) if split else None,
        has_targets=any(line.value.target is not None for line in overview.lines)
        or bool(overview.gaps),
        map_levels=[(lv, MAP_LABELS[lv]) for lv in map_levels(unit)],
    )
    if focus is not None:
        context["charts"] = _series_chart(focus, year, links)
        context["child_rows"] = _child_rows(focus, year, links)
    if can_open_actions(request.user):
        # The actions the reader owns or supervises in the unit's subtree, most overdue first.
        total, overdue = overdue_for(request.user, unit=unit)
        context.update(overdue_actions=overdue, overdue_total=total)
    return render(request, "indicators/dashboard.html", context)


def _line_row(line: Any, unit: OrgUnit, year: AcademicYear) -> dict[str, Any]:
    previous = line.previous
    return {
        "indicator": line.indicator,
        "cycle": _cycle_label(line.cycle),
        "value": line.value,
        "previous": previous,
        "status_label": STATUS_LABELS.get(line.value.status or "", line.value.status or ""),
        "detail": reverse("indicators:unit", args=[unit.code])
        + _query(year=year.code, indicator=line.indicator.code),
    }


def _gap_row(gap: Any, year: AcademicYear) -> dict[str, Any]:
    return {
        "unit": gap.unit,
        "indicator": gap.indicator,
        "cycle": _cycle_label(gap.value.dims.get("cycle")),
        "value": gap.value,
        "gap": gap.gap,
        "status_label": STATUS_LABELS.get(gap.value.status or "", gap.value.status or ""),
        "detail": reverse("indicators:unit", args=[gap.unit.code])
        + _query(year=year.code, indicator=gap.indicator.code),
    }


def _child_rows(series: Series, year: AcademicYear, links: dict[str, str]) -> dict[str, Any]:
    cycles = series.cycles
    return {
        "cycles": [_cycle_label(c) for c in cycles],
        "rows": [
            {"unit": child, "link": links[child.code], "values": values}
            for child, values in (
                (c, [series.get(c.code, year.code, cy) for cy in cycles]) for c in series.children
            )
        ],
    }


def _split_rows(split: Any) -> dict[str, Any]:
    return {
        "dims": [DIMENSION_LABELS[d] for d in split.dims],
        "rows": [
            {"cells": [dim_label(d, v.dims.get(d, "")) for d in split.dims], "value": v}
            for v in split.values
        ],
        "parity": [
            {
                "cells": ", ".join(dim_label(k, d) for k, d in rest.items()),
                "female": f,
                "male": m,
                "gpi": i,
                "gpia": a,
            }
            for rest, f, m, i, a in split.parity
        ],
    }


# -- the drill-down ------------------------------------------------------------------------


@shared_reference()
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = unit_for(request.user, code)
    indicator_code = request.GET.get("indicator") or "enrolment"
    by_raw = _by_param(request)
    context: dict[str, Any] = {
        "unit": unit,
        "breadcrumb": indicator_breadcrumb(request.user, unit),
        "indicators": BUILTIN,
        "indicator_code": indicator_code,
        "by_raw": by_raw,
    }
    try:
        years, year = _years_or_error(request, context)
        indicator = indicator_or_error(indicator_code)
        by = parse_by(indicator, by_raw)
        context.update(
            indicator=indicator,
            by=by,
            dimensions=[(d, DIMENSION_LABELS[d]) for d in DIMENSIONS if d in indicator.dimensions],
        )
        if year is None:
            context["empty"] = _("Aucune année scolaire n'est encore définie.")
            return render(request, "indicators/dashboard_unit.html", context)
        children = sub_units(unit)
        series = series_for(request.user, indicator.code, unit, children, years)
        split = split_for(request.user, indicator.code, unit, year, by) if by else None
    except IndicatorError as exc:
        context["error"] = str(exc)
        return render(request, "indicators/dashboard_unit.html", context, status=400)
    keep = _query(year=year.code, indicator=indicator.code, by=",".join(by))
    links = {c.code: reverse("indicators:unit", args=[c.code]) + keep for c in children}
    context.update(
        year=year,
        years=years,
        series=series,
        current=[(_cycle_label(c), series.get(unit.code, year.code, c)) for c in series.cycles],
        cycles=[_cycle_label(c) for c in series.cycles],
        trend_rows=[
            (y, [series.get(unit.code, y.code, c) for c in series.cycles]) for y in series.years
        ],
        charts=_series_chart(series, year, links),
        child_rows=_child_rows(series, year, links),
        split=_split_rows(split) if split else None,
        crumb_query=keep,
        map_levels=[(lv, MAP_LABELS[lv]) for lv in map_levels(unit)],
        map_query=_query(year=year.code, indicator=indicator.code),
        targets_query=_query(unit=unit.code, year=year.code),
        may_set_targets=can_set_targets(request.user, unit),
    )
    return render(request, "indicators/dashboard_unit.html", context)


# -- maps --------------------------------------------------------------------------------


@shared_reference()
def unit_map(request: HttpRequest, code: str) -> HttpResponse:
    unit = unit_for(request.user, code)
    levels = map_levels(unit)
    if not levels:
        raise Http404
    level = request.GET.get("level") or levels[0]
    indicator_code = request.GET.get("indicator") or "enrolment"
    context: dict[str, Any] = {
        "unit": unit,
        "breadcrumb": indicator_breadcrumb(request.user, unit),
        "indicators": BUILTIN,
        "indicator_code": indicator_code,
        "levels": [(lv, MAP_LABELS[lv]) for lv in levels],
        "level": level,
    }
    try:
        if level not in levels:
            raise IndicatorError(
                _("Pas de carte « %(level)s » pour cette unité (cartes : %(levels)s).")
                % {"level": level[:40], "levels": ", ".join(levels)}
            )
        years, year = _years_or_error(request, context)
        indicator = indicator_or_error(indicator_code)
        context["indicator"] = indicator
        if year is None:
            context["empty"] = _("Aucune année scolaire n'est encore définie.")
            return render(request, "indicators/dashboard_map.html", context)
        units = map_units(unit, level)
        values = map_values(request.user, indicator.code, units, year)
    except IndicatorError as exc:
        context["error"] = str(exc)
        return render(request, "indicators/dashboard_map.html", context, status=400)
    present = {v.dims["cycle"] for v in values if "cycle" in v.dims}
    cycles = [c for c in Cycle.values if c in present]
    cycle = request.GET.get("cycle") or (cycles[0] if cycles else None)
    if cycles and cycle not in cycles:
        cycle = cycles[0]
    found = {v.unit: v for v in values if v.dims.get("cycle") == cycle}
    keep = _query(year=year.code, indicator=indicator.code)
    rows: list[dict[str, Any]] = [
        {
            "unit": u,
            "value": found.get(u.code),
            "link": reverse("indicators:unit", args=[u.code]) + keep,
        }
        for u in units
    ]
    _depth, map_file = MAP_LEVELS[level]
    context.update(
        year=year,
        years=years,
        rows=rows,
        cycles=[(c, _cycle_label(c)) for c in cycles],
        cycle=cycle,
        map_data={
            **_js_common(indicator),
            "name": f"{level}-{unit.code}",
            "topology": static(f"vendor/morocco-map/{map_file}"),
            # The country's map draws every feature; a region's only its own provinces.
            "only": None if unit.depth == 1 else [u.code for u in units],
            "title": str(indicator.name),
            "units": [
                {
                    "code": r["unit"].code,
                    "name": r["unit"].name,
                    "value": _num(r["value"].value) if r["value"] else None,
                    "url": r["link"],
                }
                for r in rows
            ],
        },
    )
    return render(request, "indicators/dashboard_map.html", context)


urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("unit/<str:code>/", unit_detail, name="unit"),
    path("unit/<str:code>/map/", unit_map, name="map"),
]
