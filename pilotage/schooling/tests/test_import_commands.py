"""The import commands: exit status 0 when applied, 1 with every problem on stderr and
nothing written."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pilotage.core.models import AuditEntry
from pilotage.schooling.imports import MARK_COLUMNS, STUDENT_COLUMNS, TEACHER_COLUMNS
from pilotage.schooling.models import Enrolment, Mark, Pupil, Teacher
from pilotage.schooling.tests.test_imports import csv, mark, state, student, teacher

# Marks out of 20 in class A1 (5AP): see conftest.marks_out_of_20 (the primary /10 scale is
# tested in test_grading.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("marks_out_of_20")]


def test_import_students_applies_and_is_idempotent(school_year, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "eleves.csv"
    path.write_text(csv([student(), student(code_massar="K200000002")]), encoding="utf-8")
    call_command("import_students", str(path))
    out = capsys.readouterr().out
    assert "rows 2, created 2, updated 0, unchanged 0" in out
    assert (
        Enrolment.objects.filter(pupil__code_massar__in=["K200000001", "K200000002"]).count() == 2
    )
    audit = AuditEntry.objects.count()
    call_command("import_students", str(path))
    assert "created 0, updated 0, unchanged 2" in capsys.readouterr().out
    assert AuditEntry.objects.count() == audit


def test_import_students_rejects_with_exit_status_1(school_year, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "eleves.csv"
    path.write_text(
        csv([student(), student(code_massar="K20000000X", sexe="H")], sep=";"), encoding="utf-8"
    )
    before = state()
    with pytest.raises(SystemExit) as exited:
        call_command("import_students", str(path))
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert (
        "ligne 3 · colonne code_massar · valeur « K20000000X » : code Massar mal formé : "
        "une lettre majuscule suivie de 9 chiffres (ex. J130000001)"
    ) in err
    assert "ligne 3 · colonne sexe · valeur « H » : attendu : M ou F" in err
    assert "eleves.csv: rejected, 2 problem(s); nothing written." in err
    assert state() == before


def test_dry_run_writes_nothing(school_year, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "eleves.csv"
    path.write_text(csv([student()]), encoding="utf-8")
    before = state()
    call_command("import_students", str(path), "--dry-run")
    assert "dry run: rows 1" in capsys.readouterr().out
    assert state() == before


def test_user_option_scopes_the_rows(school_year, personas, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "eleves.csv"
    path.write_text(csv([student()]), encoding="utf-8")
    with pytest.raises(SystemExit):
        call_command("import_students", str(path), "--user", personas.head_b.username)
    assert "établissement hors de votre périmètre" in capsys.readouterr().err
    assert not Pupil.objects.filter(code_massar="K200000001").exists()
    call_command("import_students", str(path), "--user", personas.head_a.username)
    assert AuditEntry.objects.get(action="import").actor == personas.head_a


def test_missing_file_and_unknown_user(school_year, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_students", str(tmp_path / "absent.csv"))
    path = tmp_path / "eleves.csv"
    path.write_text(csv([student()]), encoding="utf-8")
    with pytest.raises(CommandError, match="nobody: no such user"):
        call_command("import_students", str(path), "--user", "nobody")


def test_an_xlsx_that_is_a_pdf(school_year, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "eleves.xlsx"
    path.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    with pytest.raises(SystemExit) as exited:
        call_command("import_students", str(path))
    assert exited.value.code == 1
    assert "ce fichier n'est pas un classeur XLSX lisible" in capsys.readouterr().err


def test_import_teachers(school_year, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "enseignants.csv"
    path.write_text(csv([teacher()], TEACHER_COLUMNS), encoding="utf-8")
    call_command("import_teachers", str(path))
    assert Teacher.objects.filter(ppr="1234567").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text(csv([teacher(qualifie="bof")], TEACHER_COLUMNS), encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        call_command("import_teachers", str(bad))
    assert exited.value.code == 1
    assert "colonne qualifie · valeur « bof » : attendu : oui ou non" in capsys.readouterr().err


def test_import_marks_needs_a_user(school_year, personas, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "notes.csv"
    path.write_text(
        csv([mark(school_year.pupils_a1[0], note="21")], MARK_COLUMNS, sep=";"), encoding="utf-8"
    )
    with pytest.raises(CommandError, match="--user is required"):
        call_command("import_marks", str(path))
    with pytest.raises(SystemExit) as exited:
        call_command("import_marks", str(path), "--user", personas.head_a.username)
    assert exited.value.code == 1
    assert "la note doit être comprise entre 0 et 20" in capsys.readouterr().err
    path.write_text(
        csv([mark(school_year.pupils_a1[0], note="16,5")], MARK_COLUMNS, sep=";"), encoding="utf-8"
    )
    call_command("import_marks", str(path), "--user", personas.head_a.username)
    assert str(Mark.objects.get().value) == "16.50"


def test_columns_are_documented() -> None:
    """docs/imports.md lists each format's columns in order; keep them in step."""
    from pathlib import Path

    from django.conf import settings

    doc = (Path(settings.BASE_DIR) / "docs" / "imports.md").read_text(encoding="utf-8")
    for columns in (STUDENT_COLUMNS, TEACHER_COLUMNS, MARK_COLUMNS):
        assert ", ".join(f"`{c}`" for c in columns) in doc
