"""Data-quality pages: validation rules and their violations, outliers, completeness and
timeliness, approval. HTTP only: the reads and writes are in ``indicators/quality/``."""

from __future__ import annotations

import math
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pilotage.core.jobs import job_start
from pilotage.core.roles import roles_with
from pilotage.core.scope import scope_of
from pilotage.indicators.catalogue import BUILTIN
from pilotage.indicators.engine import IndicatorError
from pilotage.indicators.models import DataSet, DataValue
from pilotage.indicators.permissions import can_run_validation, can_view_indicators
from pilotage.indicators.quality import approval, completeness, outliers, rules
from pilotage.indicators.roles import VIEW_INDICATORS
from pilotage.indicators.selectors import academic_years, unit_for
from pilotage.orgunits.models import AcademicYear, OrgUnit, OrgUnitLevel, Period

PAGE_SIZE = 100
PERIOD_CHOICES = 36


def _allowed(request: HttpRequest) -> None:
    if not can_view_indicators(request.user):
        raise Http404


def _unit(request: HttpRequest, params: Any) -> OrgUnit:
    """The unit asked for (404 outside the actor's scope), or the top of their scope."""
    code = (params.get("unit") or "").strip()
    if code:
        return unit_for(request.user, code)
    paths = scope_of(request.user).paths(roles_with(VIEW_INDICATORS))
    qs = OrgUnit.objects.select_related("level").order_by("path")
    unit = qs.filter(path=paths[0]).first() if paths and paths[0] else qs.filter(depth=1).first()
    if unit is None:
        raise Http404
    return unit


def _periods(period_type: str | None = None) -> list[Period]:
    qs = Period.objects.filter(start__lte=timezone.localdate()).order_by("-start", "type")
    if period_type:
        qs = qs.filter(type=period_type)
    return list(qs[:PERIOD_CHOICES])


def _period(
    params: Any, choices: list[Period], unit: OrgUnit | None = None, name: str = "period"
) -> Period | None:
    """The period asked for; without one, the latest period holding values under
    ``unit`` (of the choices' type), else the latest period that has started."""
    code = (params.get(name) or "").strip()
    if not code:
        if unit is not None and choices:
            latest = (
                DataValue.objects.filter(
                    path__startswith=unit.path, period__type__in={p.type for p in choices}
                )
                .order_by("-period__start")
                .values_list("period_id", flat=True)
                .first()
            )
            found = next((p for p in choices if p.pk == latest), None)
            if found is not None:
                return found
        return choices[0] if choices else None
    found = next((p for p in choices if p.code == code), None)
    return found or Period.objects.filter(code=code).first()


def _data_set(params: Any) -> tuple[list[DataSet], DataSet | None]:
    sets = list(DataSet.objects.select_related("level").order_by("code"))
    code = (params.get("data_set") or "").strip()
    chosen = next((d for d in sets if d.code == code), None) if code else None
    if code and chosen is None:
        raise Http404
    return sets, chosen or (sets[0] if sets else None)


def _entry_link(unit: OrgUnit, period: Period) -> str | None:
    """The data-entry form of the unit and period, if that page exists."""
    try:
        base = reverse("indicators:data_entry")
    except NoReverseMatch:
        return None
    return f"{base}?{urlencode({'unit': unit.code, 'period': period.code})}"


def _number(value: str | None, default: float | None) -> float | None:
    found = outliers.as_float(value)
    if found is None or not math.isfinite(found):
        return default
    return found


# --- Pages ------------------------------------------------------------------------------


