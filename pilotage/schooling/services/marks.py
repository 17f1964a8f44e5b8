"""Saving a marks sheet, validating, locking and unlocking it.

A sheet is saved whole, in one request and one transaction: the teacher's grid sends
every cell with the version it was loaded at. The sheet row is locked (SELECT … FOR
UPDATE, which also brings the school's path, the deadline and whether the actor teaches
the class), the version compared, every cell validated against the columns and the
roster, then only the changed marks are written with one upsert and one audit row listing
each change old → new, and the school marked for the indicators' refresh (one upsert; the
refresh runs in the worker). Eight statements whatever the class size (a ninth deletes the
marks a save empties): this is the path every teacher takes in the last days before a
deadline (bench/marks_peak.py).

The teacher's appreciations (one per pupil, column ``appreciation``) travel with the marks
as cells of the same save, so they follow the same rules (who, version, lock, deadline)
and land in the same transaction and audit row; a save that carries some reads the stored
ones once and writes the changed ones in one upsert (and one delete for those emptied).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from pilotage.core.audit import UNLOCK, UPDATE, VALIDATE, audit_record
from pilotage.core.models import AuditEntry
from pilotage.core.tabular import Problem
from pilotage.orgunits.models import OrgUnit
from pilotage.schooling.grading import mark_text
from pilotage.schooling.models import (
    ACTIVE_STATUSES,
    APPRECIATION_MAX,
    MARK_MAX,
    Appreciation,
    Assessment,
    AssessmentKind,
    Enrolment,
    GradeLevel,
    GradingScale,
    Mark,
    MarkCode,
    MarkDeadline,
    MarkSheet,
    Pupil,
    SchoolClass,
    Teacher,
    TeachingAssignment,
)
from pilotage.schooling.permissions import can_enter_marks, can_manage_school
from pilotage.schooling.services.changes import records_changed

# The column of the teacher's appreciation in the grid, the XLSX file and the API: never an
# assessment's (those are ``<kind>_<number>``).
APPRECIATION = "appreciation"

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
    key: tuple[int, int]  # (assessment id, pupil id)
    value: Decimal | None
    code: str
    change: Change


@dataclass
class _Columns:
    """The sheet's columns and active roster, read once per save or preview."""

    by_column: dict[str, int]  # "test_1" → assessment id
    pupils: dict[str, int]  # code Massar → pupil id
    enrolments: dict[str, int]  # code Massar → enrolment id (the appreciations' key)
    maximum: Decimal = MARK_MAX  # the class's cycle's scale (GradingScale.mark_max)

    @classmethod
    def of(cls, sheet_id: int, school_class_id: int) -> _Columns:
        rows = _fetch(_COLUMNS_SQL, [sheet_id])
        by_column = {f"{kind}_{number}": pk for pk, kind, number, _max in rows}
        maximum = next((Decimal(str(m)) for *_row, m in rows if m is not None), MARK_MAX)
        roster = _fetch(_ROSTER_SQL, [school_class_id, *ACTIVE_STATUSES])
        pupils = {code: pupil_id for code, pupil_id, _enrolment in roster}
        enrolments = {code: enrolment_id for code, _pupil, enrolment_id in roster}
        return cls(by_column, pupils, enrolments, maximum)


