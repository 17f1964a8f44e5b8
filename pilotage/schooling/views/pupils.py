"""Finding a pupil: a search by code Massar or name (in either script), narrowed to a class
or a school, among the pupils the reader sees; the results refresh as the reader types."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from pilotage.orgunits.models import OrgUnit
from pilotage.orgunits.selectors import academic_year_current
from pilotage.schooling.permissions import can_open_school_page, can_search_pupils
from pilotage.schooling.selectors import classes_visible, pupils_search, with_latest_enrolment

PAGE_SIZE = 50
# Past this many classes the class filter gives way to the school filter (choose a school
# from its page first): a select of thousands of options helps nobody.
CLASS_CHOICES_MAX = 300


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def pupil_list(request: HttpRequest) -> HttpResponse:
    if not can_search_pupils(request.user):
        raise Http404
    year = academic_year_current()
    q = request.GET.get("q", "").strip()[:100]
    school = None
    school_code = request.GET.get("ecole", "").strip()
    if school_code:
        school = (
            OrgUnit.objects.filter(school__school_code=school_code).select_related("school").first()
        )
        if school is None or not can_open_school_page(request.user, school):
            raise Http404
    classes = classes_visible(request.user, year=year).order_by(
        "school__name_fr", "grade_level__order", "name"
    )
    if school is not None:
        classes = classes.filter(school=school)
    class_choices = list(classes[: CLASS_CHOICES_MAX + 1])
    if len(class_choices) > CLASS_CHOICES_MAX:
        class_choices = []
    class_id = _int(request.GET.get("classe"))
    pupils = pupils_search(request.user, q, class_id=class_id, school=school, year=year)
    page = Paginator(pupils, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = with_latest_enrolment(list(page.object_list))
    wanted = {"q": q, "classe": class_id or "", "ecole": school_code if school else ""}
    filters = {k: v for k, v in wanted.items() if v}
    context = {
        "page_obj": page,
        "q": q,
        "school": school,
        "class_id": class_id,
        "class_choices": class_choices,
        "querystring_base": f"{urlencode(filters)}&" if filters else "",
    }
    htmx = request.htmx  # type: ignore[attr-defined]
    if htmx and not htmx.history_restore_request:
        return render(request, "schooling/_pupil_results.html", context)
    return render(request, "schooling/pupil_list.html", context)


urlpatterns = [
    path("pupils/", pupil_list, name="pupils"),
]
