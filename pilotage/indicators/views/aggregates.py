"""The aggregate data entry form: one data set × org unit × period, a grid of its data
elements × category options, saved whole (with htmx, or as a plain form without
JavaScript). A refused save writes nothing and shows the user's values again, each error
next to its cell. Plus the upload pages of the aggregate and population imports."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pilotage.core.imports import import_urls
from pilotage.core.scope import scope_of
from pilotage.indicators.imports import AGGREGATES, POPULATION
from pilotage.indicators.models import DataSet
from pilotage.indicators.permissions import can_enter_data
from pilotage.indicators.roles import ENTER_DATA
from pilotage.indicators.selectors.aggregates import (
    UNIT_CHOICES,
    catalogue_overview,
    entry_grid,
    entry_units,
    recent_periods,
)
from pilotage.indicators.services.aggregates import (
    DataConflict,
    DataValuesRejected,
    Key,
    data_values_save,
)
from pilotage.orgunits.models import OrgUnit, Period


def _typed(post: Any) -> tuple[dict[Key, str], dict[Key, int]]:
    values: dict[Key, str] = {}
    versions: dict[Key, int] = {}
    for name in post:
        kind, _sep, rest = name.partition(":")
        element, _sep, option = rest.partition(":")
        if not element or not option:
            continue
        if kind == "v":
            values[(element, option)] = post.get(name, "")[:40]
        elif kind == "ver":
            raw = post.get(name, "")
            versions[(element, option)] = int(raw) if raw.isdigit() else 0
    return values, versions


@login_required
def data_entry(request: HttpRequest) -> HttpResponse:
    if not scope_of(request.user).allows(ENTER_DATA):
        raise Http404
    data_sets = list(DataSet.objects.select_related("level").order_by("code"))
    data_set = _pick(data_sets, request.GET.get("data_set"))
    context: dict[str, Any] = {"data_sets": data_sets, "data_set": data_set}
    if data_set is None:
        return render(request, "indicators/aggregates/entry.html", context)

    units = list(entry_units(request.user, data_set)[: UNIT_CHOICES + 1])
    unit_code = request.GET.get("unit") or (units[0].code if len(units) == 1 else "")
    unit = None
    if unit_code:
        unit = OrgUnit.objects.filter(code=unit_code).select_related("level").first()
        if unit is None or not can_enter_data(request.user, unit):
            raise Http404
    periods = recent_periods(data_set)
    latest = periods[0] if periods else None
    period_code = request.GET.get("period")
    period = latest
    if period_code and period_code != getattr(latest, "code", None):
        period = Period.objects.filter(code=period_code, type=data_set.period_type).first()
        if period is None:
            # Another data set's period kept by the chooser: its latest one instead. A
            # save is never redirected to another period.
            if request.method == "POST":
                raise Http404
            period = latest
    context |= {
        "units": units[:UNIT_CHOICES],
        "units_more": len(units) > UNIT_CHOICES,
        "unit": unit,
        "periods": periods,
        "period": period,
    }
    if unit is None or period is None:
        return render(request, "indicators/aggregates/entry.html", context)
    if unit.level_id != data_set.level_id:
        context["wrong_level"] = True
        return render(request, "indicators/aggregates/entry.html", context)

    grid = entry_grid(data_set, unit, period)
    context |= {"grid": grid}
    if request.method == "POST":
        context |= _save(request, data_set, unit, period, grid)
        if context.pop("reload", False):
            grid = entry_grid(data_set, unit, period)
            context["grid"] = grid
    template = (
        "indicators/aggregates/_entry_grid.html"
        if request.headers.get("HX-Request")
        else "indicators/aggregates/entry.html"
    )
    return render(request, template, context)


def _pick(data_sets: list[DataSet], code: str | None) -> DataSet | None:
    if not code:
        return data_sets[0] if len(data_sets) == 1 else None
    for data_set in data_sets:
        if data_set.code == code:
            return data_set
    raise Http404


def _save(
    request: HttpRequest, data_set: DataSet, unit: OrgUnit, period: Period, grid: Any
) -> dict[str, Any]:
    values, versions = _typed(request.POST)
    try:
        result = data_values_save(
            actor=request.user,
            data_set=data_set,
            org_unit=unit,
            period=period,
            values=values,
            versions=versions,
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except DataConflict as conflict:
        grid.fill(values, conflict.errors, current=conflict.current, versions=conflict.versions)
        return {"error": conflict.message}
    except DataValuesRejected as rejected:
        grid.fill(values, rejected.errors)
        return {"error": rejected.message}
    if result.changed:
        saved = ngettext(
            "%(count)s valeur enregistrée.", "%(count)s valeurs enregistrées.", result.changed
        ) % {"count": result.changed}
    else:
        saved = _("Aucun changement.")
    return {"saved": saved, "reload": True}


@login_required
def data_catalogue(request: HttpRequest) -> HttpResponse:
    """The data sets, elements and options with their codes (for files and formulas)."""
    if not scope_of(request.user).allows(ENTER_DATA):
        raise Http404
    return render(
        request, "indicators/aggregates/catalogue.html", {"data_sets": catalogue_overview()}
    )


urlpatterns = [
    path("data/", data_entry, name="data_entry"),
    path("data/catalogue/", data_catalogue, name="data_catalogue"),
    *import_urls("data/import/", AGGREGATES.name, "import_aggregates"),
    *import_urls("population/import/", POPULATION.name, "import_population"),
]
