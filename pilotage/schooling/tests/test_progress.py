"""Marks-entry progress per school (selectors.marks_progress) and its page: sheets entered /
expected of the current semester, the schools furthest behind first, in one grouped query
whatever the number of schools."""

from __future__ import annotations

import pytest

from pilotage.schooling.models import SubjectCoefficient
from pilotage.schooling.selectors import marks_progress, semester_current
from pilotage.schooling.services.marks import Cell, marks_save_sheet, sheet_ensure, sheet_validate
from pilotage.schooling.tests.factories import enrol, make_class, make_pupil
from pilotage.schooling.views import progress

# Marks out of 20 in class A1 (5AP): see conftest.marks_out_of_20 (the primary /10 scale is
# tested in test_grading.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("marks_out_of_20")]
COLUMNS = ("test_1", "test_2", "test_3", "activity_1")


def curriculum(school_class) -> int:  # type: ignore[no-untyped-def]
    return SubjectCoefficient.objects.filter(
        grade_level=school_class.grade_level, stream__isnull=True
    ).count()


def fill(actor, sheet, pupils, columns=COLUMNS) -> None:  # type: ignore[no-untyped-def]
    sheet.refresh_from_db()
    marks_save_sheet(
        actor=actor,
        sheet=sheet,
        version=sheet.version,
        cells=[Cell(p.code_massar, c, "12") for p in pupils for c in columns],
    )


def sheet(school_year, code: str, school_class=None):  # type: ignore[no-untyped-def]
    from pilotage.schooling.models import Subject

    return sheet_ensure(
        school_class=school_class or school_year.class_a1,
        subject=Subject.objects.get(code=code),
        semester=school_year.s2,
    )


def test_the_current_semester_is_the_one_today_falls_in_or_the_last_one(school_year) -> None:  # type: ignore[no-untyped-def]
    # Today (after 31 August 2026) is past the fixture's 2025-2026 year: its last semester.
    assert semester_current() == school_year.s2


def test_entered_means_validated_or_every_pupil_marked_in_every_column(
    personas, school_year
) -> None:  # type: ignore[no-untyped-def]
    teacher, head = personas.teacher_a1, personas.head_a
    pupils = school_year.pupils_a1
    full, partial, validated = sheet(school_year, "MATH"), sheet(school_year, "FR"), None
    fill(teacher, full, pupils)
    fill(teacher, partial, pupils[:-1])  # the last pupil has no mark: not entered
    validated = sheet_validate(actor=head, sheet=sheet(school_year, "AR"))  # no mark, validated
    sheet_ensure(  # the S1 sheet of the fixture does not count in S2
        school_class=school_year.class_a1, subject=full.subject, semester=school_year.s1
    )
    rows = {r.school_id: r for r in marks_progress(personas.national_admin, school_year.s2)}
    a, b = rows[personas.school_a.pk], rows[personas.school_b.pk]
    assert (a.entered, a.expected) == (2, curriculum(school_year.class_a1))
    assert (b.entered, b.expected) == (0, curriculum(school_year.class_b1))
    assert validated.validated_at is not None
    # The pupil who had no mark gets one: the sheet is entered.
    fill(teacher, partial, pupils[-1:])
    rows = {r.school_id: r for r in marks_progress(personas.national_admin, school_year.s2)}
    assert rows[personas.school_a.pk].entered == 3


def test_a_pupil_who_left_the_class_is_not_waited_for_and_a_newcomer_is(
    personas, school_year
) -> None:  # type: ignore[no-untyped-def]
    from pilotage.schooling.models import EnrolmentStatus

    math = sheet(school_year, "MATH")
    fill(personas.teacher_a1, math, school_year.pupils_a1[1:])
    first = school_year.pupils_a1[0].enrolments.get()
    first.status = EnrolmentStatus.TRANSFERRED_OUT
    first.save(update_fields=["status"])
    [a] = marks_progress(personas.provincial_a, school_year.s2)
    assert a.entered == 1
    enrol(make_pupil(), school_year.class_a1)  # a newcomer without marks
    [a] = marks_progress(personas.provincial_a, school_year.s2)
    assert a.entered == 0


def test_schools_furthest_behind_come_first_and_each_officer_sees_their_scope(
    personas, school_year
) -> None:  # type: ignore[no-untyped-def]
    fill(personas.teacher_a1, sheet(school_year, "MATH"), school_year.pupils_a1)
    national = marks_progress(personas.national_admin, school_year.s2)
    assert [r.school_id for r in national] == [personas.school_b.pk, personas.school_a.pk]
    assert [r.school_id for r in marks_progress(personas.provincial_a, school_year.s2)] == [
        personas.school_a.pk
    ]
    assert [r.school_id for r in marks_progress(personas.regional_officer, school_year.s2)] == [
        personas.school_a.pk
    ]
    assert [r.school_id for r in marks_progress(personas.provincial_b, school_year.s2)] == [
        personas.school_b.pk
    ]
    for outsider in (personas.teacher_a1, personas.parent_a, personas.agent):
        assert marks_progress(outsider, school_year.s2) == []


def test_progress_is_one_query_whatever_the_number_of_schools(
    personas, school_year, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    from pilotage.orgunits.tests.factories import make_school

    marks_progress(personas.national_admin, school_year.s2)  # reads the grants once
    with django_assert_num_queries(1):  # the grouped progress
        marks_progress(personas.national_admin, school_year.s2)
    for n in range(6):
        unit = make_school(personas.commune_a, code=f"9{n:04d}X", name_fr=f"École {n}").org_unit
        make_class(unit, school_year.year, "5AP", f"5AP-{n}")
    with django_assert_num_queries(1):
        rows = marks_progress(personas.national_admin, school_year.s2)
    assert len(rows) == 8


def test_the_page_lists_every_school_of_the_scope_with_its_figure(
    client, personas, school_year
) -> None:  # type: ignore[no-untyped-def]
    fill(personas.teacher_a1, sheet(school_year, "MATH"), school_year.pupils_a1)
    client.force_login(personas.provincial_a)
    body = client.get("/schooling/marks-progress/").content.decode()
    expected = curriculum(school_year.class_a1)
    assert (
        f'data-school="{personas.school_a.code}" data-entered="1" data-expected="{expected}"'
        in body
    )
    assert personas.school_b.code not in body
    assert 'id="entered-rule"' in body and "validée" in body  # the rule is on the page
    client.force_login(personas.national_admin)
    body = client.get("/schooling/marks-progress/").content.decode()
    assert body.index(personas.school_b.code) < body.index(personas.school_a.code)


@pytest.mark.parametrize("persona", ["teacher_a1", "parent_a", "agent"])
def test_the_page_is_not_for_those_who_do_not_see_whole_schools(
    client, personas, school_year, persona
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(getattr(personas, persona))
    assert client.get("/schooling/marks-progress/").status_code == 404


def test_the_page_is_paginated_with_a_constant_query_count(
    client, personas, school_year, monkeypatch, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    from pilotage.orgunits.tests.factories import make_school

    monkeypatch.setattr(progress, "PER_PAGE", 3)
    client.force_login(personas.national_admin)
    # session, user, grants; the semester; the grouped progress; the page's schools; their
    # deadlines: 7
    with django_assert_max_num_queries(7) as first:
        client.get("/schooling/marks-progress/")
    for n in range(7):
        unit = make_school(personas.commune_a, code=f"9{n:04d}X", name_fr=f"École {n}").org_unit
        make_class(unit, school_year.year, "5AP", f"5AP-{n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get("/schooling/marks-progress/?page=3")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("data-school=") == 3 and "Page 3 sur 3" in body
