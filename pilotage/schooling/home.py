"""The school records' home-page cards (see :mod:`pilotage.core.home`), each with the
figures its reader follows: an officer's marks-entry progress per school, a head's sheets
to validate and transfers to answer, a teacher's sheets due, a parent's children's latest
marks and absences."""

from __future__ import annotations

from typing import Any

from pilotage.core.home import HomeCard
from pilotage.core.roles import roles_with
from pilotage.core.scope import scope_of
from pilotage.orgunits.models import OrgUnit
from pilotage.orgunits.selectors import academic_year_current
from pilotage.schooling.models import ACTIVE_STATUSES, Enrolment
from pilotage.schooling.permissions import can_open_import, can_view_transfers
from pilotage.schooling.roles import FOLLOW_CHILDREN, SCHOOL_HEAD, TEACH, VIEW_SCHOOL
from pilotage.schooling.selectors import (
    absences_of,
    classes_visible,
    marks_progress,
    progress_units,
    recent_marks,
    semester_current,
    sheets_to_validate,
    teacher_sheets_due,
    transfers_awaiting,
    wards_of,
)
from pilotage.schooling.structure import grading_scales

# How many rows a card lists before "see all".
CARD_ROWS = 5


def _imports(user: Any) -> dict[str, bool]:
    return {kind: can_open_import(user, kind) for kind in ("students", "teachers", "marks")}


def _officer(user: Any) -> dict[str, Any] | None:
    """For those who see whole schools without running one: marks-entry progress of the
    current semester, the schools furthest behind first. Four queries: the semester, the
    grouped progress of every school, the names of the few shown and their deadlines."""
    viewers = roles_with(VIEW_SCHOOL) - {SCHOOL_HEAD}
    if not scope_of(user).has_role(*viewers):
        return None
    semester = semester_current()
    context: dict[str, Any] = {"imports": _imports(user), "semester": semester}
    if semester is None:
        return context
    rows = marks_progress(user, semester)
    behind = [r for r in rows if r.expected][:CARD_ROWS]
    progress_units(behind, semester)
    deadlines = [r.deadline for r in behind if r.deadline is not None]
    context.update(
        {
            "behind": behind,
            "schools": len(rows),
            "expected": sum(r.expected for r in rows),
            "entered": sum(r.entered for r in rows),
            "deadline": min(deadlines) if deadlines else None,
        }
    )
    return context


def _head(user: Any) -> dict[str, Any] | None:
    """Seven queries: the schools, the year, their pupils enrolled this year, their
    classes, the sheets to validate (count and first ones), the transfers to answer."""
    unit_ids = [g.org_unit_id for g in scope_of(user).grants if g.role == SCHOOL_HEAD]
    if not unit_ids:
        return None
    year = academic_year_current()
    schools = list(
        OrgUnit.objects.filter(pk__in=unit_ids, school__isnull=False).select_related("school")
    )
    enrolled = Enrolment.objects.filter(school__in=schools, status__in=ACTIVE_STATUSES)
    if year is not None:
        enrolled = enrolled.filter(academic_year=year)
    to_validate = sheets_to_validate(user, year)
    return {
        "year": year,
        "schools": schools,
        "pupils": enrolled.count(),
        "classes": classes_visible(user, year=year).filter(school__in=schools).count(),
        "imports": _imports(user),
        "transfers": can_view_transfers(user),
        "to_validate": to_validate.count(),
        "to_validate_first": list(to_validate[:CARD_ROWS]),
        "transfers_waiting": transfers_awaiting(user).count(),
    }


def _teacher(user: Any) -> dict[str, Any] | None:
    """Five queries: the current semester (and year), the classes taught, and the sheets
    due (the assignments with their sheet, how full those are, the deadlines)."""
    if not scope_of(user).allows(TEACH):
        return None
    semester = semester_current()
    year = semester.academic_year if semester is not None else None
    taught = classes_visible(user, year=year).filter(teachings__teacher__user=user).distinct()
    return {
        "year": year,
        "semester": semester,
        "classes": taught.count(),
        "imports": _imports(user),
        "due": teacher_sheets_due(user, semester) if semester is not None else [],
    }


def _parent(user: Any) -> dict[str, Any] | None:
    """Six queries: the children and their enrolments, the current year, their latest
    marks, the cycles' mark scales, their absences of the year."""
    if not scope_of(user).allows(FOLLOW_CHILDREN):
        return None
    children = list(wards_of(user).order_by("last_name", "first_name"))
    year = academic_year_current()
    marks = recent_marks(children)
    scales = grading_scales()
    for mark in (m for pupil_marks in marks.values() for m in pupil_marks):
        cycle = mark.assessment.sheet.school_class.grade_level.cycle
        mark.scale = scales[cycle].maximum_text  # type: ignore[attr-defined]
    absences = absences_of(children, year=year)
    return {
        "children": [
            {
                "pupil": child,
                "marks": marks.get(child.pk, []),
                "absences": absences.get(child.pk, [])[:CARD_ROWS],
                "absences_total": len(absences.get(child.pk, [])),
            }
            for child in children
        ],
    }


CARDS = [
    HomeCard("schooling/_home_officer.html", order=20, context=_officer),
    HomeCard("schooling/_home_head.html", order=30, context=_head),
    HomeCard("schooling/_home_teacher.html", order=40, context=_teacher),
    HomeCard("schooling/_home_parent.html", order=50, context=_parent),
]
