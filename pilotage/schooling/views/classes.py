"""Classes, rosters and pupil records."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import translation

from pilotage.orgunits.models import Semester
from pilotage.orgunits.selectors import academic_year_current, parents_attach
from pilotage.schooling.permissions import (
    can_manage_school,
    can_print_class_bulletins,
    can_take_attendance,
)
from pilotage.schooling.reports import LANGUAGES as BULLETIN_LANGUAGES
from pilotage.schooling.selectors import (
    absence_summary,
    class_results,
    classes_visible,
    classes_with_counts,
    pupil_enrolments,
    pupils_visible,
    sheets_visible,
)


def class_list(request: HttpRequest) -> HttpResponse:
    year = academic_year_current()
    classes = classes_with_counts(request.user, year=year).order_by(
        "school__name_fr", "grade_level__order", "name"
    )
    page = Paginator(classes, 100).get_page(request.GET.get("page"))
    parents_attach([c.school for c in page])  # namesake schools told apart by their commune
    return render(
        request,
        "schooling/class_list.html",
        {"page_obj": page, "year": year, "querystring_base": ""},
    )


def class_detail(request: HttpRequest, pk: int) -> HttpResponse:
    school_class = get_object_or_404(classes_visible(request.user), pk=pk)
    number = 2 if request.GET.get("semestre") == "2" else 1
    semester = get_object_or_404(Semester, academic_year=school_class.academic_year, number=number)
    return render(
        request,
        "schooling/class_detail.html",
        {
            "school_class": school_class,
            "semester": semester,
            "results": class_results(school_class, semester),
            "absences": absence_summary(school_class),
            "sheets": sheets_visible(request.user)
            .filter(school_class=school_class)
            .order_by("semester__number", "subject__code"),
            "can_manage": can_manage_school(request.user, school_class.school),
            "can_take_attendance": can_take_attendance(request.user, school_class),
            "can_print_bulletins": can_print_class_bulletins(request.user, school_class),
        },
    )


def bulletin_languages() -> list[dict]:
    """The languages a bulletin is printed in, the reader's first (as the batch form's
    default), each with its name in the reader's language."""
    current = (translation.get_language() or "fr")[:2]
    ordered = sorted(BULLETIN_LANGUAGES, key=lambda code: code != current)
    return [translation.get_language_info(code) for code in ordered]


def pupil_detail(request: HttpRequest, code: str) -> HttpResponse:
    pupil = get_object_or_404(pupils_visible(request.user), code_massar=code)
    enrolments = list(pupil_enrolments(pupil))
    return render(
        request,
        "schooling/pupil_detail.html",
        {
            "pupil": pupil,
            "enrolments": enrolments,
            "semesters": (1, 2),
            "bulletin_languages": bulletin_languages(),
            "can_transfer": any(
                e.is_active and can_manage_school(request.user, e.school) for e in enrolments
            ),
        },
    )


urlpatterns = [
    path("classes/", class_list, name="classes"),
    path("classes/<int:pk>/", class_detail, name="class"),
    path("pupils/<str:code>/", pupil_detail, name="pupil"),
]
