"""Who may see and change school records.

Officers (national, regional, provincial) see the schools of their subtree; a school head
runs a school; a teacher sees the classes they teach and enters those marks; a parent sees
only their own children. Everything else gets a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pilotage.accounts.models import Role
from pilotage.accounts.scope import scope_of
from pilotage.orgunits.models import OrgUnit

OFFICERS = (Role.NATIONAL_ADMIN, Role.REGIONAL_OFFICER, Role.PROVINCIAL_OFFICER)
SCHOOL_MANAGERS = (*OFFICERS, Role.SCHOOL_HEAD)
SCHOOL_STAFF = (*SCHOOL_MANAGERS, Role.TEACHER)
# Those who act on a school's records (not only read them).
SCHOOL_MANAGERS_STRICT = (Role.NATIONAL_ADMIN, Role.SCHOOL_HEAD)


def can_view_school(actor: Any, school: OrgUnit) -> bool:
    """Sees every class and pupil of the school."""
    return scope_of(actor).covers(school.path, SCHOOL_MANAGERS)


def can_manage_school(actor: Any, school: OrgUnit) -> bool:
    """Enrols, transfers, records council decisions, validates and unlocks sheets."""
    return scope_of(actor).covers(school.path, SCHOOL_MANAGERS_STRICT)


def is_teacher_at(actor: Any, school: OrgUnit) -> bool:
    return scope_of(actor).covers(school.path, (Role.TEACHER,))


def can_import_pupils(actor: Any, school: OrgUnit) -> bool:
    return scope_of(actor).covers(
        school.path, (Role.NATIONAL_ADMIN, Role.PROVINCIAL_OFFICER, Role.SCHOOL_HEAD)
    )


def can_enter_marks(actor: Any, school_path: str, teaches: Callable[[], bool]) -> bool:
    """Enters the marks of a sheet: the head of the school (or a national admin) on every
    sheet, a teacher of the school on the class × subject they teach (``teaches`` is
    asked only then, as it may cost a query)."""
    scope = scope_of(actor)
    if scope.covers(school_path, SCHOOL_MANAGERS_STRICT):
        return True
    return scope.covers(school_path, (Role.TEACHER,)) and teaches()


# Closing mark entry is a ministry decision: the national administration anywhere, an
# academy or a directorate for the schools of its territory (school heads validate sheets).
DEADLINE_SETTERS = OFFICERS


def can_set_deadline(actor: Any, org_unit: OrgUnit) -> bool:
    """Sets or removes the mark-entry deadline of ``org_unit`` (it locks every sheet of the
    schools below it)."""
    return scope_of(actor).covers(org_unit.path, DEADLINE_SETTERS)


def can_manage_deadlines(actor: Any) -> bool:
    return scope_of(actor).has_role(*DEADLINE_SETTERS)
