"""Saving, locking and reopening a marks sheet (services/marks.py)."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections
from django.utils import timezone

from pilotage.core.models import AuditEntry
from pilotage.core.scope import scope_of
from pilotage.core.tests.support import require, unchanged
from pilotage.schooling.models import Mark, MarkDeadline, MarkSheet
from pilotage.schooling.permissions import can_edit_sheet, can_view_sheet
from pilotage.schooling.services.marks import (
    Cell,
    Change,
    SheetConflict,
    SheetLocked,
    SheetRejected,
    marks_save_sheet,
    parse_cell,
    sheet_changed_since,
    sheet_is_locked,
    sheet_last_editor,
    sheet_preview,
    sheet_unlock,
    sheet_validate,
)

# Written with marks out of 20 in class A1 (5AP): see conftest.marks_out_of_20.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("marks_out_of_20")]


def cells(*entries: tuple[object, str, object]) -> list[Cell]:
    return [
        Cell(p.code_massar, column, raw, row=n) for n, (p, column, raw) in enumerate(entries, 1)
    ]  # type: ignore[attr-defined]


def marks_state(sheet: MarkSheet) -> list[tuple[str, str, Decimal | None, str]]:
    """Everything a save could touch, to assert that a refused one changed nothing."""
    return sorted(
        (m.pupil.code_massar, m.assessment.column, m.value, m.code)
        for m in Mark.objects.filter(assessment__sheet=sheet).select_related("pupil", "assessment")
    )


def fresh(sheet: MarkSheet) -> MarkSheet:
    return MarkSheet.objects.select_related("school_class__school").get(pk=sheet.pk)


def test_save_creates_updates_deletes_and_bumps_the_version(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    sheet, (p1, p2, p3, *_rest) = school_year.sheet, school_year.pupils_a1
    teacher = personas.teacher_a1
    result = marks_save_sheet(
        actor=teacher,
        sheet=sheet,
        version=0,
        cells=cells((p1, "test_1", "12,5"), (p2, "test_1", "ABS"), (p3, "test_2", "d")),
    )
    assert result == {"version": 1, "changed": 3, "appreciations": 0}
    assert marks_state(sheet) == [
        (p1.code_massar, "test_1", Decimal("12.50"), ""),
        (p2.code_massar, "test_1", None, "ABS"),
        (p3.code_massar, "test_2", None, "DISP"),
    ]
    assert {m.updated_by for m in Mark.objects.all()} == {teacher}

    result = marks_save_sheet(
        actor=personas.head_a,
        sheet=sheet,
        version=1,
        cells=cells((p1, "test_1", "14"), (p2, "test_1", ""), (p3, "test_2", "DISP")),
    )
    assert result == {"version": 2, "changed": 2, "appreciations": 0}
    assert marks_state(sheet) == [
        (p1.code_massar, "test_1", Decimal("14.00"), ""),
        (p3.code_massar, "test_2", None, "DISP"),
    ]
    updated = Mark.objects.get(pupil=p1)
    assert updated.updated_by == personas.head_a
    assert Mark.objects.get(pupil=p3).updated_by == teacher  # untouched cell keeps its author
    assert fresh(sheet).version == 2


def test_audit_row_lists_each_change_old_to_new(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    sheet, (p1, p2, *_rest) = school_year.sheet, school_year.pupils_a1
    marks_save_sheet(
        actor=personas.teacher_a1,
        sheet=sheet,
        version=0,
        cells=cells((p1, "test_1", "10"), (p2, "activity_1", "ABS")),
    )
    marks_save_sheet(
        actor=personas.teacher_a1,
        sheet=sheet,
        version=1,
        cells=cells((p1, "test_1", "11.5"), (p2, "activity_1", "ABS")),
    )
    entries = list(
        AuditEntry.objects.filter(object_type="schooling.marksheet", object_id=str(sheet.pk))
    )
    assert len(entries) == 2
    assert entries[0].actor == personas.teacher_a1
    assert entries[0].changes == {f"{p1.code_massar}/test_1": ["10.00", "11.50"]}
    assert entries[1].changes == {
        f"{p1.code_massar}/test_1": [None, "10.00"],
        f"{p2.code_massar}/activity_1": [None, "ABS"],
    }


def test_a_save_that_changes_nothing_writes_nothing(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    sheet, p1 = school_year.sheet, school_year.pupils_a1[0]
    marks_save_sheet(
        actor=personas.teacher_a1, sheet=sheet, version=0, cells=cells((p1, "test_1", "9"))
    )
    result = marks_save_sheet(
        actor=personas.teacher_a1, sheet=sheet, version=1, cells=cells((p1, "test_1", "9,00"))
    )
    assert result == {"version": 1, "changed": 0, "appreciations": 0}
    assert AuditEntry.objects.filter(object_type="schooling.marksheet").count() == 1


def test_stale_version_is_a_conflict_that_names_the_saver_and_changes_nothing(
    personas, school_year
) -> None:  # type: ignore[no-untyped-def]
    sheet, p1 = school_year.sheet, school_year.pupils_a1[0]
    marks_save_sheet(
        actor=personas.head_a, sheet=sheet, version=0, cells=cells((p1, "test_1", "15"))
    )
    before = marks_state(sheet)
    with pytest.raises(SheetConflict) as caught:
        marks_save_sheet(
            actor=personas.teacher_a1, sheet=sheet, version=0, cells=cells((p1, "test_1", "4"))
        )
    assert caught.value.current_version == 1
    assert caught.value.by == personas.head_a.get_full_name()
    assert marks_state(sheet) == before
    assert fresh(sheet).version == 1


def test_validating_does_not_count_as_the_last_save(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    sheet, p1 = school_year.sheet, school_year.pupils_a1[0]
    marks_save_sheet(
        actor=personas.teacher_a1, sheet=sheet, version=0, cells=cells((p1, "test_1", "15"))
    )
    sheet_validate(actor=personas.head_a, sheet=sheet)
    assert sheet_last_editor(sheet) == personas.teacher_a1.get_full_name()


def test_changed_since_lists_the_cells_others_saved_with_their_author(
    personas, school_year
) -> None:  # type: ignore[no-untyped-def]
    sheet, (p1, p2, *_rest) = school_year.sheet, school_year.pupils_a1
    marks_save_sheet(
        actor=personas.teacher_a1, sheet=sheet, version=0, cells=cells((p1, "test_1", "10"))
    )
    sheet_validate(actor=personas.head_a, sheet=sheet)  # no version, no change listed
    sheet_unlock(actor=personas.head_a, sheet=sheet, reason="Reprise de la saisie")
    marks_save_sheet(
        actor=personas.head_a,
        sheet=sheet,
        version=1,
        cells=cells((p1, "test_1", "11"), (p2, "test_2", "ABS")),
    )
    sheet = fresh(sheet)
    head, teacher = personas.head_a.get_full_name(), personas.teacher_a1.get_full_name()
    assert sheet_changed_since(sheet, 0) == {
        (p1.code_massar, "test_1"): head,
        (p2.code_massar, "test_2"): head,
    }
    assert teacher != head
    assert sheet_changed_since(sheet, 1) == sheet_changed_since(sheet, 0)
    marks_save_sheet(
        actor=personas.teacher_a1, sheet=sheet, version=2, cells=cells((p2, "test_2", "7"))
    )
    sheet = fresh(sheet)
    assert sheet_changed_since(sheet, 1) == {
        (p1.code_massar, "test_1"): head,
        (p2.code_massar, "test_2"): teacher,
    }
    assert sheet_changed_since(sheet, 3) == {}
    assert sheet_changed_since(sheet, -1) == {}


def test_two_saves_from_the_same_version_the_second_is_refused(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    """Both users loaded version 0; whoever saves second is told, whatever they typed."""
    sheet, (p1, p2, *_rest) = school_year.sheet, school_year.pupils_a1
    loaded_by_teacher = fresh(sheet)
    loaded_by_head = fresh(sheet)
    marks_save_sheet(
        actor=personas.teacher_a1,
        sheet=loaded_by_teacher,
        version=loaded_by_teacher.version,
        cells=cells((p1, "test_1", "12")),
    )
    with pytest.raises(SheetConflict):
        marks_save_sheet(
            actor=personas.head_a,
            sheet=loaded_by_head,
            version=loaded_by_head.version,
            cells=cells((p2, "test_1", "18")),  # a different cell: still refused
        )
    assert marks_state(sheet) == [(p1.code_massar, "test_1", Decimal("12.00"), "")]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_saves_racing_in_parallel_only_one_wins(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    """Two threads, two database connections, released at the same instant with the same
    version: the row lock makes the second wait, then see the first one's version.

    PostgreSQL only (CI runs the suite on it too): the in-memory SQLite test database
    answers "table is locked" at once instead of waiting, unlike the file database the
    application runs on, whose BEGIN IMMEDIATE queues writers."""
    # Marked postgres: make test deselects it, .ci/run runs it in its PostgreSQL pass.
    require(connection.vendor == "postgresql", "needs PostgreSQL")
    sheet, pupils = school_year.sheet, school_year.pupils_a1
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(actor, pupil) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=10)
            marks_save_sheet(
                actor=actor, sheet=sheet, version=0, cells=cells((pupil, "test_1", "10"))
            )
            outcomes.append("saved")
        except SheetConflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=(personas.teacher_a1, pupils[0])),
        threading.Thread(target=save, args=(personas.head_a, pupils[1])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "saved"]
    assert fresh(sheet).version == 1
    assert Mark.objects.filter(assessment__sheet=sheet).count() == 1


def test_validated_sheet_is_locked(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    sheet, p1 = school_year.sheet, school_year.pupils_a1[0]
    sheet_validate(actor=personas.head_a, sheet=sheet)
    sheet = fresh(sheet)
    assert sheet.validated_by == personas.head_a and sheet_is_locked(sheet)
    with pytest.raises(SheetLocked):
        marks_save_sheet(
            actor=personas.teacher_a1, sheet=sheet, version=0, cells=cells((p1, "test_1", "12"))
        )
    assert marks_state(sheet) == []
    assert AuditEntry.objects.get(action="validate").changes == {"validated": [False, True]}


def test_sheet_past_its_deadline_is_locked_and_the_deepest_deadline_wins(
    personas, school_year
) -> None:  # type: ignore[no-untyped-def]
    sheet, p1 = school_year.sheet, school_year.pupils_a1[0]
    now = timezone.now()
    MarkDeadline.objects.create(
        semester=school_year.s1, org_unit=personas.country, closes_at=now - dt.timedelta(days=1)
    )
    assert sheet_is_locked(fresh(sheet))
    with pytest.raises(SheetLocked):
        marks_save_sheet(
            actor=personas.teacher_a1, sheet=sheet, version=0, cells=cells((p1, "test_1", "12"))
        )
    assert marks_state(sheet) == []
    # The province gives its schools one more week: the province's date applies.
    MarkDeadline.objects.create(
        semester=school_year.s1,
        org_unit=personas.province_a,
        closes_at=now + dt.timedelta(days=7),
    )
    assert not sheet_is_locked(fresh(sheet))
    assert sheet_is_locked(fresh(sheet), now=now + dt.timedelta(days=8))
    marks_save_sheet(
        actor=personas.teacher_a1, sheet=sheet, version=0, cells=cells((p1, "test_1", "12"))
    )


DAY = dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("case", "validated", "reopened", "deadlines", "locked"),
    [
        ("open", False, None, {}, False),
        ("validated", True, None, {}, True),
        ("validated, reopened", True, DAY, {}, False),
        ("validated, reopening over", True, -DAY, {}, True),
        ("national date passed", False, None, {"country": -DAY}, True),
        (
            "national passed, province later",
            False,
            None,
            {"country": -DAY, "province_a": DAY},
            False,
        ),
        ("province later, school passed", False, None, {"province_a": DAY, "school_a": -DAY}, True),
        ("date passed, reopened", False, DAY, {"country": -DAY}, False),
        ("date to come", False, None, {"country": DAY}, False),
    ],
)
def test_a_save_applies_the_same_lock_rule_as_sheet_is_locked(  # type: ignore[no-untyped-def]
    personas, school_year, case, validated, reopened, deadlines, locked
) -> None:
    """The save checks the rule in SQL (one statement with the row lock), the pages with
    sheet_is_locked: both must agree in every case."""
    sheet, p1 = school_year.sheet, school_year.pupils_a1[0]
    now = timezone.now()
    sheet.validated_at = now - DAY if validated else None
    sheet.unlocked_until = now + reopened if reopened else None
    sheet.save()
    for unit, offset in deadlines.items():
        MarkDeadline.objects.create(
            semester=school_year.s1, org_unit=getattr(personas, unit), closes_at=now + offset
        )
    assert sheet_is_locked(fresh(sheet)) is locked, case
    save = lambda: marks_save_sheet(  # noqa: E731
        actor=personas.teacher_a1, sheet=sheet, version=0, cells=cells((p1, "test_1", "12"))
    )
    if locked:
        with pytest.raises(SheetLocked):
            save()
        assert marks_state(sheet) == []
    else:
        assert save()["changed"] == 1


def test_unlock_needs_a_reason_reopens_for_a_while_and_is_audited(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    sheet, p1 = school_year.sheet, school_year.pupils_a1[0]
    sheet_validate(actor=personas.head_a, sheet=sheet)
    with unchanged(MarkSheet), pytest.raises(ValueError, match="motif"):
        sheet_unlock(actor=personas.head_a, sheet=sheet, reason="  ok ")
    with unchanged(MarkSheet), pytest.raises(PermissionDenied):
        sheet_unlock(
            actor=personas.teacher_a1, sheet=sheet, reason="Erreur de saisie au contrôle 2"
        )
    with unchanged(MarkSheet), pytest.raises(PermissionDenied):
        sheet_unlock(actor=personas.head_b, sheet=sheet, reason="Erreur de saisie au contrôle 2")
    assert sheet_is_locked(fresh(sheet))

    sheet_unlock(
        actor=personas.head_a, sheet=sheet, reason="Erreur de saisie au contrôle 2", hours=24
    )
    sheet = fresh(sheet)
    assert not sheet_is_locked(sheet) and sheet.validated_at is None
    entry = AuditEntry.objects.get(action="unlock")
    assert entry.actor == personas.head_a
    assert entry.changes["reason"] == [None, "Erreur de saisie au contrôle 2"]
    assert entry.changes["locked"] == [True, False]
    marks_save_sheet(
        actor=personas.teacher_a1, sheet=sheet, version=0, cells=cells((p1, "test_1", "13"))
    )
    # Past the reopening window a deadline that has gone by closes the sheet again.
    MarkDeadline.objects.create(
        semester=school_year.s1,
        org_unit=personas.school_a,
        closes_at=timezone.now() - dt.timedelta(days=1),
    )
    assert not sheet_is_locked(fresh(sheet))
    assert sheet_is_locked(fresh(sheet), now=timezone.now() + dt.timedelta(hours=25))


def test_invalid_cells_are_all_listed_and_nothing_is_written(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    sheet, (p1, p2, p3, p4, p5) = school_year.sheet, school_year.pupils_a1
    outsider = school_year.pupils_b1[0]
    marks_save_sheet(
        actor=personas.teacher_a1, sheet=sheet, version=0, cells=cells((p1, "test_1", "8"))
    )
    before = marks_state(sheet)
    with pytest.raises(SheetRejected) as caught:
        marks_save_sheet(
            actor=personas.teacher_a1,
            sheet=sheet,
            version=1,
            cells=cells(
                (p1, "test_1", "21"),
                (p2, "test_1", "-1"),
                (p3, "test_1", "abc"),
                (p4, "test_1", "12.345"),
                (p5, "test_9", "10"),
                (outsider, "test_1", "10"),
                (p5, "test_2", "12,5"),  # valid, yet not written either
            ),
        )
    assert [(p.row, p.column, p.value) for p in caught.value.problems] == [
        (1, "test_1", "21"),
        (2, "test_1", "-1"),
        (3, "test_1", "abc"),
        (4, "test_1", "12.345"),
        (5, "test_9", "10"),
        (6, "code_massar", outsider.code_massar),
    ]
    reasons = [p.reason for p in caught.value.problems]
    assert reasons[0] == reasons[1] == "la note doit être comprise entre 0 et 20"
    assert reasons[2] == "n'est pas un nombre"
    assert reasons[3] == "deux décimales au plus"
    assert marks_state(sheet) == before
    assert fresh(sheet).version == 1


@pytest.mark.parametrize("persona", ["head_b", "provincial_a", "provincial_b", "parent_a", "agent"])
def test_others_cannot_save_and_nothing_changes(personas, school_year, persona) -> None:  # type: ignore[no-untyped-def]
    sheet, p1 = school_year.sheet, school_year.pupils_a1[0]
    with unchanged(Mark, MarkSheet), pytest.raises(PermissionDenied):
        marks_save_sheet(
            actor=getattr(personas, persona),
            sheet=sheet,
            version=0,
            cells=cells((p1, "test_1", "1")),
        )


def test_who_may_view_and_edit_a_sheet(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    sheet = fresh(school_year.sheet)
    names = [
        "national_admin",
        "regional_officer",
        "provincial_a",
        "provincial_b",
        "head_a",
        "head_b",
        "teacher_a1",
        "parent_a",
        "agent",
    ]
    view = {name: can_view_sheet(getattr(personas, name), sheet) for name in names}
    assert view == {
        "national_admin": True,
        "regional_officer": True,
        "provincial_a": True,
        "provincial_b": False,
        "head_a": True,
        "head_b": False,
        "teacher_a1": True,
        "parent_a": False,
        "agent": False,
    }
    assert can_edit_sheet(personas.teacher_a1, sheet)
    assert can_edit_sheet(personas.head_a, sheet)
    assert not can_edit_sheet(personas.provincial_a, sheet)


def test_preview_lists_the_changes_and_writes_nothing(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    sheet, (p1, p2, *_rest) = school_year.sheet, school_year.pupils_a1
    marks_save_sheet(
        actor=personas.teacher_a1, sheet=sheet, version=0, cells=cells((p1, "test_1", "8"))
    )
    changes, problems = sheet_preview(
        sheet=sheet, cells=cells((p1, "test_1", "9"), (p2, "test_2", "ABS"), (p1, "test_3", ""))
    )
    assert problems == []
    assert changes == [
        Change(p1.code_massar, "test_1", "8.00", "9.00"),
        Change(p2.code_massar, "test_2", None, "ABS"),
    ]
    assert marks_state(sheet) == [(p1.code_massar, "test_1", Decimal("8.00"), "")]
    _changes, problems = sheet_preview(sheet=sheet, cells=cells((p1, "test_1", "20,01")))
    assert [p.value for p in problems] == ["20,01"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12,5", (Decimal("12.50"), "")),
        (" 12.25 ", (Decimal("12.25"), "")),
        (20, (Decimal("20.00"), "")),
        (0, (Decimal("0.00"), "")),
        (12.5, (Decimal("12.50"), "")),
        ("abs", (None, "ABS")),
        ("A", (None, "ABS")),
        ("Disp", (None, "DISP")),
        ("", (None, "")),
        (None, (None, "")),
        # Arabic-Indic digits (what Arabic keyboards type) and the Arabic decimal separator
        ("١٢", (Decimal("12.00"), "")),
        ("١٢٫٥", (Decimal("12.50"), "")),
        ("۱۵,۲۵", (Decimal("15.25"), "")),
        ("12.500", (Decimal("12.50"), "")),
        # spreadsheet numbers: a negative zero is zero
        (-0.0, (Decimal("0.00"), "")),
        (Decimal("-0"), (Decimal("0.00"), "")),
        (Decimal("1E+1"), (Decimal("10.00"), "")),
    ],
)
def test_parse_cell_accepts(raw, expected) -> None:  # type: ignore[no-untyped-def]
    assert parse_cell(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("21", "comprise entre 0 et 20"),
        ("20.5", "comprise entre 0 et 20"),
        (-1, "comprise entre 0 et 20"),
        ("12,345", "deux décimales"),
        (1e-05, "deux décimales"),
        ("abc", "n'est pas un nombre"),
        ("1,2,3", "n'est pas un nombre"),
        ("NaN", "n'est pas un nombre"),
        ("Infinity", "n'est pas un nombre"),
        (float("nan"), "n'est pas un nombre"),
        ("0x10", "n'est pas un nombre"),
        ("1 2", "n'est pas un nombre"),
        ("१२", "n'est pas un nombre"),  # Devanagari digits: not an Arabic keyboard's
        ("12.", "sans signe"),
        # what Python's Decimal reads but nobody writes as a mark
        ("-1", "comprise entre 0 et 20"),
        ("-0.0", "sans signe"),
        ("-0", "sans signe"),
        ("+5", "sans signe"),
        ("1e1", "sans signe"),
        ("1_0", "sans signe"),
    ],
)
def test_parse_cell_refuses(raw, reason) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=reason):
        parse_cell(raw)


@pytest.mark.parametrize("empties", [False, True], ids=["writes", "writes-and-empties"])
def test_a_save_costs_a_fixed_number_of_statements(
    personas, school_year, empties, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    """The module's docstring promises eight statements whatever the class size, a ninth
    when the save empties cells; the same on SQLite and PostgreSQL."""
    sheet, pupils = school_year.sheet, school_year.pupils_a1
    teacher = personas.teacher_a1
    marks_save_sheet(
        actor=teacher, sheet=sheet, version=0, cells=cells((pupils[0], "test_2", "10"))
    )
    scope_of(teacher)  # read once per request, before the save, by the view's login
    new = [(p, "test_1", "12") for p in pupils]
    if empties:
        new.append((pupils[0], "test_2", ""))
    # Inside the test's own transaction the save's atomic block is a savepoint: SAVEPOINT
    # and RELEASE SAVEPOINT frame the statements the docstring counts.
    # 1 SAVEPOINT, 2 the sheet locked with the school's path, whether the actor teaches
    # it and whether it is locked (_LOCK_SQL), 3 the sheet's columns, 4 the class's active
    # roster, 5 the stored marks of those columns, 6 the upsert of the new marks (one
    # statement: unnest() on PostgreSQL, executemany on SQLite), [7 the delete of the
    # emptied marks,] 7|8 the version bump, 8|9 the school × year marked dirty for the
    # indicators (already marked by the first save: the UPDATE of the upsert), 9|10 the
    # audit row, 10|11 RELEASE SAVEPOINT.
    with django_assert_num_queries(10 + empties):
        result = marks_save_sheet(actor=teacher, sheet=sheet, version=1, cells=cells(*new))
    assert result["changed"] == len(new)
