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
from pilotage.schooling.models import MarkSheet, SchoolClass, Transfer
from pilotage.schooling.roles import (
    FOLLOW_CHILDREN,
    IMPORT_MARKS,
    IMPORT_PUPILS,
    IMPORT_TEACHERS,
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
    """Reads the transfers of their schools: a head for theirs, officers (read-only) for
    their territory's (see ``selectors.transfers_visible``)."""
    return scope_of(actor).allows(VIEW_SCHOOL)


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


def can_import_teachers(actor: Any, school: OrgUnit) -> bool:
    return scope_of(actor).covers_for(IMPORT_TEACHERS, school.path)


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


def may_write_marks_at(actor: Any, school: OrgUnit) -> bool:
    """A school's marks are written by its managers, and by its teachers for the classes
    and subjects they teach (the marks import checks the class and subject row by row)."""
    return can_manage_school(actor, school) or is_teacher_at(actor, school)


# Who may open each import page; each row is then checked against the importer's reach.
IMPORT_CAPABILITIES = {
    "students": IMPORT_PUPILS,
    "teachers": IMPORT_TEACHERS,
    "marks": IMPORT_MARKS,
}


def can_open_import(actor: Any, kind: str) -> bool:
    return scope_of(actor).allows(IMPORT_CAPABILITIES[kind])


def can_take_attendance(actor: Any, school_class: SchoolClass) -> bool:
    """The school's managers, and the teachers of the class."""
    if can_manage_school(actor, school_class.school):
        return True
    return (
        is_teacher_at(actor, school_class.school)
        and school_class.teachings.filter(teacher__user=actor).exists()
    )


def can_edit_sheet(actor: Any, sheet: MarkSheet) -> bool:
    school_class = sheet.school_class
    return can_enter_marks(
        actor,
        school_class.school.path,
        lambda: school_class.teachings.filter(
            subject_id=sheet.subject_id, teacher__user=actor
        ).exists(),
    )


def can_view_sheet(actor: Any, sheet: MarkSheet) -> bool:
    """Officers and the head read every sheet of their schools; a teacher only the sheets
    of a class and subject they teach (a colleague's marks are not theirs to read)."""
    return can_view_school(actor, sheet.school_class.school) or can_edit_sheet(actor, sheet)


def can_print_class_bulletins(actor: Any, school_class: SchoolClass) -> bool:
    """Starts a class's batch of bulletins: whoever sees the whole school (a teacher sees
    the class but does not print its bulletins)."""
    return can_view_school(actor, school_class.school)


def can_list_schools(actor: Any) -> bool:
    """The list of schools with their figures: whoever sees whole schools somewhere."""
    return scope_of(actor).allows(VIEW_SCHOOL)


def can_open_school_page(actor: Any, school: OrgUnit) -> bool:
    """The school's page: its officers and head see all of it, its teachers their
    classes (everyone who may browse the school's unit in the tree)."""
    return can_view_school(actor, school) or is_teacher_at(actor, school)


def can_search_pupils(actor: Any) -> bool:
    """The pupil search: the school staff, each among the pupils they see (parents have
    their portal)."""
    return can_view_classes(actor)


def can_request_transfers(actor: Any) -> bool:
    """Asks for a pupil's transfer somewhere: runs a school (a head, a national admin); the
    destination may be any school of the country, so such a person searches them all."""
    return scope_of(actor).allows(MANAGE_SCHOOL)


def can_request_transfer_from(actor: Any, school: OrgUnit) -> bool:
    """Asks for the transfer of a pupil enrolled at ``school``."""
    return can_manage_school(actor, school)


def can_answer_transfer(actor: Any, transfer: Transfer) -> bool:
    """Accepts or refuses: the destination school's managers only. Officers read."""
    return can_manage_school(actor, transfer.to_school)
