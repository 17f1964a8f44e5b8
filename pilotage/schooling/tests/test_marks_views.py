"""The marks grid page, the head's validate/unlock actions and the XLSX round trip, for
each persona; every denied case asserts that nothing changed."""

from __future__ import annotations

import html
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from pilotage.accounts.services import role_assign
from pilotage.accounts.tests.factories import UserFactory
from pilotage.core.models import AuditEntry
from pilotage.core.tests.support import unchanged
from pilotage.schooling.models import Mark, MarkSheet
from pilotage.schooling.roles import TEACHER
from pilotage.schooling.services.marks import Cell, marks_save_sheet, sheet_validate
from pilotage.schooling.tests.factories import enrol, make_pupil, make_teacher, teach

# Written with marks out of 20 in class A1 (5AP): see conftest.marks_out_of_20.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("marks_out_of_20")]

INPUT = re.compile(r'<input type="text" name="(m:[^"]+)" value="([^"]*)"')


def url(sheet: MarkSheet, suffix: str = "") -> str:
    return f"/schooling/sheets/{sheet.pk}/{suffix}"


def form_of(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The grid's inputs as the browser would post them, read from the page itself."""
    body = response.content.decode()
    fields = {name: html.unescape(value) for name, value in INPUT.findall(body)}
    fields["version"] = re.search(r'name="version" value="(\d+)"', body).group(1)  # type: ignore[union-attr]
    return fields


def marks_state(sheet: MarkSheet) -> list[tuple[str, str, Decimal | None, str]]:
    return sorted(
        (m.pupil.code_massar, m.assessment.column, m.value, m.code)
        for m in Mark.objects.filter(assessment__sheet=sheet).select_related("pupil", "assessment")
    )


def seed(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    p1, p2 = school_year.pupils_a1[:2]
    marks_save_sheet(
        actor=personas.head_a,
        sheet=school_year.sheet,
        version=0,
        cells=[Cell(p1.code_massar, "test_1", "12.5"), Cell(p2.code_massar, "test_1", "ABS")],
    )


@pytest.fixture
def other_teacher(personas, school_year):  # type: ignore[no-untyped-def]
    """A teacher of school A who teaches class A1, but Arabic, not maths."""
    user = UserFactory(username="teacher.a2")
    role_assign(actor=None, user=user, role=TEACHER, org_unit=personas.school_a)
    teach(make_teacher(user, personas.school_a), school_year.class_a1, "AR")
    return user


# -- The grid page ---------------------------------------------------------------------------


def test_grid_shows_pupils_columns_marks_and_who_changed_them(
    client, personas, school_year
) -> None:  # type: ignore[no-untyped-def]
    seed(personas, school_year)
    client.force_login(personas.teacher_a1)
    response = client.get(url(school_year.sheet))
    assert response.status_code == 200
    body = response.content.decode()
    for pupil in school_year.pupils_a1:
        assert pupil.code_massar in body and pupil.last_name_ar in body
    for label in ("Contrôle 1", "Contrôle 2", "Contrôle 3", "Activités intégrées", "Moyenne"):
        assert label in body
    p1, p2 = school_year.pupils_a1[:2]
    fields = form_of(response)
    assert fields[f"m:{p1.code_massar}:test_1"] == "12,5"
    assert fields[f"m:{p2.code_massar}:test_1"] == "ABS"
    assert fields[f"m:{p1.code_massar}:activity_1"] == ""
    assert fields["version"] == "1"
    assert len(fields) == 5 * 4 + 1
    head = personas.head_a.get_full_name()
    assert f'title="Modifiée par {head} le ' in body
    # The history is in a toggle per row (details/summary), not a second line per cell.
    assert 'class="cell-meta"' not in body
    assert body.count('<details class="row-history" data-history>') == 2
    assert f"<bdi>{head}</bdi>" in body
    assert "12,50" in body  # p1's continuous average; ABS counts as 0 for p2
    assert "0,00" in body
    assert 'src="/static/schooling/marks-grid.js"' in body
    assert "<script>" not in body and " onkeydown=" not in body


def test_saving_the_whole_sheet_redirects_with_the_count(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    seed(personas, school_year)
    p1, p2, p3 = school_year.pupils_a1[:3]
    client.force_login(personas.teacher_a1)
    fields = form_of(client.get(url(school_year.sheet)))
    fields[f"m:{p1.code_massar}:test_1"] = "13"  # changed
    fields[f"m:{p2.code_massar}:test_1"] = ""  # cleared
    fields[f"m:{p3.code_massar}:test_2"] = "9,75"  # new
    fields[f"m:{p3.code_massar}:activity_1"] = "disp"  # new, a code in lower case
    response = client.post(url(school_year.sheet), fields)
    assert response.status_code == 302 and response["Location"] == url(school_year.sheet)
    page = client.get(response["Location"])
    assert "4 notes enregistrées." in page.content.decode()
    assert marks_state(school_year.sheet) == [
        (p1.code_massar, "test_1", Decimal("13.00"), ""),
        (p3.code_massar, "activity_1", None, "DISP"),
        (p3.code_massar, "test_2", Decimal("9.75"), ""),
    ]
    assert MarkSheet.objects.get().version == 2
    # Posting the page again as loaded changes nothing and says so.
    again = client.post(url(school_year.sheet), form_of(page), follow=True)
    assert "Aucune modification" in again.content.decode()
    assert MarkSheet.objects.get().version == 2


def test_conflict_names_who_saved_and_keeps_the_typed_values(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    p1, p2 = school_year.pupils_a1[:2]
    client.force_login(personas.teacher_a1)
    fields = form_of(client.get(url(school_year.sheet)))
    # Meanwhile the head saves a mark.
    marks_save_sheet(
        actor=personas.head_a,
        sheet=school_year.sheet,
        version=0,
        cells=[Cell(p2.code_massar, "test_1", "16")],
    )
    before = marks_state(school_year.sheet)
    fields[f"m:{p1.code_massar}:test_1"] = "11,25"
    fields[f"m:{p2.code_massar}:test_2"] = "9"
    response = client.post(url(school_year.sheet), fields)
    assert response.status_code == 409
    body = response.content.decode()
    assert (
        f"Cette feuille a été modifiée par {personas.head_a.get_full_name()} pendant votre "
        "saisie : rechargez-la ; vos valeurs sont conservées ci-dessous" in html.unescape(body)
    )
    again = form_of(response)
    assert again[f"m:{p1.code_massar}:test_1"] == "11,25"
    assert again[f"m:{p2.code_massar}:test_1"] == ""  # what the teacher had, not the head's 16
    # Only the cell the head changed is flagged, with the saved value and who saved it;
    # the teacher's own new values are not.
    rows = html.unescape(body).split('<tr data-code="')[1:]
    saved = [
        (row[: row.index('"')], note)
        for row in rows
        for note in re.findall(r'<span class="cell-saved" data-saved>([^<]+)</span>', row)
    ]
    assert saved == [(p2.code_massar, f"enregistré par {personas.head_a.get_full_name()} : 16")]
    assert 'data-outcome="conflict"' in body and "data-unsaved" in body
    assert marks_state(school_year.sheet) == before
    assert MarkSheet.objects.get().version == 1


def test_rejected_sheet_lists_every_problem_and_marks_the_cells(
    client, personas, school_year
) -> None:  # type: ignore[no-untyped-def]
    seed(personas, school_year)
    p1, p2, p3 = school_year.pupils_a1[:3]
    before = marks_state(school_year.sheet)
    client.force_login(personas.teacher_a1)
    fields = form_of(client.get(url(school_year.sheet)))
    fields[f"m:{p1.code_massar}:test_2"] = "21"
    fields[f"m:{p2.code_massar}:test_3"] = "abc"
    fields[f"m:{p3.code_massar}:test_1"] = "14,5"  # valid, not written either
    response = client.post(url(school_year.sheet), fields)
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    problems = re.search(r"<table class=\"table sheet-problems\".*?</table>", body, re.S).group(0)  # type: ignore[union-attr]
    rows = PROBLEM_ROW.findall(problems)
    # Problems point at the line the user sees: the pupil's position in the roster.
    lines = {code: str(n) for n, code in enumerate(re.findall(r'<tr data-code="(\w+)"', body), 1)}
    assert sorted(rows) == sorted(
        [
            (
                lines[p1.code_massar],
                p1.code_massar,
                "Contrôle 2",
                "21",
                "la note doit être comprise entre 0 et 20",
            ),
            (lines[p2.code_massar], p2.code_massar, "Contrôle 3", "abc", "n'est pas un nombre"),
        ]
    )
    assert body.count('aria-invalid="true"') == 2
    assert re.search(rf'name="m:{p1.code_massar}:test_2" value="21"[^>]*aria-invalid="true"', body)
    assert form_of(response)[f"m:{p3.code_massar}:test_1"] == "14,5"
    assert marks_state(school_year.sheet) == before


def test_locked_sheet_is_read_only_and_refuses_a_save(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    seed(personas, school_year)
    client.force_login(personas.teacher_a1)
    fields = form_of(client.get(url(school_year.sheet)))
    sheet_validate(actor=personas.head_a, sheet=school_year.sheet)
    page = client.get(url(school_year.sheet))
    assert page.status_code == 200 and not INPUT.search(page.content.decode())
    assert 'data-locked="true"' in page.content.decode()
    before = marks_state(school_year.sheet)
    fields[f"m:{school_year.pupils_a1[0].code_massar}:test_1"] = "3"
    response = client.post(url(school_year.sheet), fields)
    assert response.status_code == 423
    assert 'data-outcome="locked"' in response.content.decode()
    assert marks_state(school_year.sheet) == before


# -- Who may see and change a sheet ---------------------------------------------------------

READERS = ["national_admin", "regional_officer", "provincial_a", "head_a", "teacher_a1"]
OUTSIDERS = ["head_b", "provincial_b", "parent_a", "agent"]


@pytest.mark.parametrize("persona", READERS)
def test_sheet_page_for_those_who_cover_it(client, personas, school_year, persona) -> None:  # type: ignore[no-untyped-def]
    client.force_login(getattr(personas, persona))
    response = client.get(url(school_year.sheet))
    assert response.status_code == 200
    editable = persona in ("national_admin", "head_a", "teacher_a1")
    assert bool(INPUT.search(response.content.decode())) is editable
    assert ('data-action="validate"' in response.content.decode()) is (
        persona in ("national_admin", "head_a")
    )


@pytest.mark.parametrize("persona", [*OUTSIDERS, "other_teacher"])
def test_outsiders_get_404_everywhere_and_change_nothing(
    client, personas, school_year, other_teacher, persona
) -> None:  # type: ignore[no-untyped-def]
    seed(personas, school_year)
    before, version = marks_state(school_year.sheet), MarkSheet.objects.get().version
    user = other_teacher if persona == "other_teacher" else getattr(personas, persona)
    client.force_login(user)
    sheet = school_year.sheet
    code = school_year.pupils_a1[0].code_massar
    with unchanged(Mark, MarkSheet):
        assert client.get(url(sheet)).status_code == 404
        saved = client.post(url(sheet), {"version": version, f"m:{code}:test_1": "1"})
        assert saved.status_code == 404
        assert client.get(url(sheet, "xlsx")).status_code == 404
        assert client.get(url(sheet, "upload")).status_code == 404
        assert client.post(url(sheet, "validate/")).status_code == 404
        assert client.post(url(sheet, "unlock/"), {"reason": "Je veux rouvrir"}).status_code == 404
    assert marks_state(sheet) == before


def test_a_reader_who_may_not_edit_cannot_post(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.provincial_a)
    code = school_year.pupils_a1[0].code_massar
    with unchanged(Mark, MarkSheet):
        saved = client.post(url(school_year.sheet), {"version": 0, f"m:{code}:test_1": "1"})
        assert saved.status_code == 404
        assert client.get(url(school_year.sheet, "xlsx")).status_code == 200
        assert client.get(url(school_year.sheet, "upload")).status_code == 404
        assert client.post(url(school_year.sheet, "validate/")).status_code == 404


def test_head_validates_then_reopens_with_a_reason(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    sheet = school_year.sheet
    client.force_login(personas.teacher_a1)
    assert 'data-action="validate"' not in client.get(url(sheet)).content.decode()
    with unchanged(MarkSheet):
        assert client.post(url(sheet, "validate/")).status_code == 404

    client.force_login(personas.head_a)
    assert client.get(url(sheet, "validate/")).status_code == 405
    response = client.post(url(sheet, "validate/"), follow=True)
    body = response.content.decode()
    assert "Feuille validée" in body and 'data-locked="true"' in body
    assert f"par {personas.head_a.get_full_name()}, le" in html.unescape(body)
    assert 'data-action="unlock"' in body and 'data-action="validate"' not in body

    client.force_login(personas.teacher_a1)
    with unchanged(MarkSheet):
        assert client.post(url(sheet, "unlock/"), {"reason": "Erreur de saisie"}).status_code == 404

    client.force_login(personas.head_a)
    with unchanged(MarkSheet):
        refused = client.post(url(sheet, "unlock/"), {"reason": " ", "hours": "24"})
    assert refused.status_code == 400
    assert "Indiquez le motif de la réouverture." in refused.content.decode()
    assert MarkSheet.objects.get().unlocked_until is None

    response = client.post(
        url(sheet, "unlock/"), {"reason": "Note du contrôle 2 mal reportée", "hours": "24"}
    )
    assert response.status_code == 302
    page = client.get(url(sheet)).content.decode()
    assert 'data-locked="false"' in page and "data-unlocked-until" in page
    entry = AuditEntry.objects.get(action="unlock")
    assert entry.changes["reason"] == [None, "Note du contrôle 2 mal reportée"]
    assert entry.actor == personas.head_a
    client.force_login(personas.teacher_a1)
    fields = form_of(client.get(url(sheet)))
    fields[f"m:{school_year.pupils_a1[0].code_massar}:test_1"] = "10"
    assert client.post(url(sheet), fields).status_code == 302


def test_class_page_links_to_its_sheets(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.teacher_a1)
    body = client.get(f"/schooling/classes/{school_year.class_a1.pk}/").content.decode()
    assert "Feuilles de notes" in body
    assert f'href="{url(school_year.sheet)}"' in body


# -- Query count -----------------------------------------------------------------------------


def _fill_class(personas, school_year, size: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(size - len(school_year.pupils_a1)):
        enrol(make_pupil(), school_year.class_a1)
    codes = [e.pupil.code_massar for e in school_year.class_a1.enrolments.select_related("pupil")]
    marks_save_sheet(
        actor=personas.teacher_a1,
        sheet=school_year.sheet,
        version=MarkSheet.objects.get().version,
        cells=[Cell(c, col, "10") for c in codes for col in ("test_1", "test_2", "activity_1")],
    )


def test_grid_query_count_does_not_grow_with_the_class(
    client, personas, school_year, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    # 13 for a teacher: session, user, role assignments, the sheet (scoped, with its
    # validator), "teaches this class and subject?" (may view, then may edit), the cycle's
    # mark scale, the columns,
    # the roster, the marks with their authors, the appreciations with theirs, the
    # deadline (is it locked, then shown). Nothing per pupil or per cell.
    client.force_login(personas.teacher_a1)
    _fill_class(personas, school_year, 5)
    with django_assert_max_num_queries(13) as small:
        assert client.get(url(school_year.sheet)).status_code == 200
    _fill_class(personas, school_year, 30)
    with django_assert_max_num_queries(13) as large:
        response = client.get(url(school_year.sheet))
    assert len(form_of(response)) == 30 * 4 + 1
    assert len(large.captured_queries) == len(small.captured_queries)


# -- XLSX round trip -------------------------------------------------------------------------


def _download(client, sheet):  # type: ignore[no-untyped-def]
    response = client.get(url(sheet, "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == 'attachment; filename="notes-5ap-1-math-s1.xlsx"'
    return load_workbook(io.BytesIO(response.content))


def _upload(client, sheet, content: bytes, name: str = "notes.xlsx"):  # type: ignore[no-untyped-def]
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(url(sheet, "upload"), {"file": upload})


def _xlsx_bytes(workbook) -> bytes:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_download_has_keys_labels_marks_and_the_version(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    seed(personas, school_year)
    client.force_login(personas.teacher_a1)
    workbook = _download(client, school_year.sheet)
    ws = workbook.worksheets[0]
    header = [c.value for c in ws[1]]
    assert header == [
        "code_massar",
        "nom",
        "prenom",
        "nom_ar",
        "prenom_ar",
        "activity_1",
        "test_1",
        "test_2",
        "test_3",
        "appreciation",  # the teacher's appreciations, after the marks
    ]
    assert ws["G1"].comment.text == "Contrôle 1"
    assert ws.freeze_panes == "F2"
    p1, p2 = school_year.pupils_a1[:2]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {p.code_massar for p in school_year.pupils_a1}
    assert rows[p1.code_massar][1:5] == (
        p1.last_name,
        p1.first_name,
        p1.last_name_ar,
        p1.first_name_ar,
    )
    assert rows[p1.code_massar][6] == 12.5 and rows[p2.code_massar][6] == "ABS"
    validation = ws.data_validations.dataValidation[0]
    assert str(validation.sqref) == "F2:I6"
    assert "ABS" in validation.formula1 and "<=20" in validation.formula1
    meta = dict(workbook["pilotage"].iter_rows(values_only=True))
    assert meta["sheet_id"] == school_year.sheet.pk and meta["version"] == 1
    assert workbook["pilotage"].sheet_state == "hidden"


def test_xlsx_round_trip_preview_then_confirm(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    seed(personas, school_year)
    p1, p2, p3 = school_year.pupils_a1[:3]
    client.force_login(personas.teacher_a1)
    workbook = _download(client, school_year.sheet)
    ws = workbook.worksheets[0]
    line = {ws.cell(row, 1).value: row for row in range(2, ws.max_row + 1)}
    ws.cell(line[p1.code_massar], 7).value = 14  # test_1: 12.5 → 14
    ws.cell(line[p2.code_massar], 7).value = None  # test_1: ABS → cleared
    ws.cell(line[p3.code_massar], 8).value = "12,5"  # test_2: text with a decimal comma
    ws.cell(line[p3.code_massar], 6).value = "DISP"  # activity_1
    before = marks_state(school_year.sheet)

    preview = _upload(client, school_year.sheet, _xlsx_bytes(workbook))
    assert preview.status_code == 200
    body = html.unescape(preview.content.decode())
    assert "4 notes seront modifiées" in body
    changes = re.findall(
        r"<tr><td><bdi>(\w+)</bdi></td><td>.*?</td><td>([^<]+)</td><td dir=\"ltr\">([^<]*)</td><td dir=\"ltr\">([^<]*)</td></tr>",
        body,
    )
    assert sorted(changes) == sorted(
        [
            (p1.code_massar, "Contrôle 1", "12,5", "14"),
            (p2.code_massar, "Contrôle 1", "ABS", "—"),
            (p3.code_massar, "Contrôle 2", "—", "12,5"),
            (p3.code_massar, "Activités intégrées", "—", "DISP"),
        ]
    )
    assert marks_state(school_year.sheet) == before  # nothing saved by the preview
    token = re.search(r'name="token" value="(\w+)"', body).group(1)  # type: ignore[union-attr]

    assert (
        client.post(
            url(school_year.sheet, "upload"), {"action": "confirm", "token": "x"}
        ).status_code
        == 302
    )
    assert marks_state(school_year.sheet) == before  # a wrong token saves nothing

    done = client.post(
        url(school_year.sheet, "upload"), {"action": "confirm", "token": token}, follow=True
    )
    assert "4 notes enregistrées." in done.content.decode()
    assert marks_state(school_year.sheet) == [
        (p1.code_massar, "test_1", Decimal("14.00"), ""),
        (p3.code_massar, "activity_1", None, "DISP"),
        (p3.code_massar, "test_2", Decimal("12.50"), ""),
    ]
    # The same file again: the version in it is now stale.
    stale = _upload(client, school_year.sheet, _xlsx_bytes(workbook))
    assert stale.status_code == 409
    assert (
        f"modifiée par {personas.teacher_a1.get_full_name()} depuis le téléchargement"
        in html.unescape(stale.content.decode())
    )
    assert "data-confirm" not in stale.content.decode()


def test_someone_saving_between_preview_and_confirm_is_a_conflict(
    client, personas, school_year
) -> None:  # type: ignore[no-untyped-def]
    p1, p2 = school_year.pupils_a1[:2]
    client.force_login(personas.teacher_a1)
    workbook = _download(client, school_year.sheet)
    workbook.worksheets[0]["G2"] = 8
    preview = _upload(client, school_year.sheet, _xlsx_bytes(workbook))
    token = re.search(r'name="token" value="(\w+)"', preview.content.decode()).group(1)  # type: ignore[union-attr]
    marks_save_sheet(
        actor=personas.head_a,
        sheet=school_year.sheet,
        version=0,
        cells=[Cell(p2.code_massar, "test_3", "7")],
    )
    before = marks_state(school_year.sheet)
    response = client.post(url(school_year.sheet, "upload"), {"action": "confirm", "token": token})
    assert response.status_code == 409
    assert personas.head_a.get_full_name() in html.unescape(response.content.decode())
    assert marks_state(school_year.sheet) == before


def test_csv_with_the_same_columns_is_accepted(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    p1, p2 = school_year.pupils_a1[:2]
    client.force_login(personas.teacher_a1)
    content = (
        "code_massar;test_1;test_2;test_3;activity_1\n"
        f"{p1.code_massar};15,5;;ABS;\n"
        f"{p2.code_massar.lower()};8;9;10;11\n"
    ).encode("utf-8-sig")
    preview = _upload(client, school_year.sheet, content, "notes.csv")
    assert preview.status_code == 200, preview.content.decode()
    body = preview.content.decode()
    assert "6 notes seront modifiées" in body and "Un fichier CSV ne garde pas la version" in body
    token = re.search(r'name="token" value="(\w+)"', body).group(1)  # type: ignore[union-attr]
    client.post(url(school_year.sheet, "upload"), {"action": "confirm", "token": token})
    assert len(marks_state(school_year.sheet)) == 6


PROBLEM_ROW = re.compile(
    r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td><td><bdi>([^<]*)</bdi></td><td>([^<]+)</td></tr>"
)


def problems_of(response) -> list[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    return PROBLEM_ROW.findall(html.unescape(response.content.decode()))


def _bad_files(school_year):  # type: ignore[no-untyped-def]
    """name: (content, filename, the one expected problem as row, code, column, value,
    start of the reason)."""
    p1, p2 = school_year.pupils_a1[:2]
    c1, c2, outsider = p1.code_massar, p2.code_massar, school_year.pupils_b1[0].code_massar
    head = "code_massar,test_1,test_2,test_3,activity_1\n"
    return {
        "not a spreadsheet": (
            b"this is not a workbook",
            "notes.xlsx",
            ("1", "—", "—", "notes.xlsx", "ce fichier n'est pas un classeur XLSX lisible"),
        ),
        "empty": (b"", "notes.xlsx", ("1", "—", "—", "notes.xlsx", "le fichier est vide")),
        "missing column": (
            b"code_massar,test_1,test_2,activity_1\n",
            "notes.csv",
            ("1", "—", "test_3 (Contrôle 3)", "", "colonne obligatoire absente"),
        ),
        "extra column": (
            (head.strip() + ",bonus\n").encode(),
            "notes.csv",
            ("1", "—", "bonus", "bonus", "colonne inconnue (attendues : code_massar, "),
        ),
        "21": (
            (head + f"{c1},21,,,\n").encode(),
            "notes.csv",
            ("2", c1, "test_1 (Contrôle 1)", "21", "la note doit être comprise entre 0 et 20"),
        ),
        "-1": (
            (head + f"{c1},,-1,,\n").encode(),
            "notes.csv",
            ("2", c1, "test_2 (Contrôle 2)", "-1", "la note doit être comprise entre 0 et 20"),
        ),
        "abc": (
            (head + f"{c1},,,abc,\n").encode(),
            "notes.csv",
            ("2", c1, "test_3 (Contrôle 3)", "abc", "n'est pas un nombre"),
        ),
        "three decimals": (
            (head + f"{c1},12.125,,,\n").encode(),
            "notes.csv",
            ("2", c1, "test_1 (Contrôle 1)", "12.125", "deux décimales au plus"),
        ),
        "pupil of another class": (
            (head + f"{outsider},12,,,\n").encode(),
            "notes.csv",
            ("2", outsider, "code_massar", outsider, "élève non inscrit dans la classe"),
        ),
        "pupil twice": (
            (head + f"{c2},12,,,\n{c2},13,,,\n").encode(),
            "notes.csv",
            ("3", c2, "code_massar", c2, "élève en double (déjà en ligne 2)"),
        ),
        "no pupil": (
            head.encode(),
            "notes.csv",
            ("2", "—", "—", "notes.csv", "aucune ligne d'élève dans le fichier"),
        ),
        "short line": (
            (head + f"{c1},12\n").encode(),
            "notes.csv",
            ("2", "—", "—", "", "2 cellules au lieu de 5"),
        ),
    }


BAD = [
    "not a spreadsheet",
    "empty",
    "missing column",
    "extra column",
    "21",
    "-1",
    "abc",
    "three decimals",
    "pupil of another class",
    "pupil twice",
    "no pupil",
    "short line",
]


@pytest.mark.parametrize("case", BAD)
def test_each_bad_upload_gives_its_message_and_writes_nothing(
    client, personas, school_year, case
) -> None:  # type: ignore[no-untyped-def]
    seed(personas, school_year)
    before = marks_state(school_year.sheet)
    content, name, expected = _bad_files(school_year)[case]
    client.force_login(personas.teacher_a1)
    response = _upload(client, school_year.sheet, content, name)
    assert response.status_code == 400
    assert 'data-outcome="rejected"' in response.content.decode()
    assert "data-confirm" not in response.content.decode()
    [problem] = problems_of(response)
    assert problem[:4] == expected[:4]
    assert problem[4].startswith(expected[4])
    assert marks_state(school_year.sheet) == before
    assert client.session.get(f"marks-upload:{school_year.sheet.pk}") is None


def test_a_file_from_another_sheet_is_refused(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    from pilotage.schooling.models import Subject
    from pilotage.schooling.services.marks import sheet_ensure

    french = sheet_ensure(
        school_class=school_year.class_a1,
        subject=Subject.objects.get(code="FR"),
        semester=school_year.s1,
    )
    client.force_login(personas.teacher_a1)
    workbook = load_workbook(io.BytesIO(client.get(url(french, "xlsx")).content))
    response = _upload(client, school_year.sheet, _xlsx_bytes(workbook))
    assert response.status_code == 400
    assert "ce fichier a été téléchargé depuis une autre feuille de notes" in html.unescape(
        response.content.decode()
    )


def test_upload_on_a_locked_sheet_is_refused(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.teacher_a1)
    workbook = _download(client, school_year.sheet)
    workbook.worksheets[0]["G2"] = 8
    preview = _upload(client, school_year.sheet, _xlsx_bytes(workbook))
    token = re.search(r'name="token" value="(\w+)"', preview.content.decode()).group(1)  # type: ignore[union-attr]
    sheet_validate(actor=personas.head_a, sheet=school_year.sheet)  # between preview and confirm
    confirm = client.post(url(school_year.sheet, "upload"), {"action": "confirm", "token": token})
    assert confirm.status_code == 423
    assert 'data-outcome="locked"' in confirm.content.decode()
    page = client.get(url(school_year.sheet, "upload")).content.decode()
    assert 'data-outcome="locked"' in page and 'type="file"' not in page
    response = _upload(client, school_year.sheet, _xlsx_bytes(workbook))
    assert response.status_code == 423
    assert marks_state(school_year.sheet) == []
