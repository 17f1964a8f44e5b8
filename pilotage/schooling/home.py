"""The school records' home-page cards (see :mod:`pilotage.core.home`), each with the
figures its reader follows: an officer's schools, a head's school, a teacher's classes,
a parent's children."""

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
from pilotage.schooling.selectors import classes_visible, wards_of


def _imports(user: Any) -> dict[str, bool]:
    return {kind: can_open_import(user, kind) for kind in ("students", "teachers", "marks")}


def _officer(user: Any) -> dict[str, Any] | None:
    """For those who see whole schools without running one: links only, no query."""
    viewers = roles_with(VIEW_SCHOOL) - {SCHOOL_HEAD}
    if not scope_of(user).has_role(*viewers):
        return None
    return {"imports": _imports(user)}


def _head(user: Any) -> dict[str, Any] | None:
    """Three queries: the schools, their pupils enrolled this year, their classes."""
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
    return {
        "year": year,
        "schools": schools,
        "pupils": enrolled.count(),
        "classes": classes_visible(user, year=year).filter(school__in=schools).count(),
        "imports": _imports(user),
        "transfers": can_view_transfers(user),
    }


def _teacher(user: Any) -> dict[str, Any] | None:
    """Two queries: the current year and the classes taught in it."""
    if not scope_of(user).allows(TEACH):
        return None
    year = academic_year_current()
    taught = classes_visible(user, year=year).filter(teachings__teacher__user=user).distinct()
    return {"year": year, "classes": taught.count(), "imports": _imports(user)}


def _parent(user: Any) -> dict[str, Any] | None:
    if not scope_of(user).allows(FOLLOW_CHILDREN):
        return None
    return {"children": wards_of(user).order_by().count()}


CARDS = [
    HomeCard("schooling/_home_officer.html", order=20, context=_officer),
    HomeCard("schooling/_home_head.html", order=30, context=_head),
    HomeCard("schooling/_home_teacher.html", order=40, context=_teacher),
    HomeCard("schooling/_home_parent.html", order=50, context=_parent),
]
