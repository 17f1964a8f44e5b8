"""The schools an officer oversees with the figures they follow, and each school's page:
the head's hub to its classes, pupils, mark sheets, bulletins, attendance and transfers."""

from __future__ import annotations

from typing import cast
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path

from pilotage.accounts.models import User
from pilotage.orgunits.models import AcademicYear, Cycle, OrgUnit, Semester
from pilotage.orgunits.selectors import academic_year_current
from pilotage.schooling.models import TeachingAssignment
from pilotage.schooling.permissions import (
    can_list_schools,
    can_manage_school,
    can_open_school_page,
    can_search_pupils,
    can_view_school,
    can_view_transfers,
    is_teacher_at,
)
from pilotage.schooling.selectors import (
    communes_of,
    parents_of,
    school_classes_overview,
    school_figures,
    schools_overseen,
    semester_current,
)

PAGE_SIZE = 50
# Past this many communes the filter is a text field on the school's name or code.
COMMUNE_CHOICES_MAX = 2000


def _semester(request: HttpRequest, year: AcademicYear | None) -> Semester | None:
    """The semester asked for (``?semestre=1`` or ``2``), else the one under way."""
    number = request.GET.get("semestre")
    if year is not None and number in {"1", "2"}:
        return Semester.objects.filter(academic_year=year, number=int(number)).first()
    return semester_current(year)


def school_list(request: HttpRequest) -> HttpResponse:
    if not can_list_schools(request.user):
        raise Http404
    year = academic_year_current()
    semester = _semester(request, year)
    visible = schools_overseen(request.user)
    communes = list(communes_of(visible)[: COMMUNE_CHOICES_MAX + 1])
    if len(communes) > COMMUNE_CHOICES_MAX:
        communes = []
    commune_code = request.GET.get("commune", "").strip()
    within = next((c for c in communes if c.code == commune_code), None)
    if commune_code and within is None:
        within = OrgUnit.objects.filter(code=commune_code).first()
    cycle = request.GET.get("cycle", "")
    q = request.GET.get("q", "").strip()[:100]
    schools = schools_overseen(request.user, within=within, cycle=cycle, q=q)
    page = Paginator(schools, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    figures = school_figures(rows, year, semester)
    parents = parents_of(rows)
    filters = {
        k: v
        for k, v in {
            "q": q,
            "commune": within.code if within else "",
            "cycle": cycle,
            "semestre": semester.number if semester and request.GET.get("semestre") else "",
        }.items()
        if v
    }
    return render(
        request,
        "schooling/school_list.html",
        {
            "page_obj": page,
            "rows": [(s, parents.get(s.pk), figures[s.pk]) for s in rows],
            "year": year,
            "semester": semester,
            "communes": communes,
            "commune": within,
            "cycles": Cycle.choices,
            "cycle": cycle,
            "q": q,
            "can_search_pupils": can_search_pupils(request.user),
            "querystring_base": f"{urlencode(filters)}&" if filters else "",
        },
    )


def school_detail(request: HttpRequest, code: str) -> HttpResponse:
    school: OrgUnit = get_object_or_404(
        OrgUnit.objects.select_related("school", "level"), school__school_code=code
    )
    user = cast(User, request.user)  # LoginRequiredMiddleware: never anonymous here
    if not can_open_school_page(user, school):
        raise Http404
    year = academic_year_current()
    semester = _semester(request, year)
    overview = school_classes_overview(user, school, year, semester)
    manages = can_manage_school(user, school)
    attendance: set[int] = set()
    if manages:
        attendance = {row.school_class.pk for row in overview}
    elif is_teacher_at(user, school):  # the roll of the classes they teach (as in
        # can_take_attendance, for all the classes at once); an officer calls none
        attendance = set(
            TeachingAssignment.objects.filter(
                teacher__user=user, school_class__in=[row.school_class.pk for row in overview]
            ).values_list("school_class_id", flat=True)
        )
    figures = school_figures([school], year, semester)[school.pk]
    return render(
        request,
        "schooling/school_detail.html",
        {
            "school": school,
            "commune": parents_of([school]).get(school.pk),
            "year": year,
            "semester": semester,
            "overview": overview,
            "figures": figures,
            "attendance": attendance,
            "sees_school": can_view_school(user, school),
            "can_manage": manages,
            "can_search_pupils": can_search_pupils(user),
            "can_view_transfers": can_view_transfers(user),
        },
    )


urlpatterns = [
    path("schools/", school_list, name="schools"),
    path("schools/<str:code>/", school_detail, name="school"),
]
