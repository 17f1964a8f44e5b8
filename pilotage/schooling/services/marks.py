"""Saving a marks sheet, validating, locking and unlocking it.

A sheet is saved whole, in one request and one transaction: the teacher's grid sends
every cell with the version it was loaded at. The sheet row is locked (SELECT … FOR
UPDATE), the version compared, every cell validated, then only the changed marks are
written with two bulk statements and one audit row listing each change old → new.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pilotage.accounts.models import Role
from pilotage.accounts.scope import scope_of
from pilotage.core.audit import audit_record
from pilotage.core.models import AuditEntry
from pilotage.core.tabular import Problem, parse_decimal
from pilotage.schooling.models import (
    ACTIVE_STATUSES,
    MARK_MAX,
    Assessment,
    AssessmentKind,
    Enrolment,
    Mark,
    MarkCode,
    MarkDeadline,
    MarkSheet,
)
from pilotage.schooling.permissions import can_manage_school, can_view_school

CODES = {
    "ABS": MarkCode.ABSENT,
    "A": MarkCode.ABSENT,
    "DISP": MarkCode.EXEMPT,
    "D": MarkCode.EXEMPT,
}


class SheetConflict(Exception):
    """Someone saved the sheet after it was loaded."""

    def __init__(self, current_version: int, by: str):
        super().__init__(current_version)
        self.current_version = current_version
        self.by = by


class SheetLocked(Exception):
    pass


class SheetRejected(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass(frozen=True)
class Cell:
    """One cell as sent by the grid, the XLSX upload or the API."""

    code_massar: str
    column: str
    raw: Any
    row: int = 0


@dataclass(frozen=True)
class Change:
    """One mark a save would change, as text: ``None`` is an empty cell."""

    code_massar: str
    column: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class _Step:
    key: tuple[int, int]
    mark: Mark | None
    value: Decimal | None
    code: str
    change: Change


def can_edit_sheet(actor: Any, sheet: MarkSheet) -> bool:
    school = sheet.school_class.school
    if can_manage_school(actor, school):
        return True
    if not scope_of(actor).covers(school.path, (Role.TEACHER,)):
        return False
    return sheet.school_class.teachings.filter(
        subject_id=sheet.subject_id, teacher__user=actor
    ).exists()


def can_view_sheet(actor: Any, sheet: MarkSheet) -> bool:
    """Officers and the head read every sheet of their schools; a teacher only the sheets
    of a class and subject they teach (a colleague's marks are not theirs to read)."""
    return can_view_school(actor, sheet.school_class.school) or can_edit_sheet(actor, sheet)


def sheet_last_editor(sheet: MarkSheet) -> str:
    """Who last saved marks on the sheet, to name them in a conflict message. Only saves
    count: validating or unlocking does not move the version, so it causes no conflict."""
    entry = (
        AuditEntry.objects.filter(
            object_type="schooling.marksheet", object_id=str(sheet.pk), action="update"
        )
        .select_related("actor")
        .first()
    )
    if entry is None or entry.actor is None:
        return ""
    return entry.actor.get_full_name() or entry.actor.username


def sheet_changed_since(sheet: MarkSheet, version: int) -> dict[tuple[str, str], str]:
    """The cells saved since ``version`` was loaded, each with who saved it last, so a
    refused save can point at what the others changed. Every save that changes a mark
    raises the version by one and writes one audit row, so the newest
    (current − loaded) rows are exactly those saves."""
    count = min(sheet.version - version, 100) if version >= 0 else 0
    if count <= 0:
        return {}
    entries = list(
        AuditEntry.objects.filter(
            object_type="schooling.marksheet", object_id=str(sheet.pk), action="update"
        ).select_related("actor")[:count]
    )
    changed: dict[tuple[str, str], str] = {}
    for entry in reversed(entries):  # oldest first: the latest author wins
        who = (entry.actor.get_full_name() or entry.actor.username) if entry.actor else ""
        for key in entry.changes:
            code, slash, column = key.partition("/")
            if slash:
                changed[(code, column)] = who
    return changed


def sheet_deadline(sheet: MarkSheet) -> dt.datetime | None:
    """The deadline set on the deepest unit above the school (a province may close later
    than the national date, a school earlier)."""
    school = sheet.school_class.school
    paths = [*school.ancestor_paths(), school.path]
    deadline = (
        MarkDeadline.objects.filter(semester_id=sheet.semester_id, org_unit__path__in=paths)
        .order_by("-org_unit__depth")
        .values_list("closes_at", flat=True)
        .first()
    )
    return deadline


def sheet_is_locked(sheet: MarkSheet, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    if sheet.unlocked_until and sheet.unlocked_until > now:
        return False
    if sheet.validated_at is not None:
        return True
    deadline = sheet_deadline(sheet)
    return deadline is not None and now > deadline


def parse_cell(raw: Any) -> tuple[Decimal | None, str]:
    """A mark (``12,5``, ``12.5``, ``15``), a code (``ABS``, ``DISP``) or empty."""
    if raw is None or str(raw).strip() == "":
        return None, ""
    text = str(raw).strip().upper()
    if text in CODES:
        return None, CODES[text]
    value = parse_decimal(raw)
    if value < 0 or value > MARK_MAX:
        raise ValueError(_("la note doit être comprise entre 0 et 20"))
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(_("deux décimales au plus"))
    return value.quantize(Decimal("0.01")), ""


def _validate(
    sheet: MarkSheet, cells: Iterable[Cell]
) -> tuple[dict[tuple[int, int], tuple[Decimal | None, str]], list[Problem]]:
    assessments = {a.column: a for a in sheet.assessments.all()}
    pupils = dict(
        Enrolment.objects.filter(
            school_class_id=sheet.school_class_id, status__in=ACTIVE_STATUSES
        ).values_list("pupil__code_massar", "pupil_id")
    )
    wanted: dict[tuple[int, int], tuple[Decimal | None, str]] = {}
    problems: list[Problem] = []
    for cell in cells:
        pupil_id = pupils.get(cell.code_massar)
        assessment = assessments.get(cell.column)
        if pupil_id is None:
            problems.append(
                Problem(
                    cell.row, "code_massar", cell.code_massar, _("élève non inscrit dans la classe")
                )
            )
            continue
        if assessment is None:
            problems.append(
                Problem(
                    cell.row, cell.column, str(cell.raw), _("évaluation inconnue sur cette feuille")
                )
            )
            continue
        try:
            wanted[(assessment.pk, pupil_id)] = parse_cell(cell.raw)
        except ValueError as exc:
            problems.append(Problem(cell.row, cell.column, str(cell.raw), str(exc)))
    return wanted, problems


def _plan(
    sheet: MarkSheet, wanted: dict[tuple[int, int], tuple[Decimal | None, str]]
) -> list[_Step]:
    """The cells whose stored mark differs from the wanted one: what a save writes and
    what a preview shows, computed the same way for both."""
    existing = {
        (m.assessment_id, m.pupil_id): m
        for m in Mark.objects.filter(assessment__sheet=sheet, pupil_id__in={p for _a, p in wanted})
    }
    codes = dict(
        Enrolment.objects.filter(school_class_id=sheet.school_class_id).values_list(
            "pupil_id", "pupil__code_massar"
        )
    )
    columns = {a.pk: a.column for a in sheet.assessments.all()}
    steps: list[_Step] = []
    for key, (value, code) in wanted.items():
        mark = existing.get(key)
        old = None if mark is None else (mark.code or str(mark.value))
        new = code or (None if value is None else str(value))
        if old == new:
            continue
        change = Change(str(codes.get(key[1], key[1])), columns[key[0]], old, new)
        steps.append(_Step(key, mark, value, code, change))
    return steps


def sheet_preview(*, sheet: MarkSheet, cells: Iterable[Cell]) -> tuple[list[Change], list[Problem]]:
    """What saving ``cells`` would change, and every problem that would refuse it, without
    writing: the XLSX upload shows this before the user confirms."""
    wanted, problems = _validate(sheet, cells)
    if problems:
        return [], problems
    return [step.change for step in _plan(sheet, wanted)], []


@transaction.atomic
def marks_save_sheet(
    *, actor: Any, sheet: MarkSheet, version: int, cells: Iterable[Cell]
) -> dict[str, int]:
    """Save a whole sheet. Raises SheetConflict, SheetLocked, SheetRejected or
    PermissionDenied; on any of them nothing is written."""
    sheet = (
        MarkSheet.objects.select_for_update(of=("self",))
        .select_related("school_class__school")
        .get(pk=sheet.pk)
    )
    if not can_edit_sheet(actor, sheet):
        raise PermissionDenied
    if sheet.version != version:
        raise SheetConflict(sheet.version, sheet_last_editor(sheet))
    if sheet_is_locked(sheet):
        raise SheetLocked
    wanted, problems = _validate(sheet, cells)
    if problems:
        raise SheetRejected(problems)
    to_write: list[Mark] = []
    to_delete: list[int] = []
    changes: dict[str, list[Any]] = {}
    now = timezone.now()
    for step in _plan(sheet, wanted):
        key, mark, value, code = step.key, step.mark, step.value, step.code
        changes[f"{step.change.code_massar}/{step.change.column}"] = [
            step.change.old,
            step.change.new,
        ]
        if step.change.new is None:
            to_delete.append(mark.pk)  # type: ignore[union-attr]
        else:
            to_write.append(
                Mark(
                    assessment_id=key[0],
                    pupil_id=key[1],
                    value=value,
                    code=code,
                    updated_by=actor,
                    updated_at=now,
                )
            )
    if changes:
        # One INSERT … ON CONFLICT for new and changed marks alike: Django's bulk_update
        # builds a CASE per column and cost most of a save's time (bench/marks_peak.py).
        Mark.objects.bulk_create(
            to_write,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["assessment", "pupil"],
            update_fields=["value", "code", "updated_by", "updated_at"],
        )
        Mark.objects.filter(pk__in=to_delete).delete()
        sheet.version += 1
        sheet.save(update_fields=["version"])
        audit_record(actor=actor, action="update", obj=sheet, changes=changes)
    return {"version": sheet.version, "changed": len(changes)}


def sheet_ensure(*, school_class: Any, subject: Any, semester: Any, tests: int = 3) -> MarkSheet:
    """The sheet with its default columns: ``tests`` continuous-assessment tests and the
    integrated activities. Idempotent."""
    sheet, created = MarkSheet.objects.get_or_create(
        school_class=school_class, subject=subject, semester=semester
    )
    if created:
        Assessment.objects.bulk_create(
            [
                Assessment(sheet=sheet, kind=AssessmentKind.TEST, number=n)
                for n in range(1, tests + 1)
            ]
            + [Assessment(sheet=sheet, kind=AssessmentKind.ACTIVITY, number=1)]
        )
    return sheet


@transaction.atomic
def sheet_validate(*, actor: Any, sheet: MarkSheet) -> MarkSheet:
    """The school head closes the sheet; from now on only an audited unlock reopens it."""
    sheet = (
        MarkSheet.objects.select_for_update(of=("self",))
        .select_related("school_class__school")
        .get(pk=sheet.pk)
    )
    if not can_manage_school(actor, sheet.school_class.school):
        raise PermissionDenied
    sheet.validated_at, sheet.validated_by, sheet.unlocked_until = timezone.now(), actor, None
    sheet.save(update_fields=["validated_at", "validated_by", "unlocked_until"])
    audit_record(actor=actor, action="validate", obj=sheet, changes={"validated": [False, True]})
    return sheet


@transaction.atomic
def sheet_unlock(*, actor: Any, sheet: MarkSheet, reason: str, hours: int = 48) -> MarkSheet:
    """Reopen a validated or past-deadline sheet for ``hours``, with a reason kept in the
    audit log."""
    reason = reason.strip()
    if len(reason) < 5:
        raise ValueError(_("Indiquez le motif de la réouverture."))
    sheet = (
        MarkSheet.objects.select_for_update(of=("self",))
        .select_related("school_class__school")
        .get(pk=sheet.pk)
    )
    if not can_manage_school(actor, sheet.school_class.school):
        raise PermissionDenied
    sheet.unlocked_until = timezone.now() + dt.timedelta(hours=hours)
    sheet.validated_at = None
    sheet.save(update_fields=["unlocked_until", "validated_at"])
    audit_record(
        actor=actor,
        action="unlock",
        obj=sheet,
        changes={
            "locked": [True, False],
            "reason": [None, reason],
            "until": [None, sheet.unlocked_until.isoformat()],
        },
    )
    return sheet
