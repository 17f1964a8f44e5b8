"""The teacher's appreciation per pupil on a marks sheet (class × subject × semester): saved
by the marks service with the marks, under the same rules, in the grid, the XLSX round trip
and the bulletin. Every refused path asserts that nothing changed."""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from openpyxl import load_workbook

from pilotage.accounts.services import role_assign
from pilotage.accounts.tests.factories import UserFactory
from pilotage.core.models import AuditEntry
from pilotage.core.tests.support import require, unchanged
from pilotage.schooling.models import Appreciation, Enrolment, Mark, MarkDeadline, MarkSheet
from pilotage.schooling.reports import ReportFontMissing, bulletin_pdf, report_fonts_check
from pilotage.schooling.roles import TEACHER
from pilotage.schooling.services.marks import (
    APPRECIATION,
    Cell,
    SheetLocked,
    SheetRejected,
    marks_save_sheet,
    sheet_preview,
    sheet_validate,
)
from pilotage.schooling.tests.factories import make_teacher, teach
from pilotage.schooling.tests.test_marks_views import form_of
from pilotage.schooling.tests.test_reports import pdf_text

# Marks out of 20 in class A1 (5AP): see conftest.marks_out_of_20 (the primary /10 scale is
# tested in test_grading.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("marks_out_of_20")]

REMARK_FR = "Bon trimestre, continuez ainsi."
REMARK_AR = "عمل جيد، واصل على هذا النحو"


@pytest.fixture
def arabic_teacher(personas, school_year):  # type: ignore[no-untyped-def]
    """A teacher of school A who teaches class A1, but Arabic, not maths."""
    user = UserFactory(username="teacher.a2")
    role_assign(actor=None, user=user, role=TEACHER, org_unit=personas.school_a)
    teach(make_teacher(user, personas.school_a), school_year.class_a1, "AR")
    return user


def note(pupil, text: object, row: int = 0) -> Cell:  # type: ignore[no-untyped-def]
    return Cell(pupil.code_massar, APPRECIATION, text, row=row)


def stored(sheet: MarkSheet) -> dict[str, str]:
    return {
        a.enrolment.pupil.code_massar: a.text
        for a in Appreciation.objects.filter(sheet=sheet).select_related("enrolment__pupil")
    }


def save(actor, sheet: MarkSheet, *cells: Cell) -> dict[str, int]:  # type: ignore[no-untyped-def]
    sheet.refresh_from_db()
    return marks_save_sheet(actor=actor, sheet=sheet, version=sheet.version, cells=list(cells))


# -- The service -----------------------------------------------------------------------------