# --- The statements of a save ----------------------------------------------------------
# A save runs at every teacher's deadline, all at once (the national peak), and Django
# spends 1–2.5 ms of CPU building each ORM query against 0.1–0.3 ms for the database to
# run it, so the few statements of this path are written in SQL once, here (measured
# in bench/marks_peak.py). They run unchanged on PostgreSQL and SQLite.


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# Each column row also brings the maximum of the class's cycle's scale (the same value on
# every row), so the scale costs no statement of its own.
_COLUMNS_SQL = (
    f"SELECT a.id, a.kind, a.number, (SELECT gs.mark_max FROM {_table(MarkSheet)} s"  # noqa: S608
    f" JOIN {_table(SchoolClass)} c ON c.id = s.school_class_id"
    f" JOIN {_table(GradeLevel)} g ON g.id = c.grade_level_id"
    f" JOIN {_table(GradingScale)} gs ON gs.cycle = g.cycle WHERE s.id = a.sheet_id)"
    f" FROM {_table(Assessment)} a WHERE a.sheet_id = %s"
)
_ROSTER_SQL = (
    f"SELECT p.code_massar, e.pupil_id, e.id FROM {_table(Enrolment)} e"  # noqa: S608
    f" JOIN {_table(Pupil)} p ON p.id = e.pupil_id"
    f" WHERE e.school_class_id = %s AND e.status IN ({', '.join(['%s'] * len(ACTIVE_STATUSES))})"
)
# The sheet with what a save checks: the school's path, whether the actor teaches this
# class and subject, and whether it is locked (validated, or past the deadline of the
# deepest unit above the school, unless reopened).
_LOCK_SQL = f"""
SELECT s.id, s.version, s.school_class_id, s.subject_id, s.semester_id, u.path,
  c.school_id, c.academic_year_id,
  EXISTS (
    SELECT 1 FROM {_table(TeachingAssignment)} t
    JOIN {_table(Teacher)} te ON te.id = t.teacher_id
    WHERE t.school_class_id = s.school_class_id AND t.subject_id = s.subject_id
      AND te.user_id = %(actor)s
  ),
  CASE WHEN s.unlocked_until IS NOT NULL AND s.unlocked_until > %(now)s THEN 0
       WHEN s.validated_at IS NOT NULL THEN 1
       WHEN (
         SELECT d.closes_at FROM {_table(MarkDeadline)} d
         JOIN {_table(OrgUnit)} a ON a.id = d.org_unit_id
         WHERE d.semester_id = s.semester_id AND a.path = substr(u.path, 1, length(a.path))
         ORDER BY a.depth DESC LIMIT 1
       ) < %(now)s THEN 1
       ELSE 0 END
FROM {_table(MarkSheet)} s
JOIN {_table(SchoolClass)} c ON c.id = s.school_class_id
JOIN {_table(OrgUnit)} u ON u.id = c.school_id
WHERE s.id = %(sheet)s
"""  # noqa: S608


_MAX_ID = 2**63 - 1  # a bigint primary key


@dataclass(frozen=True)
class _Locked:
    sheet: MarkSheet  # its own fields only
    school_path: str
    actor_teaches: bool
    locked: bool
    school_id: int
    year_id: int


def _lock_for_save(actor: Any, sheet_id: int, now: dt.datetime) -> _Locked:
    """The sheet row, locked until the end of the transaction (on PostgreSQL; SQLite
    writes one at a time, and the version update checks the version again)."""
    if not 0 < sheet_id <= _MAX_ID:  # the driver would refuse it, as a server error
        raise MarkSheet.DoesNotExist
    sql = _LOCK_SQL
    if connection.features.has_select_for_update_of:
        sql += connection.ops.for_update_sql(of=("s",))
    params = {
        "actor": getattr(actor, "pk", None),
        "now": connection.ops.adapt_datetimefield_value(now),
        "sheet": sheet_id,
    }
    rows = _fetch(sql, params)  # type: ignore[arg-type]
    if not rows:
        raise MarkSheet.DoesNotExist
    (pk, version, school_class_id, subject_id, semester_id, path, school, year) = rows[0][:8]
    teaches, locked = rows[0][8:]
    sheet = MarkSheet(
        id=pk,
        version=version,
        school_class_id=school_class_id,
        subject_id=subject_id,
        semester_id=semester_id,
    )
    return _Locked(sheet, path, bool(teaches), bool(locked), school, year)


