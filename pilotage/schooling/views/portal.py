"""The parents' portal: each child's marks per subject and semester, their absences with
the dates, and the links to the bulletins."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from pilotage.orgunits.models import Semester
from pilotage.schooling.models import Mark
from pilotage.schooling.permissions import can_follow_children
from pilotage.schooling.selectors import ClassResults, absences_of, class_results, wards_of

MarkKey = tuple[int, int, int]  # pupil, semester, subject


def _marks_by_subject(pupil_ids: list[int], year_ids: set[int]) -> dict[MarkKey, list[Mark]]:
    """Every mark of those pupils in those years, per pupil × semester × subject, in
    column order: one query."""
    marks = (
        Mark.objects.filter(
            pupil_id__in=pupil_ids, assessment__sheet__semester__academic_year_id__in=year_ids
        )
        .annotate(
            semester_id=F("assessment__sheet__semester_id"),
            subject_id=F("assessment__sheet__subject_id"),
        )
        .select_related("assessment")
        .order_by("assessment__kind", "assessment__number")
    )
    grouped: dict[MarkKey, list[Mark]] = defaultdict(list)
    for mark in marks:
        grouped[(mark.pupil_id, mark.semester_id, mark.subject_id)].append(mark)
    return grouped


def portal(request: HttpRequest) -> HttpResponse:
    """What a parent (or a pupil) sees: their own children's marks, absences and bulletins.
    A parent whose children are not linked yet gets the page and what to do about it.

    Queries: the children and their enrolments (2), the semesters of their years (1),
    their marks (1), their absences (1), and the class results of each class × semester
    (``class_results``: 4 each, shared by children of the same class), whatever the number
    of marks, absences or classmates."""
    if not can_follow_children(request.user):
        raise Http404
    wards = list(wards_of(request.user).order_by("last_name", "first_name"))
    enrolments = [(p, e) for p in wards for e in p.active_enrolments]  # type: ignore[attr-defined]
    year_ids = {e.academic_year_id for _p, e in enrolments}
    semesters: dict[int, list[Semester]] = defaultdict(list)
    for semester in Semester.objects.filter(academic_year_id__in=year_ids).order_by("number"):
        semesters[semester.academic_year_id].append(semester)
    marks = _marks_by_subject([p.pk for p in wards], year_ids)
    absences = absences_of(wards)
    results: dict[tuple[int, int], ClassResults] = {}
    children = []
    for pupil, enrolment in enrolments:
        blocks = []
        if enrolment.school_class is not None:
            for semester in semesters[enrolment.academic_year_id]:
                key = (enrolment.school_class_id, semester.pk)
                if key not in results:
                    results[key] = class_results(enrolment.school_class, semester)
                blocks.append(_semester_block(pupil.pk, results[key], marks))
        mine = [
            a for a in absences.get(pupil.pk, []) if a.school_class_id == enrolment.school_class_id
        ]
        children.append(
            {
                "pupil": pupil,
                "enrolment": enrolment,
                "semesters": blocks,
                "has_marks": any(b["mine"] and b["rows"] for b in blocks),
                "bulletins": semesters[enrolment.academic_year_id],
                "absences": mine,
                "absence_hours": sum(a.hours for a in mine),
                "absence_unjustified": sum(a.hours for a in mine if not a.justified),
            }
        )
    return render(request, "schooling/portal.html", {"children": children})


def _semester_block(
    pupil_id: int, results: ClassResults, marks: dict[MarkKey, list[Mark]]
) -> dict[str, Any]:
    mine = next((r for r in results.pupils if r.enrolment.pupil_id == pupil_id), None)
    rows = []
    for subject in results.subjects:
        rows.append(
            {
                "subject": subject,
                "coefficient": results.coefficients.get(subject.pk),
                "average": mine.subjects.get(subject.pk) if mine else None,
                "marks": marks.get((pupil_id, results.semester.pk, subject.pk), []),
            }
        )
    return {
        "semester": results.semester,
        "mine": mine,
        "rows": rows,
        "size": len(results.pupils),
        "scale": results.scale.maximum_text,
    }


urlpatterns = [path("portal/", portal, name="portal")]
