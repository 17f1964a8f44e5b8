"""Bulletins: one pupil's as a PDF straight away, a class's or a school's as a background
job whose file is downloaded once it is done. Whoever may not see the pupil, the class or
the job gets a 404, and a refused batch creates no job."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST

from pilotage.accounts.models import User
from pilotage.core.jobs import job_start
from pilotage.core.models import Job
from pilotage.core.scope import scope_of
from pilotage.core.selectors import jobs_visible
from pilotage.orgunits.models import AcademicYear, OrgUnit, Semester
from pilotage.orgunits.selectors import academic_year_current
from pilotage.schooling.models import ACTIVE_STATUSES, Enrolment
from pilotage.schooling.permissions import can_manage_school, can_view_school
from pilotage.schooling.reports import (
    JOB_KIND,
    LANGUAGES,
    REPORT_DIR,
    ReportEmpty,
    bulletin_pdf,
)
from pilotage.schooling.roles import FOLLOW_CHILDREN
from pilotage.schooling.selectors import classes_visible, pupils_visible


def _language(value: str | None) -> str:
    """The requested language, else the page's, else French."""
    if value in LANGUAGES:
        return value
    current = (translation.get_language() or "fr")[:2]
    return current if current in LANGUAGES else "fr"


def _semester(year: AcademicYear | Any, number: Any) -> Semester:
    if str(number) not in {"1", "2"}:
        raise Http404
    return get_object_or_404(Semester, academic_year=year, number=int(number))


@require_GET
def pupil_bulletin(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """The bulletin of the pupil's latest class the actor can see: any class of their own
    child for a parent, a class of their schools or their teaching for staff."""
    pupil = get_object_or_404(pupils_visible(request.user), code_massar=code)
    enrolments = Enrolment.objects.filter(
        pupil=pupil, status__in=ACTIVE_STATUSES, school_class__isnull=False
    )
    actor = cast(User, request.user)  # LoginRequiredMiddleware: never anonymous here
    # As in pupils_visible: the guardian link counts while the parent role is held.
    is_parent = (
        scope_of(actor).allows(FOLLOW_CHILDREN) and pupil.guardians.filter(user=actor).exists()
    )
    if not is_parent:
        enrolments = enrolments.filter(school_class__in=classes_visible(request.user))
    year_code = request.GET.get("annee")
    if year_code:
        enrolments = enrolments.filter(academic_year__code=year_code)
    enrolment = (
        enrolments.select_related(
            "pupil", "school_class__school__school", "school_class__grade_level", "academic_year"
        )
        .order_by("-academic_year__start")
        .first()
    )
    if enrolment is None:
        raise Http404
    semester = _semester(enrolment.academic_year, number)
    language = _language(request.GET.get("lang"))
    try:
        pdf = bulletin_pdf(enrolment=enrolment, semester=semester, language=language)
    except ReportEmpty as exc:
        raise Http404(str(exc)) from exc
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = (
        f"bulletin-{pupil.code_massar}-{semester.academic_year.code}-S{number}-{language}.pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _start(request: HttpRequest, params: dict[str, Any]) -> HttpResponse:
    with transaction.atomic():
        job = job_start(
            actor=request.user,
            kind=JOB_KIND,
            params={**params, "language": _language(request.POST.get("lang"))},
        )
    return redirect("core:job", pk=job.pk)


@require_POST
def class_bulletins(request: HttpRequest, pk: int) -> HttpResponse:
    school_class = get_object_or_404(classes_visible(request.user).select_related("school"), pk=pk)
    if not can_view_school(request.user, school_class.school):
        raise Http404  # a teacher sees the class but does not print its bulletins
    semester = _semester(school_class.academic_year, request.POST.get("semestre", "1"))
    return _start(request, {"class_ids": [school_class.pk], "semester_id": semester.pk})


@require_POST
def school_bulletins(request: HttpRequest, code: str) -> HttpResponse:
    school = get_object_or_404(OrgUnit, school__school_code=code)
    if not can_manage_school(request.user, school):
        raise Http404
    year_code = request.POST.get("annee")
    year = (
        AcademicYear.objects.filter(code=year_code).first()
        if year_code
        else academic_year_current()
    )
    if year is None:
        raise Http404
    semester = _semester(year, request.POST.get("semestre", "1"))
    return _start(request, {"school_id": school.pk, "semester_id": semester.pk})


@require_GET
def report_cards_download(request: HttpRequest, pk: str) -> HttpResponseBase:
    """The file of a finished batch, for the person who started it or an administrator;
    once purged (REPORT_CARDS_RETENTION_DAYS), a page saying so and how to get it again."""
    job = get_object_or_404(
        jobs_visible(request.user), pk=pk, kind=JOB_KIND, status=Job.Status.SUCCEEDED
    )
    folder = (Path(settings.MEDIA_ROOT) / REPORT_DIR).resolve()
    file = (Path(settings.MEDIA_ROOT) / str(job.result.get("file", ""))).resolve()
    if file.parent != folder:
        raise Http404
    if not file.is_file():
        return render(
            request,
            "schooling/report_cards_expired.html",
            {"job": job, "days": settings.REPORT_CARDS_RETENTION_DAYS},
            status=410,
        )
    return FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=f"bulletins-{job.created_at:%Y%m%d-%H%M}-{str(job.pk)[:8]}.pdf",
        content_type="application/pdf",
    )


urlpatterns = [
    path("pupils/<str:code>/bulletin/<int:number>.pdf", pupil_bulletin, name="pupil-bulletin"),
    path("classes/<int:pk>/bulletins/", class_bulletins, name="class-bulletins"),
    path("schools/<str:code>/bulletins/", school_bulletins, name="school-bulletins"),
    path("report-cards/<uuid:pk>.pdf", report_cards_download, name="report-cards-download"),
]
