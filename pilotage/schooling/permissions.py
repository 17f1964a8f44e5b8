"""Who may see and change school records.

The capabilities and the roles that hold them are declared in ``schooling/roles.py``:
officers see the schools of their subtree, a school head runs a school, a teacher sees
the classes they teach and enters those marks, a parent sees only their own children.
Everything else gets a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pilotage.core.roles import roles_with
from pilotage.core.scope import scope_of
from pilotage.orgunits.models import OrgUnit
from pilotage.schooling.roles import (
    FOLLOW_CHILDREN,
    IMPORT_PUPILS,
    MANAGE_SCHOOL,
    SET_DEADLINES,
    TEACH,
    VIEW_SCHOOL,
)


def school_staff() -> frozenset[str]:
    """The roles that see some classes: whole schools, or the classes they teach."""
    return roles_with(VIEW_SCHOOL) | roles_with(TEACH)


def can_view_classes(actor: Any) -> bool:
    return scope_of(actor).has_role(*school_staff())


def can_view_transfers(actor: Any) -> bool:
    return scope_of(actor).allows(MANAGE_SCHOOL)


def can_follow_children(actor: Any) -> bool:
    return scope_of(actor).allows(FOLLOW_CHILDREN)


def can_view_school(actor: Any, school: OrgUnit) -> bool:
    """Sees every class and pupil of the school."""
    return scope_of(actor).covers_for(VIEW_SCHOOL, school.path)


def can_manage_school(actor: Any, school: OrgUnit) -> bool:
    """Enrols, transfers, records council decisions, validates and unlocks sheets."""
    return scope_of(actor).covers_for(MANAGE_SCHOOL, school.path)


def is_teacher_at(actor: Any, school: OrgUnit) -> bool:
    return scope_of(actor).covers_for(TEACH, school.path)


def can_import_pupils(actor: Any, school: OrgUnit) -> bool:
    return scope_of(actor).covers_for(IMPORT_PUPILS, school.path)


def can_enter_marks(actor: Any, school_path: str, teaches: Callable[[], bool]) -> bool:
    """Enters the marks of a sheet: the head of the school (or a national admin) on every
    sheet, a teacher of the school on the class × subject they teach (``teaches`` is
    asked only then, as it may cost a query)."""
    scope = scope_of(actor)
    if scope.covers_for(MANAGE_SCHOOL, school_path):
        return True
    return scope.covers_for(TEACH, school_path) and teaches()


def can_set_deadline(actor: Any, org_unit: OrgUnit) -> bool:
    """Sets or removes the mark-entry deadline of ``org_unit`` (it locks every sheet of the
    schools below it)."""
    return scope_of(actor).covers_for(SET_DEADLINES, org_unit.path)


def can_manage_deadlines(actor: Any) -> bool:
    return scope_of(actor).allows(SET_DEADLINES)
