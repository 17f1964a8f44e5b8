"""The supervision team's statistics: the dashboard, its XLSX export and the monthly PDF
report in French or Arabic (``perms.reads_statistics``)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from pilotage.contact import permissions as perms
from pilotage.contact.exports import XLSX_TYPE, stats_xlsx
from pilotage.contact.forms.stats import MonthForm, StatsFilterForm
from pilotage.contact.reports import ReportError, monthly_report_pdf
from pilotage.contact.roles import READ_STATISTICS
from pilotage.contact.selectors.stats import StatsFilter, stats_dashboard
from pilotage.core.scope import scope_of
from pilotage.orgunits.models import OrgUnit

REGION_DEPTH = 2


def _regions(actor: Any) -> Any:
    return OrgUnit.objects.filter(
        scope_of(actor).q_for(READ_STATISTICS, "path"), depth=REGION_DEPTH
    ).order_by("path")


def _filter(request: HttpRequest) -> tuple[StatsFilterForm, StatsFilter]:
    if not perms.reads_statistics(request.user):
        raise Http404
    form = StatsFilterForm(request.GET or None, regions=_regions(request.user))
    default = StatsFilter.last_year()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return form, StatsFilter(
            start=data.get("start") or default.start,
            end=data.get("end") or default.end,
            queue=data.get("queue"),
            region=data.get("region"),
        )
    return form, default


def _chart(data: dict[str, Any]) -> dict[str, Any]:
    """What the charts draw (the tables of the page show the same figures)."""

    def bars(key: str) -> dict[str, list[Any]]:
        return {
            "labels": [str(g["label"]) for g in data[key]],
            "values": [g["received"] for g in data[key]],
        }

    return {
        "monthly": {
            "labels": [g["period"].strftime("%Y-%m") for g in data["monthly"]],
            "received": [g["received"] for g in data["monthly"]],
            "resolved": [g["resolved"] for g in data["monthly"]],
            "sla": [g["sla_resolution"] for g in data["monthly"]],
        },
        "weekly": {
            "labels": [g["period"].isoformat() for g in data["weekly"]],
            "received": [g["received"] for g in data["weekly"]],
            "resolved": [g["resolved"] for g in data["weekly"]],
        },
        "channel": bars("by_channel"),
        "type": bars("by_type"),
        "category": bars("by_category"),
        "region": bars("by_region"),
        "field": bars("by_field"),
        "names": {
            "received": _("Reçus"),
            "resolved": _("Résolus"),
            "sla": _("Résolus dans les délais (%)"),
        },
    }


def dashboard(request: HttpRequest) -> HttpResponse:
    form, f = _filter(request)
    data = stats_dashboard(request.user, f)
    today = timezone.localdate()
    return render(
        request,
        "contact/stats/dashboard.html",
        {
            "form": form,
            "data": data,
            "chart": _chart(data),
            "query": request.GET.urlencode(),
            "report_year": today.year,
            "report_month": today.month,
        },
    )


def export(request: HttpRequest) -> HttpResponse:
    _form, f = _filter(request)
    body = stats_xlsx(stats_dashboard(request.user, f))
    response = HttpResponse(body, content_type=XLSX_TYPE)
    name = f"statistiques-contact-{f.start:%Y%m%d}-{f.end:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def report(request: HttpRequest) -> HttpResponse:
    if not perms.reads_statistics(request.user):
        raise Http404
    form = MonthForm(request.GET)
    if not form.is_valid():
        return render(request, "contact/stats/report_error.html", {"form": form}, status=400)
    data = form.cleaned_data
    try:
        pdf = monthly_report_pdf(request.user, data["year"], data["month"], data["lang"])
    except ReportError as exc:
        return render(
            request,
            "contact/stats/report_error.html",
            {"form": form, "error": str(exc)},
            status=503,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"rapport-contact-{data['year']}-{data['month']:02d}-{data['lang']}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urlpatterns = [
    path("stats/", dashboard, name="stats"),
    path("stats/export.xlsx", export, name="stats-export"),
    path("stats/report.pdf", report, name="stats-report"),
]
