"""The targets pages: the targets of a unit for a year (value, target, gap, status), the
form that sets or changes one (with the current value), and the import of a file."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from pilotage.core.imports import import_urls
from pilotage.indicators.engine import IndicatorError
from pilotage.indicators.forms.targets import TargetForm
from pilotage.indicators.models import Status, Target
from pilotage.indicators.permissions import (
    can_import_targets,
    can_manage_actions,
    can_open_targets,
    can_set_targets,
)
from pilotage.indicators.selectors.targets import current_values, home_unit, target_for, target_rows
from pilotage.indicators.selectors.values import academic_years, unit_for
from pilotage.indicators.services.targets import TargetData, target_set
from pilotage.indicators.targets import dims_key, gap_of, indicator_of, parse_dims, status_of
from pilotage.indicators.targets_import import TARGETS
from pilotage.orgunits.models import AcademicYear, OrgUnit
from pilotage.orgunits.selectors import academic_year_current


def _year(code: str | None) -> AcademicYear | None:
    if code:
        try:
            return academic_years([code])[0]
        except IndicatorError as exc:
            raise Http404 from exc
    return academic_year_current() or AcademicYear.objects.order_by("-start").first()


def _unit(request: HttpRequest, code: str | None) -> OrgUnit:
    if code:
        return unit_for(request.user, code)
    unit = home_unit(request.user)
    if unit is None:
        raise Http404
    return unit


def targets_list(request: HttpRequest) -> HttpResponse:
    """Bounded by the catalogue: a unit has at most one target per indicator ×
    disaggregation and year, so the list is not paginated."""
    if not can_open_targets(request.user):
        raise Http404
    unit = _unit(request, request.GET.get("unit"))
    year = _year(request.GET.get("year"))
    rows = target_rows(request.user, unit, year) if year else []
    for row in rows:
        indicator = indicator_of(row.target.indicator)
        row.target.indicator_name = indicator.name if indicator else row.target.indicator  # type: ignore[attr-defined]
    return render(
        request,
        "indicators/targets/list.html",
        {
            "unit": unit,
            "year": year,
            "years": AcademicYear.objects.order_by("-start"),
            "rows": rows,
            "may_set": can_set_targets(request.user, unit),
            "may_act": can_manage_actions(request.user, unit),
            "may_import": can_import_targets(request.user),
        },
    )


def _initial(target: Target | None, request: HttpRequest) -> dict[str, Any]:
    if target is None:
        return {
            "indicator": request.GET.get("indicator", ""),
            "disaggregation": request.GET.get("disaggregation", ""),
            "version": 0,
        }
    return {
        "indicator": target.indicator,
        "disaggregation": target.dims_key,
        "baseline": target.baseline,
        "baseline_year": target.baseline_year,
        "target": target.target,
        "tolerance": target.tolerance,
        "direction": target.direction,
        "version": target.version,
    }


def _target_page(
    request: HttpRequest, unit: OrgUnit, year: AcademicYear, target: Target | None
) -> HttpResponse:
    if not can_set_targets(request.user, unit):
        raise Http404
    form = TargetForm(
        request.POST or None, initial=_initial(target, request), locked=target is not None
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = target_set(
                actor=request.user,
                data=TargetData(
                    indicator=data["indicator"],
                    org_unit=unit,
                    academic_year=year,
                    disaggregation=data["disaggregation"],
                    target=data["target"],
                    tolerance=data["tolerance"] or Decimal(0),
                    direction=data["direction"],
                    baseline=data["baseline"],
                    baseline_year=data["baseline_year"],
                ),
                version=data["version"],
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Cible enregistrée."))
            query = urlencode({"unit": unit.code, "year": year.code})
            return redirect(f"{reverse('indicators:targets')}?{query}#target-{saved.pk}")
    code = target.indicator if target else (form["indicator"].value() or "")
    indicator = indicator_of(str(code)) if code else None
    value = None
    if indicator is not None:
        dims_text = target.dims_key if target else str(form["disaggregation"].value() or "")
        try:
            dims = parse_dims(dims_text)
            value = current_values(indicator.code, unit, year, [dims]).get(dims_key(dims))
        except ValueError:
            value = None
    status = gap = None
    if target is not None:
        status = status_of(value, target.target, target.tolerance, target.direction)
        gap = gap_of(value, target.target)
    return render(
        request,
        "indicators/targets/form.html",
        {
            "form": form,
            "unit": unit,
            "year": year,
            "target": target,
            "indicator": indicator,
            "value": value,
            "gap": gap,
            "status": status,
            "status_label": Status(status).label if status else "",
        },
    )


def target_new(request: HttpRequest) -> HttpResponse:
    unit = _unit(request, request.GET.get("unit"))
    year = _year(request.GET.get("year"))
    if year is None:
        raise Http404
    return _target_page(request, unit, year, None)


def target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = target_for(request.user, pk, to_set=True)
    return _target_page(request, target.org_unit, target.academic_year, target)


urlpatterns = [
    path("targets/", targets_list, name="targets"),
    path("targets/new/", target_new, name="target-new"),
    path("targets/<int:pk>/", target_edit, name="target-edit"),
    *import_urls("targets/import/", TARGETS.name, "targets-import"),
]
