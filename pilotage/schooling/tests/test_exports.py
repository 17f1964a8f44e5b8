"""The marks sheet as XLSX and back (exports.py), without the pages around it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from pilotage.schooling.exports import (
    MAX_UPLOAD_BYTES,
    META_SHEET,
    column_label,
    sheet_read_upload,
    sheet_xlsx,
)
from pilotage.schooling.models import Assessment, AssessmentKind
from pilotage.schooling.selectors import sheet_grid
from pilotage.schooling.services.marks import Cell, marks_save_sheet, sheet_preview

# Written with marks out of 20 in class A1 (5AP): see conftest.marks_out_of_20.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("marks_out_of_20")]


def _bytes(workbook: Workbook) -> io.BytesIO:
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def _with_marks(personas, school_year):  # type: ignore[no-untyped-def]
    p1, p2, p3 = school_year.pupils_a1[:3]
    marks_save_sheet(
        actor=personas.teacher_a1,
        sheet=school_year.sheet,
        version=0,
        cells=[
            Cell(p1.code_massar, "test_1", "12,5"),
            Cell(p2.code_massar, "test_1", "ABS"),
            Cell(p3.code_massar, "activity_1", "17"),
        ],
    )
    school_year.sheet.refresh_from_db()
    return sheet_grid(school_year.sheet)


def test_column_labels() -> None:
    assert column_label(Assessment(kind=AssessmentKind.TEST, number=2)) == "Contrôle 2"
    assert column_label(Assessment(kind=AssessmentKind.ACTIVITY, number=1)) == "Activités intégrées"
    assert column_label(Assessment(kind=AssessmentKind.LOCAL_EXAM, number=1)) == "Examen local 1"


def test_export_opens_with_keys_marks_rules_and_the_version(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    grid = _with_marks(personas, school_year)
    workbook = load_workbook(io.BytesIO(sheet_xlsx(grid)))
    ws = workbook.worksheets[0]
    assert [c.value for c in ws[1]][:6] == [
        "code_massar",
        "nom",
        "prenom",
        "nom_ar",
        "prenom_ar",
        "activity_1",
    ]
    assert [c.comment.text for c in ws[1]][5:] == [
        "Activités intégrées",
        "Contrôle 1",
        "Contrôle 2",
        "Contrôle 3",
    ]
    values = {row[0]: row[5:] for row in ws.iter_rows(min_row=2, values_only=True)}
    p1, p2, p3 = school_year.pupils_a1[:3]
    assert values[p1.code_massar] == (None, 12.5, None, None)  # a number, not text
    assert values[p2.code_massar] == (None, "ABS", None, None)
    assert values[p3.code_massar] == (17, None, None, None)
    [rule] = ws.data_validations.dataValidation
    assert rule.type == "custom" and rule.showErrorMessage
    assert rule.formula1 == 'OR(AND(ISNUMBER(F2),F2>=0,F2<=20),F2="ABS",F2="DISP")'
    meta = workbook[META_SHEET]
    assert meta.sheet_state == "hidden"
    assert dict(meta.iter_rows(values_only=True))["version"] == 1


def test_export_date_is_a_date_shown_day_first(school_year) -> None:  # type: ignore[no-untyped-def]
    workbook = load_workbook(io.BytesIO(sheet_xlsx(sheet_grid(school_year.sheet))))
    [cell] = [row[1] for row in workbook[META_SHEET].iter_rows() if row[0].value == "exporte_le"]
    assert isinstance(cell.value, dt.datetime)  # a value Excel sorts and computes with
    assert abs(cell.value - timezone.localtime().replace(tzinfo=None)) < dt.timedelta(minutes=1)
    assert cell.number_format == "dd/mm/yyyy hh:mm"


def test_arabic_export_puts_arabic_names_first_and_reads_back(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    grid = _with_marks(personas, school_year)
    with translation.override("ar"):
        data = sheet_xlsx(grid)
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in ws[1]][:5] == ["code_massar", "nom_ar", "prenom_ar", "nom", "prenom"]
    assert ws.sheet_view.rightToLeft
    pupil = school_year.pupils_a1[0]
    [row] = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == pupil.code_massar]
    assert row[1:5] == (pupil.last_name_ar, pupil.first_name_ar, pupil.last_name, pupil.first_name)
    upload = sheet_read_upload(grid, io.BytesIO(data), filename="notes.xlsx")
    assert upload.problems == [] and len(upload.cells) == 5 * 4
    with translation.override("fr"):
        assert not load_workbook(io.BytesIO(sheet_xlsx(grid))).worksheets[0].sheet_view.rightToLeft


def test_a_name_that_looks_like_a_formula_stays_text(school_year) -> None:  # type: ignore[no-untyped-def]
    pupil = school_year.pupils_a1[0]
    pupil.last_name = '=HYPERLINK("http://example.com","x")'
    pupil.save(update_fields=["last_name"])
    ws = load_workbook(io.BytesIO(sheet_xlsx(sheet_grid(school_year.sheet)))).worksheets[0]
    [cell] = [row[1] for row in ws.iter_rows(min_row=2) if row[0].value == pupil.code_massar]
    assert cell.data_type == "s" and cell.value == pupil.last_name


def test_reading_back_an_untouched_export_changes_nothing(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    """Re-importing the same file changes nothing (CONVENTIONS §5)."""
    grid = _with_marks(personas, school_year)
    upload = sheet_read_upload(grid, io.BytesIO(sheet_xlsx(grid)), filename="notes.xlsx")
    assert upload.problems == []
    assert (upload.sheet_id, upload.version) == (school_year.sheet.pk, 1)
    assert len(upload.cells) == 5 * 4
    assert {c.row for c in upload.cells} == {2, 3, 4, 5, 6}
    changes, problems = sheet_preview(sheet=school_year.sheet, cells=upload.cells)
    assert (changes, problems) == ([], [])


def test_spreadsheet_values_are_read_as_text(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    grid = sheet_grid(school_year.sheet)
    workbook = load_workbook(io.BytesIO(sheet_xlsx(grid)))
    ws = workbook.worksheets[0]
    ws["F2"], ws["G2"], ws["H2"], ws["I2"] = 15.0, 12.25, "  abs ", dt.datetime(2025, 1, 1)
    upload = sheet_read_upload(grid, _bytes(workbook), filename="notes.xlsx")
    code = ws["A2"].value
    by_column = {c.column: c.raw for c in upload.cells if c.code_massar == code}
    assert by_column == {
        "activity_1": "15",
        "test_1": "12.25",
        "test_2": "abs",
        "test_3": "2025-01-01T00:00:00",
    }
    _changes, problems = sheet_preview(sheet=school_year.sheet, cells=upload.cells)
    assert [(p.row, p.column, p.reason) for p in problems] == [(2, "test_3", "n'est pas un nombre")]


def test_a_workbook_without_the_hidden_sheet_and_without_names(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    """A teacher may build the file from scratch: names are optional, the version is then
    unknown (the page warns that nothing protects against a concurrent save)."""
    grid = sheet_grid(school_year.sheet)
    workbook = Workbook()
    ws = workbook.active
    ws.append(["CODE_MASSAR", "test_1", "test_2", "test_3", "activity_1"])
    ws.append([school_year.pupils_a1[0].code_massar.lower(), 10, None, None, "DISP"])
    upload = sheet_read_upload(grid, _bytes(workbook), filename="à moi.xlsx")
    assert upload.problems == [] and upload.version is None and not upload.from_xlsx
    assert [c.code_massar for c in upload.cells] == [school_year.pupils_a1[0].code_massar] * 4


def test_an_oversized_file_is_refused_before_reading(school_year) -> None:  # type: ignore[no-untyped-def]
    grid = sheet_grid(school_year.sheet)
    upload = sheet_read_upload(
        grid, io.BytesIO(b"x" * (MAX_UPLOAD_BYTES + 1)), filename="enorme.csv"
    )
    assert [p.reason for p in upload.problems] == [
        "fichier trop volumineux pour une feuille de notes"
    ]