def _bump_version(sheet: MarkSheet) -> None:
    """Move the version on, refusing if it moved since the sheet was read (the row lock
    already ensures it on PostgreSQL; this also holds where there is no row lock)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table(MarkSheet)} SET version = version + 1"  # noqa: S608
            " WHERE id = %s AND version = %s",
            [sheet.pk, sheet.version],
        )
        if cursor.rowcount != 1:
            raise SheetConflict(sheet.version + 1, sheet_last_editor(sheet))
    sheet.version += 1


def _stored_marks(assessment_ids: Iterable[int]) -> dict[tuple[int, int], str]:
    ids = sorted(assessment_ids)
    if not ids:
        return {}
    rows = _fetch(
        f"SELECT assessment_id, pupil_id, value, code FROM {_table(Mark)}"  # noqa: S608
        f" WHERE assessment_id IN ({', '.join(['%s'] * len(ids))})",
        ids,
    )
    return {
        (assessment_id, pupil_id): mark_text(value, code)
        for assessment_id, pupil_id, value, code in rows
    }


def sheet_last_editor(sheet: MarkSheet) -> str:
    """Who last saved marks on the sheet, to name them in a conflict message. Only saves
    count: validating or unlocking does not move the version, so it causes no conflict."""
    entry = (
        AuditEntry.objects.filter(
            object_type="schooling.marksheet", object_id=str(sheet.pk), action=UPDATE
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
            object_type="schooling.marksheet", object_id=str(sheet.pk), action=UPDATE
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


def _locked(sheet: MarkSheet, deadline: dt.datetime | None, now: dt.datetime) -> bool:
    """The rule; a save checks the same in SQL (``_LOCK_SQL``)."""
    if sheet.unlocked_until and sheet.unlocked_until > now:
        return False
    if sheet.validated_at is not None:
        return True
    return deadline is not None and now > deadline


def sheet_is_locked(sheet: MarkSheet, *, now: dt.datetime | None = None) -> bool:
    return _locked(sheet, sheet_deadline(sheet), now or timezone.now())


# Arabic-Indic (U+0660-0669) and Extended Arabic-Indic (U+06F0-06F9) digits are what
# Arabic and Persian keyboard layouts type; the Arabic decimal separator (U+066B) too.
_ARABIC_DIGITS = str.maketrans(
    {
        **{0x0660 + n: str(n) for n in range(10)},
        **{0x06F0 + n: str(n) for n in range(10)},
        0x066B: ".",
    }
)
_MARK_TEXT = re.compile(r"[0-9]+(?:[.,][0-9]+)?")


def number_text(value: int | float | Decimal) -> str:
    """A spreadsheet number written out as a person would type it: no exponent, and no
    sign on a zero (``1e-05`` is ``0.00001``, ``-0.0`` is ``0.0``)."""
    number = Decimal(str(value))
    if not number.is_finite():
        return str(value)
    return format(number + 0, "f")


def out_of_range(maximum: Decimal) -> str:
    if maximum == MARK_MAX:
        return _("la note doit être comprise entre 0 et 20")
    return _("la note doit être comprise entre 0 et %(max)s") % {
        "max": format(maximum.normalize(), "f")
    }


def parse_cell(raw: Any, maximum: Decimal = MARK_MAX) -> tuple[Decimal | None, str]:
    """The one rule for a mark, wherever it comes from (the web grid, the API, the XLSX
    upload and ``import_marks``), documented in docs/schooling.md: empty; a code
    (``ABS``/``A``, ``DISP``/``D``, any case); or digits with at most one decimal
    separator (``.``, ``,`` or ``٫``), with Arabic-Indic digits read as their value, from
    0 to ``maximum`` (the cycle's scale: 10 in primary, 20 after) with two decimals at
    most. No sign, exponent, hexadecimal or digit grouping:
    ``+5``, ``-0``, ``1e1``, ``0x10`` are refused (``-3`` as out of range). A spreadsheet
    number is read as :func:`number_text` writes it."""
    if raw is None:
        return None, ""
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        raw = number_text(raw)
    text = str(raw).strip()
    if text == "":
        return None, ""
    if text.upper() in CODES:
        return None, CODES[text.upper()]
    text = text.translate(_ARABIC_DIGITS)
    if not _MARK_TEXT.fullmatch(text):
        if text[:1] == "-" and _MARK_TEXT.fullmatch(text[1:]) and text.strip("-0.,"):
            raise ValueError(out_of_range(maximum))
        try:
            readable = text.isascii() and Decimal(text).is_finite()
        except InvalidOperation:
            readable = False
        if readable:
            raise ValueError(_("une note s'écrit comme 12, 12,5 ou 12.5, sans signe ni exposant"))
        raise ValueError(_("n'est pas un nombre"))
    value = Decimal(text.replace(",", "."))
    if value > maximum:
        raise ValueError(out_of_range(maximum))
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(_("deux décimales au plus"))
    return value.quantize(Decimal("0.01")), ""


def appreciation_text(raw: Any) -> str:
    """An appreciation as stored: on one line, runs of spaces, tabs and line breaks made
    one space, control characters dropped (a pasted cell may carry them)."""
    if raw is None:
        return ""
    text = " ".join(str(raw).split())
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc")


def _split_appreciations(
    columns: _Columns, cells: Iterable[Cell]
) -> tuple[list[Cell], dict[int, str], list[Problem]]:
    """The mark cells, left for :func:`_validate`, and the appreciations checked here:
    enrolment id → text."""
    marks: list[Cell] = []
    texts: dict[int, str] = {}
    rows: dict[int, int] = {}
    problems: list[Problem] = []
    for cell in cells:
        if cell.column != APPRECIATION:
            marks.append(cell)
            continue
        enrolment_id = columns.enrolments.get(cell.code_massar)
        if enrolment_id is None:
            problems.append(
                Problem(
                    cell.row, "code_massar", cell.code_massar, _("élève non inscrit dans la classe")
                )
            )
            continue
        if enrolment_id in rows:
            problems.append(
                Problem(
                    cell.row,
                    "code_massar",
                    cell.code_massar,
                    _("même élève, même évaluation : déjà à la ligne %(row)s")
                    % {"row": rows[enrolment_id]},
                )
            )
            continue
        rows[enrolment_id] = cell.row
        text = appreciation_text(cell.raw)
        if len(text) > APPRECIATION_MAX:
            problems.append(
                Problem(
                    cell.row,
                    APPRECIATION,
                    text,
                    _("%(max)s caractères au plus (%(count)s ici)")
                    % {"max": APPRECIATION_MAX, "count": len(text)},
                )
            )
            continue
        texts[enrolment_id] = text
    return marks, texts, problems


def _plan_appreciations(
    sheet_id: int, columns: _Columns, texts: dict[int, str]
) -> list[tuple[int, str, Change]]:
    """The appreciations whose stored text differs from the wanted one, read in one
    query (none when the save carries no appreciation)."""
    if not texts:
        return []
    stored: dict[int, str] = dict(
        _fetch(
            f"SELECT enrolment_id, text FROM {_table(Appreciation)} WHERE sheet_id = %s",  # noqa: S608
            [sheet_id],
        )
    )
    codes = {enrolment_id: code for code, enrolment_id in columns.enrolments.items()}
    steps = []
    for enrolment_id, text in texts.items():
        old = stored.get(enrolment_id)
        new = text or None
        if old == new:
            continue
        steps.append((enrolment_id, text, Change(codes[enrolment_id], APPRECIATION, old, new)))
    return steps


def _write_appreciations(
    sheet_id: int, steps: list[tuple[int, str, Change]], actor: Any, now: dt.datetime
) -> None:
    rows = [
        Appreciation(
            sheet_id=sheet_id,
            enrolment_id=enrolment_id,
            text=text,
            updated_by=actor,
            updated_at=now,
        )
        for enrolment_id, text, _change in steps
        if text
    ]
    if rows:
        Appreciation.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["sheet", "enrolment"],
            update_fields=["text", "updated_by", "updated_at"],
        )
    emptied = [enrolment_id for enrolment_id, text, _change in steps if not text]
    if emptied:
        Appreciation.objects.filter(sheet_id=sheet_id, enrolment_id__in=emptied).delete()


def _validate(
    columns: _Columns, cells: Iterable[Cell]
) -> tuple[dict[tuple[int, int], tuple[Decimal | None, str]], list[Problem]]:
    wanted: dict[tuple[int, int], tuple[Decimal | None, str]] = {}
    rows: dict[tuple[int, int], int] = {}
    problems: list[Problem] = []
    for cell in cells:
        pupil_id = columns.pupils.get(cell.code_massar)
        assessment_id = columns.by_column.get(cell.column)
        if pupil_id is None:
            problems.append(
                Problem(
                    cell.row, "code_massar", cell.code_massar, _("élève non inscrit dans la classe")
                )
            )
            continue
        if assessment_id is None:
            problems.append(
                Problem(
                    cell.row, cell.column, str(cell.raw), _("évaluation inconnue sur cette feuille")
                )
            )
            continue
        key = (assessment_id, pupil_id)
        if key in rows:
            # Which of two values for one cell to keep is a guess: refused, like the import.
            problems.append(
                Problem(
                    cell.row,
                    "code_massar",
                    cell.code_massar,
                    _("même élève, même évaluation : déjà à la ligne %(row)s") % {"row": rows[key]},
                )
            )
            continue
        rows[key] = cell.row
        try:
            wanted[key] = parse_cell(cell.raw, columns.maximum)
        except ValueError as exc:
            problems.append(Problem(cell.row, cell.column, str(cell.raw), str(exc)))
    return wanted, problems


def _plan(
    columns: _Columns, wanted: dict[tuple[int, int], tuple[Decimal | None, str]]
) -> list[_Step]:
    """The cells whose stored mark differs from the wanted one: what a save writes and
    what a preview shows, computed the same way for both. Only the columns the cells
    touch are read, as plain tuples."""
    stored = _stored_marks({assessment_id for assessment_id, _pupil in wanted})
    codes = {pupil_id: code for code, pupil_id in columns.pupils.items()}
    names = {pk: column for column, pk in columns.by_column.items()}
    steps: list[_Step] = []
    for key, (value, code) in wanted.items():
        old = stored.get(key)
        new = mark_text(value, code) or None
        if old == new:
            continue
        change = Change(codes[key[1]], names[key[0]], old, new)
        steps.append(_Step(key, value, code, change))
    return steps


def sheet_preview(*, sheet: MarkSheet, cells: Iterable[Cell]) -> tuple[list[Change], list[Problem]]:
    """What saving ``cells`` would change, and every problem that would refuse it, without
    writing: the XLSX upload shows this before the user confirms."""
    columns = _Columns.of(sheet.pk, sheet.school_class_id)
    mark_cells, texts, text_problems = _split_appreciations(columns, cells)
    wanted, problems = _validate(columns, mark_cells)
    problems += text_problems
    if problems:
        return [], problems
    changes = [step.change for step in _plan(columns, wanted)]
    return changes + [c for _e, _t, c in _plan_appreciations(sheet.pk, columns, texts)], []


@transaction.atomic
def marks_save_sheet(
    *, actor: Any, sheet: MarkSheet | int, version: int, cells: Iterable[Cell]
) -> dict[str, int]:
    """Save a whole sheet (given as the sheet or its id: the API saves by id without
    loading it first), its marks and the appreciations among ``cells`` (column
    :data:`APPRECIATION`; a save without them leaves the stored ones alone). Raises
    SheetConflict, SheetLocked, SheetRejected, PermissionDenied or MarkSheet.DoesNotExist;
    on any of them nothing is written."""
    now = timezone.now()
    locked = _lock_for_save(actor, sheet if isinstance(sheet, int) else sheet.pk, now)
    if not can_enter_marks(actor, locked.school_path, lambda: locked.actor_teaches):
        raise PermissionDenied
    if locked.sheet.version != version:
        raise SheetConflict(locked.sheet.version, sheet_last_editor(locked.sheet))
    if locked.locked:
        raise SheetLocked
    columns = _Columns.of(locked.sheet.pk, locked.sheet.school_class_id)
    mark_cells, texts, text_problems = _split_appreciations(columns, cells)
    wanted, problems = _validate(columns, mark_cells)
    problems += text_problems
    if problems:
        raise SheetRejected(problems)
    stamp = connection.ops.adapt_datetimefield_value(now)
    to_write: list[tuple[Any, ...]] = []
    to_delete: list[tuple[int, int]] = []
    changes: dict[str, list[Any]] = {}
    for step in _plan(columns, wanted):
        change = step.change
        changes[f"{change.code_massar}/{change.column}"] = [change.old, change.new]
        if change.new is None:
            to_delete.append(step.key)
        else:
            to_write.append((*step.key, step.value, step.code, actor.pk, stamp))
    marks_changed = len(changes)
    remarks = _plan_appreciations(locked.sheet.pk, columns, texts)
    for _enrolment, _text, change in remarks:
        changes[f"{change.code_massar}/{change.column}"] = [change.old, change.new]
    if not changes:
        return {"version": locked.sheet.version, "changed": 0, "appreciations": 0}
    _upsert_marks(to_write)
    _write_appreciations(locked.sheet.pk, remarks, actor, now)
    for assessment_id, pupil_ids in _by_assessment(to_delete).items():
        Mark.objects.filter(assessment_id=assessment_id, pupil_id__in=pupil_ids).delete()
    _bump_version(locked.sheet)
    records_changed(school_ids=[locked.school_id], year_id=locked.year_id)
    audit_record(
        actor=actor, action=UPDATE, obj=locked.sheet, changes=changes, path=locked.school_path
    )
    return {
        "version": locked.sheet.version,
        "changed": marks_changed,
        "appreciations": len(remarks),
    }


_UPSERT_COLUMNS = ("assessment_id", "pupil_id", "value", "code", "updated_by_id", "updated_at")


def _upsert_marks(rows: list[tuple[Any, ...]]) -> None:
    """Insert or overwrite marks, one statement for the whole sheet on PostgreSQL.

    Written in SQL because it is the hottest write of the system: ``bulk_create`` with
    ``update_conflicts`` makes the same statement but spends more time preparing 40
    model instances than PostgreSQL spends running it (bench/marks_peak.py)."""
    if not rows:
        return
    table = connection.ops.quote_name(Mark._meta.db_table)
    columns = ", ".join(_UPSERT_COLUMNS)
    update = ", ".join(f"{c} = excluded.{c}" for c in _UPSERT_COLUMNS[2:])
    conflict = f"ON CONFLICT (assessment_id, pupil_id) DO UPDATE SET {update}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT * FROM unnest("  # noqa: S608
                "%s::bigint[], %s::bigint[], %s::numeric[], %s::varchar[], %s::bigint[],"
                f" %s::timestamptz[]) {conflict}",
                [list(column) for column in zip(*rows, strict=True)],
            )
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s) {conflict}",  # noqa: S608
                rows,
            )


def _by_assessment(keys: Iterable[tuple[int, int]]) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = {}
    for assessment_id, pupil_id in keys:
        grouped.setdefault(assessment_id, []).append(pupil_id)
    return grouped


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
    audit_record(actor=actor, action=VALIDATE, obj=sheet, changes={"validated": [False, True]})
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
        action=UNLOCK,
        obj=sheet,
        changes={
            "locked": [True, False],
            "reason": [None, reason],
            "until": [None, sheet.unlocked_until.isoformat()],
        },
    )
    return sheet
