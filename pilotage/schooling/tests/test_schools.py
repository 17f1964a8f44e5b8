"""The schools an officer oversees with their figures (/schooling/schools/), and each
school's page (/schooling/schools/<code>/), the head's hub."""

from __future__ import annotations

import re

import pytest

from pilotage.orgunits.tests.factories import make_school, make_unit
from pilotage.schooling.models import Subject, SubjectCoefficient
from pilotage.schooling.selectors import school_figures, semester_current
from pilotage.schooling.services.marks import Cell, marks_save_sheet, sheet_ensure
from pilotage.schooling.tests.factories import enrol, make_class, make_pupil, make_teacher

# Marks out of 20 in class A1 (5AP): see conftest.marks_out_of_20 (the primary /10 scale is
# tested in test_grading.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("marks_out_of_20")]


def listed(body: str) -> list[str]:
    return re.findall(r'<tr data-school="([^"]+)"', body)


def figure(body: str, school: str, name: str) -> str:
    row = body.split(f'<tr data-school="{school}">', 1)[1].split("</tr>", 1)[0]
    match = re.search(rf'data-figure="{name}">([^<]*)<', row)
    assert match, row
    return match.group(1).strip()


def test_each_officer_sees_the_schools_of_their_scope(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    for persona, expected in [
        ("provincial_a", ["04101A"]),
        ("provincial_b", ["03201B"]),
        ("regional_officer", ["04101A"]),
        ("national_admin", ["03201B", "04101A"]),  # by name: Collège…, École…
        ("head_a", ["04101A"]),
    ]:
        client.force_login(getattr(personas, persona))
        response = client.get("/schooling/schools/")
        assert response.status_code == 200, persona
        assert listed(response.content.decode()) == expected, persona


@pytest.mark.parametrize("persona", ["teacher_a1", "parent_a", "agent"])
def test_who_oversees_no_school_gets_404(client, personas, school_year, persona: str) -> None:  # type: ignore[no-untyped-def]
    client.force_login(getattr(personas, persona))
    assert client.get("/schooling/schools/").status_code == 404


def _fill(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    """Every pupil of class A1 gets a mark in every column of its maths sheet of S1: the
    sheet is entered (selectors.ENTERED_RULE, the rule of the marks-entry progress)."""
    marks_save_sheet(
        actor=personas.teacher_a1,
        sheet=school_year.sheet,
        version=0,
        cells=[
            Cell(pupil.code_massar, assessment.column, "12")
            for pupil in school_year.pupils_a1
            for assessment in school_year.sheet.assessments.all()
        ],
    )


def test_figures_per_school(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    # Class A1 (5AP): five pupils, one teacher; its maths sheet of S1 is entered.
    _fill(personas, school_year)
    # An empty French sheet does not count as entered.
    sheet_ensure(
        school_class=school_year.class_a1,
        subject=Subject.objects.get(code="FR"),
        semester=school_year.s1,
    )
    expected_5ap = SubjectCoefficient.objects.filter(
        grade_level=school_year.class_a1.grade_level, stream__isnull=True
    ).count()
    assert expected_5ap > 0
    client.force_login(personas.national_admin)
    body = client.get("/schooling/schools/", {"semestre": "1"}).content.decode()
    assert figure(body, "04101A", "pupils") == "5"
    assert figure(body, "04101A", "classes") == "1"
    assert figure(body, "04101A", "teachers") == "1"
    assert figure(body, "04101A", "sheets") == f"1 / {expected_5ap}"
    assert figure(body, "03201B", "pupils") == "3"
    assert figure(body, "03201B", "teachers") == "0"
    assert figure(body, "03201B", "sheets").endswith(
        f"/ {SubjectCoefficient.objects.filter(grade_level=school_year.class_b1.grade_level, stream__isnull=True).count()}"
    )
    # The row links to the school's page, and shows the commune and the code.
    assert 'href="/schooling/schools/04101A/"' in body
    assert "Commune de Gueznaia" in body and "<bdi>04101A</bdi>" in body


def test_figures_of_the_semester(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    _fill(personas, school_year)
    school = personas.school_a
    assert school_figures([school], school_year.year, school_year.s1)[school.pk].sheets_entered == 1
    assert school_figures([school], school_year.year, school_year.s2)[school.pk].sheets_entered == 0


def test_filters_by_commune_cycle_and_name(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    commune = make_unit(personas.fresh(personas.province_a), code="MA-TNG-C002", name_fr="Assilah")
    make_school(commune, code="04102C", name_fr="Lycée Assilah", cycles=["lycee"])
    client.force_login(personas.provincial_a)
    body = client.get("/schooling/schools/").content.decode()
    assert sorted(listed(body)) == ["04101A", "04102C"]
    assert '<option value="MA-TNG-C002"' in body and '<option value="MA-FES-C001"' not in body
    assert listed(
        client.get("/schooling/schools/", {"commune": "MA-TNG-C002"}).content.decode()
    ) == ["04102C"]
    assert listed(client.get("/schooling/schools/", {"cycle": "primaire"}).content.decode()) == [
        "04101A"
    ]
    assert listed(client.get("/schooling/schools/", {"q": "lycée"}).content.decode()) == ["04102C"]
    # Another province's commune filters down to nothing, it does not widen the scope.
    assert (
        listed(client.get("/schooling/schools/", {"commune": "MA-FES-C001"}).content.decode()) == []
    )


def test_school_list_queries_do_not_grow_with_the_schools(
    client, personas, school_year, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.provincial_a)
    # session, user, scope, current year, its semesters, communes of the filter, count,
    # page of schools; then one per figure: pupils, classes (by level), coefficients,
    # teachers, sheets entered; the communes of the page's schools.
    with django_assert_max_num_queries(14) as first:
        assert client.get("/schooling/schools/").status_code == 200
    commune = personas.fresh(personas.commune_a)
    for n in range(12):
        unit = make_school(personas.fresh(commune)).org_unit
        school_class = make_class(unit, school_year.year, "5AP", f"5AP-{n}")
        enrol(make_pupil(), school_class)
    with django_assert_max_num_queries(len(first.captured_queries)):
        body = client.get("/schooling/schools/").content.decode()
    assert len(listed(body)) == 13


def test_school_list_is_paginated(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    commune = personas.fresh(personas.commune_a)
    for _ in range(51):
        make_school(personas.fresh(commune))
    client.force_login(personas.provincial_a)
    body = client.get("/schooling/schools/", {"cycle": "primaire"}).content.decode()
    assert len(listed(body)) == 50 and "cycle=primaire&amp;page=2" in body
    assert len(listed(client.get("/schooling/schools/", {"page": 2}).content.decode())) == 2


# --- The school's page ------------------------------------------------------------------------


def test_school_page_links_to_what_the_head_runs(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.head_a)
    body = client.get("/schooling/schools/04101A/", {"semestre": "1"}).content.decode()
    class_a1 = school_year.class_a1.pk
    assert f'href="/schooling/classes/{class_a1}/"' in body
    assert f'href="/schooling/classes/{class_a1}/attendance/"' in body
    assert f'href="/schooling/classes/{class_a1}/council/"' in body
    assert 'href="/schooling/pupils/?ecole=04101A"' in body
    assert f'href="/schooling/sheets/{school_year.sheet.pk}/"' in body
    assert 'action="/schooling/schools/04101A/bulletins/"' in body
    assert 'href="/schooling/transfers/"' in body
    assert 'data-status="empty"' in body  # the maths sheet exists, no mark yet
    assert 'data-status="missing"' in body  # the other subjects have no sheet


def test_school_page_for_an_officer_reads_only(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.provincial_a)
    body = client.get("/schooling/schools/04101A/").content.decode()
    assert f'href="/schooling/classes/{school_year.class_a1.pk}/"' in body
    assert "/attendance/" not in body and "/council/" not in body
    assert "/schooling/schools/04101A/bulletins/" not in body  # the school batch is the head's
    assert 'href="/schooling/pupils/?ecole=04101A"' in body


def test_school_page_for_a_teacher_shows_their_classes(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    other = make_class(personas.school_a, school_year.year, "6AP", "6AP-1")
    client.force_login(personas.teacher_a1)
    body = client.get("/schooling/schools/04101A/").content.decode()
    assert f'href="/schooling/classes/{school_year.class_a1.pk}/attendance/"' in body
    assert f"/schooling/classes/{other.pk}/" not in body
    assert "/council/" not in body and "/bulletins/" not in body


@pytest.mark.parametrize(
    ("persona", "code"),
    [("head_a", "03201B"), ("provincial_b", "04101A"), ("parent_a", "04101A"), ("agent", "04101A")],
)
def test_school_page_outsiders_get_404(
    client, personas, school_year, persona: str, code: str
) -> None:  # type: ignore[no-untyped-def]
    make_teacher(personas.head_b, personas.school_b)  # a teacher record elsewhere changes nothing
    client.force_login(getattr(personas, persona))
    assert client.get(f"/schooling/schools/{code}/").status_code == 404
    assert client.get("/schooling/schools/NOPE/").status_code == 404


def test_school_page_queries_do_not_grow_with_the_classes(
    client, personas, school_year, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.head_a)
    # session, user, school, scope, current year, its semesters, classes with pupil counts,
    # their subjects, their sheets; the school's figures (pupils, classes, coefficients,
    # teachers, sheets entered); its commune.
    with django_assert_max_num_queries(15) as first:
        assert client.get("/schooling/schools/04101A/").status_code == 200
    for n in range(2, 12):
        school_class = make_class(personas.school_a, school_year.year, "6AP", f"6AP-{n}")
        enrol(make_pupil(), school_class)
    with django_assert_max_num_queries(len(first.captured_queries)):
        body = client.get("/schooling/schools/04101A/").content.decode()
    assert body.count("/attendance/") == 11


def test_school_unit_page_links_to_the_school_page_not_to_sub_units(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.provincial_a)
    body = client.get("/orgunits/04101A/").content.decode()
    assert 'href="/schooling/schools/04101A/"' in body
    assert "sous-unité" not in body.lower()
    # The commune's list links each school to its page instead of "0" sub-units.
    body = client.get("/orgunits/MA-TNG-C001/").content.decode()
    row = body.split('href="/orgunits/04101A/"', 1)[1].split("</tr>", 1)[0]
    assert 'href="/schooling/schools/04101A/"' in row and "<td>0</td>" not in row


def test_current_semester_follows_the_calendar(school_year, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.utils import timezone

    for day, expected in [
        (school_year.s1.start - dt.timedelta(days=30), school_year.s1),  # before the year
        (school_year.s1.start, school_year.s1),
        (school_year.s2.start, school_year.s2),
        (school_year.s2.end + dt.timedelta(days=90), school_year.s2),  # after the year
    ]:
        monkeypatch.setattr(timezone, "localdate", lambda day=day: day)
        assert semester_current(school_year.year) == expected
