"""The performance report page: choose a unit, a year and a language, and a background job
writes the PDF; the page follows its progress and offers the file once it is done. A unit
out of the actor's scope, or someone else's job, is a 404; a refused request creates no
job."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import translation
from django.views.decorators.http import require_GET, require_http_methods

from pilotage.core.jobs import job_start
from pilotage.core.models import Job
from pilotage.core.selectors import jobs_visible
from pilotage.indicators.permissions import can_view_indicators
from pilotage.indicators.reports import LANGUAGES, REPORT_DIR, REPORT_KIND
from pilotage.indicators.selectors import academic_years, unit_for
from pilotage.indicators.views.pivot import default_unit
from pilotage.orgunits.models import AcademicYear, OrgUnit


def _language(value: str | None) -> str:
    if value in LANGUAGES:
        return value
    current = (translation.get_language() or "fr")[:2]
    return current if current in LANGUAGES else "fr"


@require_http_methods(["GET", "POST"])
def report_page(request: HttpRequest) -> HttpResponse:
    if not can_view_indicators(request.user):
        raise Http404
    if request.method == "POST":
        unit = unit_for(request.user, request.POST.get("unit", ""))
        year = get_object_or_404(AcademicYear, code=request.POST.get("year", ""))
        with transaction.atomic():
            job = job_start(
                actor=request.user,
                kind=REPORT_KIND,
                params={
                    "unit_id": unit.pk,
                    "year_id": year.pk,
                    "language": _language(request.POST.get("lang")),
                },
            )
        if request.htmx:  # type: ignore[attr-defined]
            return render(request, "core/_job_progress.html", {"job": job})
        return redirect("core:job", pk=job.pk)
    code = request.GET.get("unit")
    return render(
        request,
        "indicators/reports/form.html",
        {
            "unit": unit_for(request.user, code) if code else default_unit(request.user),
            "years": academic_years(),
            "language": _language(None),
        },
    )


@require_GET
def report_download(request: HttpRequest, pk: str) -> HttpResponseBase:
    """The file of a finished report, for whoever started it (or an administrator)."""
    job = get_object_or_404(
        jobs_visible(request.user), pk=pk, kind=REPORT_KIND, status=Job.Status.SUCCEEDED
    )
    folder = (Path(settings.MEDIA_ROOT) / REPORT_DIR).resolve()
    file = (Path(settings.MEDIA_ROOT) / str(job.result.get("file", ""))).resolve()
    if file.parent != folder or not file.is_file():
        raise Http404
    unit = OrgUnit.objects.filter(pk=job.params.get("unit_id")).first()
    year = AcademicYear.objects.filter(pk=job.params.get("year_id")).first()
    name = "-".join(
        re.sub(r"[^A-Za-z0-9_-]+", "-", part).strip("-")
        for part in (
            unit.code if unit else "",
            year.code if year else "",
            job.params.get("language"),
        )
        if part
    )
    return FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=f"rapport-{name}.pdf",
        content_type="application/pdf",
    )


urlpatterns = [
    path("reports/", report_page, name="reports"),
    path("reports/<uuid:pk>.pdf", report_download, name="report-download"),
]