def test_appreciations_are_saved_with_the_marks_in_one_audited_save(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    sheet, (p1, p2, *_rest) = school_year.sheet, school_year.pupils_a1
    teacher = personas.teacher_a1
    result = save(
        teacher,
        sheet,
        Cell(p1.code_massar, "test_1", "14"),
        note(p1, f"  {REMARK_FR}\n"),  # one line, trimmed
        note(p2, REMARK_AR),
    )
    assert result == {"version": 1, "changed": 1, "appreciations": 2}
    assert stored(sheet) == {p1.code_massar: REMARK_FR, p2.code_massar: REMARK_AR}
    first = Appreciation.objects.get(enrolment__pupil=p1)
    assert first.updated_by == teacher and first.enrolment.school_class == school_year.class_a1
    entry = AuditEntry.objects.get(object_type="schooling.marksheet", action="update")
    assert entry.changes == {
        f"{p1.code_massar}/test_1": [None, "14.00"],
        f"{p1.code_massar}/appreciation": [None, REMARK_FR],
        f"{p2.code_massar}/appreciation": [None, REMARK_AR],
    }

    # Only an appreciation changes: the version still moves, so a concurrent save is told.
    result = save(teacher, sheet, note(p1, "Peut mieux faire."), note(p2, REMARK_AR))
    assert result == {"version": 2, "changed": 0, "appreciations": 1}
    assert AuditEntry.objects.filter(action="update").first().changes == {  # type: ignore[union-attr]
        f"{p1.code_massar}/appreciation": [REMARK_FR, "Peut mieux faire."]
    }
    # An empty one deletes it; a save without appreciation cells leaves them alone.
    assert save(teacher, sheet, note(p1, " "))["appreciations"] == 1
    assert save(teacher, sheet, Cell(p2.code_massar, "test_1", "9"))["appreciations"] == 0
    assert stored(sheet) == {p2.code_massar: REMARK_AR}
    assert MarkSheet.objects.get().version == 4


def test_a_too_long_or_misplaced_appreciation_refuses_the_whole_save(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    sheet, (p1, p2, *_rest) = school_year.sheet, school_year.pupils_a1
    save(personas.teacher_a1, sheet, note(p1, REMARK_FR))
    with unchanged(Appreciation, Mark, MarkSheet), pytest.raises(SheetRejected) as refused:
        save(
            personas.teacher_a1,
            sheet,
            Cell(p2.code_massar, "test_1", "12"),
            note(p1, "x" * 301, row=1),
            Cell("Z999999999", APPRECIATION, "?", row=2),
        )
    assert [(p.row, p.column) for p in refused.value.problems] == [
        (1, "appreciation"),
        (2, "code_massar"),
    ]
    assert "300" in refused.value.problems[0].reason
    # 300 characters exactly are accepted.
    save(personas.teacher_a1, sheet, note(p1, "é" * 300))
    assert stored(sheet)[p1.code_massar] == "é" * 300


def test_anarabic_teacher_and_a_parent_cannot_write_an_appreciation(
    personas, school_year, arabic_teacher
) -> None:  # type: ignore[no-untyped-def]
    sheet, p1 = school_year.sheet, school_year.pupils_a1[0]
    save(personas.teacher_a1, sheet, note(p1, REMARK_FR))
    for actor in (arabic_teacher, personas.parent_a, personas.head_b, personas.provincial_a):
        with unchanged(Appreciation, Mark, MarkSheet), pytest.raises(PermissionDenied):
            save(actor, sheet, note(p1, "Réécrit par un autre."))
    assert stored(sheet) == {p1.code_massar: REMARK_FR}


def test_a_validated_or_past_deadline_sheet_refuses_appreciations(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    sheet, p1 = school_year.sheet, school_year.pupils_a1[0]
    save(personas.teacher_a1, sheet, note(p1, REMARK_FR))
    sheet_validate(actor=personas.head_a, sheet=sheet)
    with unchanged(Appreciation, Mark, MarkSheet), pytest.raises(SheetLocked):
        save(personas.teacher_a1, sheet, note(p1, "Après la validation."))

    MarkSheet.objects.filter(pk=sheet.pk).update(validated_at=None)
    MarkDeadline.objects.create(
        semester=school_year.s1,
        org_unit=personas.country,
        closes_at=timezone.now() - dt.timedelta(hours=1),
    )
    with unchanged(Appreciation, Mark, MarkSheet), pytest.raises(SheetLocked):
        save(personas.teacher_a1, sheet, note(p1, "Après la date limite."))
    assert stored(sheet) == {p1.code_massar: REMARK_FR}


def test_preview_lists_appreciation_changes(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    sheet, (p1, p2, *_rest) = school_year.sheet, school_year.pupils_a1
    save(personas.teacher_a1, sheet, note(p1, REMARK_FR))
    changes, problems = sheet_preview(sheet=sheet, cells=[note(p1, REMARK_FR), note(p2, REMARK_AR)])
    assert problems == []
    assert [(c.code_massar, c.column, c.old, c.new) for c in changes] == [
        (p2.code_massar, "appreciation", None, REMARK_AR)
    ]


# -- The grid page ---------------------------------------------------------------------------


def url(sheet: MarkSheet, suffix: str = "") -> str:
    return f"/schooling/sheets/{sheet.pk}/{suffix}"


APPRECIATION_INPUT = re.compile(r'<input type="text" name="(a:[^"]+)" value="([^"]*)"([^>]*)>')


def grid_form(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The marks and the appreciations, as the browser would post them."""
    fields = form_of(response)
    body = response.content.decode()
    fields.update(
        {name: html.unescape(value) for name, value, _a in APPRECIATION_INPUT.findall(body)}
    )
    return fields


def test_the_grid_has_an_appreciation_column_the_teacher_saves(
    client, personas, school_year
) -> None:  # type: ignore[no-untyped-def]
    sheet, (p1, p2, *_rest) = school_year.sheet, school_year.pupils_a1
    client.force_login(personas.teacher_a1)
    response = client.get(url(sheet))
    body = response.content.decode()
    inputs = APPRECIATION_INPUT.findall(body)
    assert len(inputs) == len(school_year.pupils_a1)
    assert all('dir="auto"' in attrs and 'maxlength="300"' in attrs for _n, _v, attrs in inputs)
    assert '<th scope="col" class="appreciation-head">Appréciation</th></tr>' in body  # last

    fields = grid_form(response)
    fields[f"a:{p1.code_massar}"] = REMARK_AR
    response = client.post(url(sheet), fields, follow=True)
    assert "1 appréciation enregistrée." in response.content.decode()
    assert stored(sheet) == {p1.code_massar: REMARK_AR}
    assert grid_form(response)[f"a:{p1.code_massar}"] == REMARK_AR

    # Refused (too long): the page keeps what was typed, with the reason, and saves nothing.
    fields = grid_form(response)
    fields[f"a:{p2.code_massar}"] = "y" * 320
    fields[f"m:{p2.code_massar}:test_1"] = "13"
    with unchanged(Appreciation, Mark, MarkSheet):
        response = client.post(url(sheet), fields)
    assert response.status_code == 400
    assert grid_form(response)[f"a:{p2.code_massar}"] == "y" * 320
    assert re.search(
        rf'name="a:{p2.code_massar}"[^>]*aria-invalid="true"', response.content.decode()
    )


def test_grid_denials_change_no_appreciation(client, personas, school_year, arabic_teacher) -> None:  # type: ignore[no-untyped-def]
    sheet, p1 = school_year.sheet, school_year.pupils_a1[0]
    save(personas.teacher_a1, sheet, note(p1, REMARK_FR))
    posted = {"version": "1", f"a:{p1.code_massar}": "Réécrit."}
    for user, status in ((arabic_teacher, 404), (personas.parent_a, 404), (personas.head_b, 404)):
        client.force_login(user)
        with unchanged(Appreciation, Mark, MarkSheet):
            assert client.post(url(sheet), posted).status_code == status
    sheet_validate(actor=personas.head_a, sheet=sheet)
    client.force_login(personas.teacher_a1)
    with unchanged(Appreciation, Mark, MarkSheet):
        response = client.post(url(sheet), {**posted, "version": "1"})
    assert response.status_code == 423
    # The locked grid shows the appreciation as text, no input.
    page = client.get(url(sheet)).content.decode()
    assert (
        'name="a:' not in page
        and f'<span class="appreciation-value" dir="auto">{REMARK_FR}' in page
    )
    assert stored(sheet) == {p1.code_massar: REMARK_FR}


# -- The XLSX round trip ---------------------------------------------------------------------


def test_xlsx_carries_the_appreciations_there_and_back(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    sheet, (p1, p2, p3, *_rest) = school_year.sheet, school_year.pupils_a1
    save(personas.teacher_a1, sheet, note(p1, REMARK_FR), note(p2, "=HYPERLINK(1)"))
    client.force_login(personas.teacher_a1)
    workbook = load_workbook(io.BytesIO(client.get(url(sheet, "xlsx")).content))
    ws = workbook.worksheets[0]
    header = [c.value for c in ws[1]]
    assert header[-1] == "appreciation"
    column = len(header)
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    assert rows[p1.code_massar][column - 1].value == REMARK_FR
    assert rows[p2.code_massar][column - 1].data_type == "s"  # never a formula
    assert rows[p3.code_massar][column - 1].value is None
    # Excel's check of the marks does not reach the appreciations.
    assert str(ws.data_validations.dataValidation[0].sqref) == "F2:I6"

    rows[p1.code_massar][column - 1].value = None  # cleared
    rows[p3.code_massar][column - 1].value = REMARK_AR
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "notes.xlsx"
    preview = client.post(url(sheet, "upload"), {"file": buffer})
    assert preview.status_code == 200
    body = preview.content.decode()
    assert f'<td dir="auto">{REMARK_AR}</td>' in body  # free text in its own direction
    token = re.search(r'name="token" value="(\w+)"', body).group(1)  # type: ignore[union-attr]
    client.post(url(sheet, "upload"), {"action": "confirm", "token": token})
    assert stored(sheet) == {p2.code_massar: "=HYPERLINK(1)", p3.code_massar: REMARK_AR}


def test_a_file_without_the_appreciation_column_leaves_them_alone(
    client, personas, school_year
) -> None:  # type: ignore[no-untyped-def]
    sheet, p1 = school_year.sheet, school_year.pupils_a1[0]
    save(personas.teacher_a1, sheet, note(p1, REMARK_FR))
    client.force_login(personas.teacher_a1)
    csv = f"code_massar;activity_1;test_1;test_2;test_3\n{p1.code_massar};;15;;\n".encode()
    upload = io.BytesIO(csv)
    upload.name = "notes.csv"
    body = client.post(url(sheet, "upload"), {"file": upload}).content.decode()
    token = re.search(r'name="token" value="(\w+)"', body).group(1)  # type: ignore[union-attr]
    client.post(url(sheet, "upload"), {"action": "confirm", "token": token})
    assert Mark.objects.get().value == 15
    assert stored(sheet) == {p1.code_massar: REMARK_FR}


# -- The bulletin ----------------------------------------------------------------------------


def test_the_bulletin_prints_the_appreciation(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    try:
        report_fonts_check()
    except ReportFontMissing as missing:
        require(False, str(missing))
    sheet, p1 = school_year.sheet, school_year.pupils_a1[0]
    save(personas.teacher_a1, sheet, Cell(p1.code_massar, "test_1", "14"), note(p1, REMARK_FR))
    enrolment = Enrolment.objects.get(pupil=p1, school_class=school_year.class_a1)
    text = pdf_text(bulletin_pdf(enrolment=enrolment, semester=school_year.s1, language="fr"))
    assert REMARK_FR in " ".join(text.split())
