"""The school records' home cards: what each reader follows, links that open, an empty
state worded for them, not shown to those they are not for, a pinned query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pilotage.orgunits.models import AcademicYear
from pilotage.schooling import home
from pilotage.schooling.models import Subject, Transfer
from pilotage.schooling.services.attendance import AbsenceLine, absences_record
from pilotage.schooling.services.deadlines import deadline_set
from pilotage.schooling.services.enrolments import transfer_request
from pilotage.schooling.services.marks import Cell, marks_save_sheet, sheet_ensure, sheet_validate

# Marks out of 20 in class A1 (5AP): see conftest.marks_out_of_20 (the primary /10 scale is
# tested in test_grading.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("marks_out_of_20")]
COLUMNS = ("test_1", "test_2", "test_3", "activity_1")


def _main(body: str) -> str:
    return body.split("<main", 1)[1].split("</main>", 1)[0]


def s2_sheet(school_year, code: str):  # type: ignore[no-untyped-def]
    return sheet_ensure(
        school_class=school_year.class_a1,
        subject=Subject.objects.get(code=code),
        semester=school_year.s2,
    )


def fill(actor, sheet, pupils, columns=COLUMNS) -> None:  # type: ignore[no-untyped-def]
    sheet.refresh_from_db()
    marks_save_sheet(
        actor=actor,
        sheet=sheet,
        version=sheet.version,
        cells=[Cell(p.code_massar, c, "14") for p in pupils for c in columns],
    )


# --- school head ----------------------------------------------------------------------------


def test_head_sees_the_sheets_to_validate_with_links(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    math2 = s2_sheet(school_year, "MATH")
    client.force_login(personas.head_a)
    main = _main(client.get("/").content.decode())
    assert 'id="sheets-to-validate" data-count="2"' in main
    for sheet in (school_year.sheet, math2):
        assert f'href="/schooling/sheets/{sheet.pk}/"' in main
    assert "5AP-1" in main and "semestre 1" in main and "semestre 2" in main
    sheet_validate(actor=personas.head_a, sheet=school_year.sheet)
    sheet_validate(actor=personas.head_a, sheet=math2)
    main = _main(client.get("/").content.decode())
    assert 'data-count="0"' in main and "Toutes les feuilles de notes" in main


def test_head_sees_the_transfers_waiting_for_their_answer(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    pupil = school_year.pupils_b1[0]
    transfer_request(
        actor=personas.head_b,
        pupil=pupil,
        academic_year=school_year.year,
        to_school=personas.school_a,
        reason="déménagement",
    )
    client.force_login(personas.head_a)
    main = _main(client.get("/").content.decode())
    assert 'id="transfers-waiting" data-count="1"' in main
    assert '<a href="/schooling/transfers/">' in main
    assert client.get("/schooling/transfers/").status_code == 200
    # The school that asked does not answer it: nothing waits for head.b.
    client.force_login(personas.head_b)
    assert 'id="transfers-waiting" data-count="0"' in _main(client.get("/").content.decode())
    assert Transfer.objects.get().status == "requested"


def test_the_head_card_is_not_shown_to_other_roles_nor_other_heads_sheets(
    client, personas, school_year
) -> None:  # type: ignore[no-untyped-def]
    for persona in ("provincial_a", "teacher_a1", "parent_a", "agent"):
        client.force_login(getattr(personas, persona))
        assert 'id="school-head-card"' not in client.get("/").content.decode(), persona
    client.force_login(personas.head_b)
    main = _main(client.get("/").content.decode())
    assert f"/schooling/sheets/{school_year.sheet.pk}/" not in main


# --- teacher --------------------------------------------------------------------------------


def test_teacher_sees_the_sheets_due_by_deadline(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    math2, french2 = s2_sheet(school_year, "MATH"), s2_sheet(school_year, "FR")
    now = timezone.now()
    deadline_set(
        actor=personas.provincial_a,
        semester=school_year.s2,
        org_unit=personas.province_a,
        # Days left count local calendar dates: noon five local days ahead reads
        # "dans 5 jours" whatever the hour the test runs at (now + 5 days 1 hour
        # read 6 after 23:00 in Casablanca).
        closes_at=timezone.make_aware(
            dt.datetime.combine(timezone.localdate() + dt.timedelta(days=5), dt.time(12))
        ),
    )
    client.force_login(personas.teacher_a1)
    main = _main(client.get("/").content.decode())
    assert f'href="/schooling/sheets/{math2.pk}/"' in main
    assert f'href="/schooling/sheets/{french2.pk}/"' in main
    assert "dans 5 jours" in main and 'data-overdue="0"' in main
    # A full sheet is no longer due.
    fill(personas.teacher_a1, math2, school_year.pupils_a1)
    main = _main(client.get("/").content.decode())
    assert f'href="/schooling/sheets/{math2.pk}/"' not in main
    assert f'href="/schooling/sheets/{french2.pk}/"' in main
    # The school closes earlier than the province: overdue.
    deadline_set(
        actor=personas.national_admin,
        semester=school_year.s2,
        org_unit=personas.school_a,
        closes_at=now - dt.timedelta(days=2),
    )
    main = _main(client.get("/").content.decode())
    assert "en retard" in main and 'data-overdue="1"' in main
    sheet_validate(actor=personas.head_a, sheet=french2)  # validated: entered, not due
    assert "Toutes vos feuilles de notes de ce semestre sont saisies." in _main(
        client.get("/").content.decode()
    )


def test_teacher_card_lists_a_sheet_not_created_yet_and_only_their_own(
    client, personas, school_year
) -> None:  # type: ignore[no-untyped-def]
    sheet_ensure(  # the class's Arabic sheet: not taught by teacher.a1
        school_class=school_year.class_a1,
        subject=Subject.objects.get(code="AR"),
        semester=school_year.s2,
    )
    client.force_login(personas.teacher_a1)
    main = _main(client.get("/").content.decode())
    # Neither S2 sheet of theirs exists yet: both lead to the class.
    assert main.count(f'href="/schooling/classes/{school_year.class_a1.pk}/"') == 2
    assert "/schooling/sheets/" not in main
    assert "pas de date limite" in main


# --- provincial officer ---------------------------------------------------------------------


def test_officer_sees_marks_entry_progress_per_school(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    fill(personas.teacher_a1, s2_sheet(school_year, "MATH"), school_year.pupils_a1)
    client.force_login(personas.provincial_a)
    main = _main(client.get("/").content.decode())
    assert 'id="marks-progress-card"' in main
    assert f'<li data-school="{personas.school_a.code}" data-entered="1"' in main
    assert personas.school_b.code not in main
    assert '<a href="/schooling/marks-progress/"' in main
    client.force_login(personas.national_admin)
    main = _main(client.get("/").content.decode())
    assert main.index(personas.school_b.code) < main.index(personas.school_a.code)


def test_officer_card_without_a_current_year_says_so(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.provincial_a)
    assert "Aucune année scolaire en cours" in client.get("/").content.decode()


@pytest.mark.parametrize("persona", ["head_a", "teacher_a1", "parent_a", "agent"])
def test_the_progress_card_is_not_for_those_who_run_a_school_or_less(
    client, personas, school_year, persona
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(getattr(personas, persona))
    assert 'id="marks-progress-card"' not in client.get("/").content.decode()


# --- parent ---------------------------------------------------------------------------------


def test_parent_sees_recent_marks_and_dated_absences(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    child, other = school_year.child, school_year.pupils_a1[1]
    marks_save_sheet(
        actor=personas.teacher_a1,
        sheet=school_year.sheet,
        version=0,
        cells=[Cell(child.code_massar, "test_1", "15,5"), Cell(other.code_massar, "test_1", "7")],
    )
    absences_record(
        actor=personas.teacher_a1,
        school_class=school_year.class_a1,
        date=dt.date(2025, 10, 6),
        session="am",
        lines=[AbsenceLine(child.pk, hours=3), AbsenceLine(other.pk)],
    )
    client.force_login(personas.parent_a)
    main = _main(client.get("/").content.decode())
    assert "15,50/20" in main and "Mathématiques" in main
    assert '<li data-date="2025-10-06">' in main and "non justifiée" in main and "3 h" in main
    assert child.last_name in main
    assert other.code_massar not in main and "7,00/20" not in main and "7/20" not in main
    assert '<a href="/schooling/portal/" id="portal-link">' in main


def test_parent_card_empty_states(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.parent_a)
    main = _main(client.get("/").content.decode())
    assert "Pas encore de notes." in main and "Aucune absence cette année." in main
    school_year.child.guardians.all().delete()
    main = _main(client.get("/").content.decode())
    assert "Aucun enfant n'est encore rattaché" in main.replace("&#x27;", "'")


@pytest.mark.parametrize("persona", ["head_a", "teacher_a1", "provincial_a", "agent"])
def test_the_parent_card_is_only_for_parents(client, personas, school_year, persona) -> None:  # type: ignore[no-untyped-def]
    client.force_login(getattr(personas, persona))
    assert 'id="parent-card"' not in client.get("/").content.decode()


# --- query counts ---------------------------------------------------------------------------


def _more_rows(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    """More of everything the cards read: sheets, marks, absences, transfers."""
    for code in ("AR", "FR", "MATH"):
        fill(
            personas.teacher_a1 if code != "AR" else personas.head_a,
            s2_sheet(school_year, code),
            school_year.pupils_a1[:3],
        )
    for day in (6, 7, 8):
        absences_record(
            actor=personas.teacher_a1,
            school_class=school_year.class_a1,
            date=dt.date(2025, 10, day),
            session="am",
            lines=[AbsenceLine(p.pk) for p in school_year.pupils_a1],
        )
    for pupil in school_year.pupils_b1:
        transfer_request(
            actor=personas.head_b,
            pupil=pupil,
            academic_year=school_year.year,
            to_school=personas.school_a,
            reason="",
        )


@pytest.mark.parametrize(
    ("persona", "card", "queries"),
    [
        # semester (with its year); grouped progress; the shown schools; their deadlines
        ("provincial_a", home._officer, 4),
        # schools; year; pupils; classes; sheets to validate (count, first ones); transfers
        ("head_a", home._head, 7),
        # semester; classes taught; assignments with their sheet; how full; deadlines
        ("teacher_a1", home._teacher, 5),
        # children; their enrolments; year; latest marks; the mark scales; absences
        ("parent_a", home._parent, 6),
    ],
)
def test_each_card_costs_a_fixed_number_of_queries(
    personas, school_year, django_assert_num_queries, persona, card, queries
) -> None:  # type: ignore[no-untyped-def]
    user = getattr(personas, persona)
    fill(personas.teacher_a1, s2_sheet(school_year, "MATH"), school_year.pupils_a1[:1])
    card(user)  # reads the grants once
    with django_assert_num_queries(queries):
        card(user)
    _more_rows(personas, school_year)
    with django_assert_num_queries(queries):
        assert card(user) is not None
    assert AcademicYear.objects.count() == 1
