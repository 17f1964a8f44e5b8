"""Marks-entry progress of every school in the reader's scope: the figure officers watch
at every deadline, so one grouped query whatever the number of schools."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from pilotage.core.scope import scope_of
from pilotage.schooling.roles import VIEW_SCHOOL
from pilotage.schooling.selectors import marks_progress, progress_units, semester_current

PER_PAGE = 50


def marks_progress_page(request: HttpRequest) -> HttpResponse:
    """Five queries whatever the scope: the reader's grants, the semester, the grouped
    progress of every school, the names of the page's schools, their deadlines."""
    if not scope_of(request.user).allows(VIEW_SCHOOL):
        raise Http404
    semester = semester_current()
    rows = marks_progress(request.user, semester) if semester is not None else []
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    if semester is not None:
        progress_units(list(page.object_list), semester)
    return render(
        request,
        "schooling/marks_progress.html",
        {
            "semester": semester,
            "page_obj": page,
            "schools": len(rows),
            "expected": sum(r.expected for r in rows),
            "entered": sum(r.entered for r in rows),
            "querystring_base": "",
        },
    )


urlpatterns = [path("marks-progress/", marks_progress_page, name="marks-progress")]