def quality_home(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    return render(request, "indicators/quality/home.html", {"unit": _unit(request, request.GET)})


def validation(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    unit = _unit(request, request.GET)
    periods = _periods()
    period = _period(request.GET, periods, unit)
    page = None
    if period is not None:
        page = Paginator(
            rules.violations_for(request.user, org_unit=unit, period=period), PAGE_SIZE
        ).get_page(request.GET.get("page"))
        entry = {}
        for violation in page:
            key = violation.org_unit_id
            if key not in entry:
                entry[key] = _entry_link(violation.org_unit, period)
            violation.entry_url = entry[key]
    return render(
        request,
        "indicators/quality/validation.html",
        {
            "unit": unit,
            "periods": periods,
            "period": period,
            "page_obj": page,
            "may_run": can_run_validation(request.user, unit),
            "querystring_base": urlencode(
                {"unit": unit.code, "period": period.code if period else ""}
            )
            + "&",
        },
    )


@require_POST
def validation_start(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    unit = _unit(request, request.POST)
    period = Period.objects.filter(code=request.POST.get("period", "")).first()
    if period is None:
        raise Http404
    if not can_run_validation(request.user, unit):
        raise Http404
    query = urlencode({"unit": unit.code, "period": period.code})
    back = f"{reverse('indicators:quality-validation')}?{query}"
    if OrgUnit.objects.filter(path__startswith=unit.path).count() > rules.LARGE_SCOPE:
        with transaction.atomic():
            job = job_start(
                actor=request.user,
                kind="indicators.validate",
                params={"unit": unit.code, "period": period.code, "actor_id": request.user.pk},
            )
        return redirect("core:job", pk=job.pk)
    try:
        found = rules.validation_run(actor=request.user, org_unit=unit, period=period)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(
        request,
        _("Règles contrôlées : %(count)s violation(s) trouvée(s).") % {"count": len(found)},
    )
    return redirect(back)


def outlier_list(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    params = request.GET
    unit = _unit(request, params)
    source = "indicator" if params.get("source") == "indicator" else "element"
    method = params.get("method") or outliers.Method.MODIFIED_Z
    if method not in outliers.Method.values:
        method = outliers.Method.MODIFIED_Z
    default = outliers.DEFAULT_THRESHOLD.get(outliers.Method(method))
    threshold = _number(params.get("threshold"), default)
    low, high = _number(params.get("min"), None), _number(params.get("max"), None)
    levels = list(OrgUnitLevel.objects.filter(depth__gt=unit.depth).order_by("depth"))
    level = next((lv for lv in levels if lv.code == params.get("level")), None) or (
        levels[-1] if levels else None
    )
    years = academic_years()
    year: AcademicYear | None = next(
        (y for y in years if y.code == params.get("year")), years[0] if years else None
    )
    periods = _periods()
    period = _period(params, periods, unit)
    code = params.get("indicator") or "pupils_per_class"
    found: list[outliers.Outlier] = []
    error = None
    if source == "element" and period is not None:
        found = outliers.element_outliers(
            request.user,
            unit=unit,
            period=period,
            method=method,
            threshold=threshold,
            low=low,
            high=high,
        )
    elif source == "indicator" and year is not None and level is not None:
        try:
            found = outliers.indicator_outliers(
                request.user,
                unit=unit,
                code=code,
                year=year,
                level=level,
                method=method,
                threshold=threshold,
                low=low,
                high=high,
            )
        except IndicatorError as exc:
            error = str(exc)
    return render(
        request,
        "indicators/quality/outliers.html",
        {
            "unit": unit,
            "source": source,
            "method": method,
            "methods": outliers.Method.choices,
            "threshold": threshold,
            "low": low,
            "high": high,
            "levels": levels,
            "level": level,
            "years": years,
            "year": year,
            "periods": periods,
            "period": period,
            "indicators": [i for i in BUILTIN if not i.excluded],
            "indicator": code,
            "outliers": found[: PAGE_SIZE * 5],
            "error": error,
        },
    )


def completeness_view(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    params = request.GET
    unit = _unit(request, params)
    sets, data_set = _data_set(params)
    periods = _periods(data_set.period_type if data_set else None)
    chosen = [p for p in periods if p.code in params.getlist("period")]
    if not chosen:
        latest = _period({}, periods, unit)
        chosen = [latest] if latest is not None else []
    result = None
    if data_set is not None and chosen:
        result = completeness.completeness_for(
            request.user, data_set=data_set, unit=unit, periods=chosen
        )
    years = academic_years()
    year = next((y for y in years if y.code == params.get("year")), None) or next(
        (y for y in years if y.is_current), years[0] if years else None
    )
    gaps = completeness.school_gaps(unit, year) if year is not None else None
    return render(
        request,
        "indicators/quality/completeness.html",
        {
            "unit": unit,
            "data_sets": sets,
            "data_set": data_set,
            "periods": periods,
            "chosen": chosen,
            "result": result,
            "years": years,
            "year": year,
            "gaps": gaps,
        },
    )


def _approval_context(
    request: HttpRequest, params: Any, unit: OrgUnit | None = None
) -> dict[str, Any]:
    unit = unit or _unit(request, params)
    sets, data_set = _data_set(params)
    periods = _periods(data_set.period_type if data_set else None)
    period = _period(params, periods, unit)
    context: dict[str, Any] = {
        "unit": unit,
        "data_sets": sets,
        "data_set": data_set,
        "periods": periods,
        "period": period,
        "rows": [],
        "ancestors": [],
        "error": None,
    }
    if data_set is not None and period is not None:
        try:
            context["ancestors"], context["rows"] = approval.approval_rows(
                request.user, data_set=data_set, unit=unit, period=period
            )
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
    return context


def approval_page(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    return render(
        request, "indicators/quality/approval.html", _approval_context(request, request.GET)
    )


@require_POST
def approval_decide(request: HttpRequest) -> HttpResponse:
    """Approve or un-approve one unit (the buttons of the approval page, htmx or not)."""
    _allowed(request)
    target = unit_for(request.user, request.POST.get("target", ""))
    _sets, data_set = _data_set(request.POST)
    period = Period.objects.filter(code=request.POST.get("period", "")).first()
    if data_set is None or period is None:
        raise Http404
    problem = None
    try:
        if request.POST.get("action") == "unapprove":
            approval.data_unapprove(
                actor=request.user, data_set=data_set, org_unit=target, period=period
            )
        else:
            approval.data_approve(
                actor=request.user, data_set=data_set, org_unit=target, period=period
            )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        problem = " ".join(exc.messages)
    if request.htmx:  # type: ignore[attr-defined]
        context = _approval_context(request, request.POST)
        context["problem"] = problem
        return render(request, "indicators/quality/_approval_table.html", context)
    if problem:
        messages.error(request, problem)
    query = {
        "unit": request.POST.get("unit", ""),
        "data_set": data_set.code,
        "period": period.code,
    }
    return redirect(f"{reverse('indicators:quality-approval')}?{urlencode(query)}")


urlpatterns = [
    path("quality/", quality_home, name="quality"),
    path("quality/validation/", validation, name="quality-validation"),
    path("quality/validation/run/", validation_start, name="quality-validation-run"),
    path("quality/outliers/", outlier_list, name="quality-outliers"),
    path("quality/completeness/", completeness_view, name="quality-completeness"),
    path("quality/approval/", approval_page, name="quality-approval"),
    path("quality/approval/decide/", approval_decide, name="quality-approval-decide"),
]
