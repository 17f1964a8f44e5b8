"""The parents' portal: the child's names (Arabic first in Arabic), marks per subject and
semester, absences as a dated list, bulletin links with isolated language labels, and a
query count that does not grow with marks, absences or classmates."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from pilotage.schooling.models import Subject
from pilotage.schooling.services.attendance import AbsenceLine, absences_record
from pilotage.schooling.services.marks import Cell, marks_save_sheet, sheet_ensure
from pilotage.schooling.tests.factories import enrol, make_pupil

# Marks out of 20 in class A1 (5AP): see conftest.marks_out_of_20 (the primary /10 scale is
# tested in test_grading.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("marks_out_of_20")]


def _main(body: str) -> str:
    return body.split("<main", 1)[1].split("</main>", 1)[0]


def _marks(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    child, other = school_year.child, school_year.pupils_a1[1]
    marks_save_sheet(
        actor=personas.teacher_a1,
        sheet=school_year.sheet,
        version=0,
        cells=[
            Cell(child.code_massar, "test_1", "15"),
            Cell(child.code_massar, "test_2", "ABS"),
            Cell(other.code_massar, "test_1", "8"),
        ],
    )


def _absences(personas, school_year, days=(6,)) -> None:  # type: ignore[no-untyped-def]
    for day in days:
        absences_record(
            actor=personas.teacher_a1,
            school_class=school_year.class_a1,
            date=dt.date(2025, 10, day),
            session="pm",
            lines=[AbsenceLine(p.pk, hours=2) for p in school_year.pupils_a1[:2]],
        )


def test_portal_shows_marks_per_subject_and_dated_absences(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    _marks(personas, school_year)
    _absences(personas, school_year, days=(6, 9))
    client.force_login(personas.parent_a)
    main = _main(client.get("/schooling/portal/").content.decode())
    marks = main[main.index('data-semester="1"><thead') :]
    assert '<tr data-subject="MATH">' in marks
    assert "<bdi>15,00</bdi>" in marks and "Absent" in marks  # each mark, not only the average
    assert '<tr data-date="2025-10-09" data-justified="0">' in main
    assert '<tr data-date="2025-10-06" data-justified="0">' in main
    assert "9 octobre 2025" in main and "Après-midi" in main
    assert main.index("2025-10-09") < main.index("2025-10-06")  # newest first
    assert "Absences : 4 h dont 4 h non justifiées." in main
    assert school_year.pupils_a1[1].code_massar not in main and "8,00" not in main


def test_portal_heading_names_the_child_in_the_readers_script_first(
    client, personas, school_year
) -> None:  # type: ignore[no-untyped-def]
    child = school_year.child
    client.force_login(personas.parent_a)
    main = _main(client.get("/schooling/portal/").content.decode())
    heading = re.search(r"<h2>(.*?)</h2>", main).group(1)  # type: ignore[union-attr]
    assert heading.index(child.full_name) < heading.index(child.full_name_ar)
    assert f'<bdi class="code-massar">{child.code_massar}</bdi>' in heading
    client.cookies["django_language"] = "ar"
    main = _main(client.get("/schooling/portal/").content.decode())
    heading = re.search(r"<h2>(.*?)</h2>", main).group(1)  # type: ignore[union-attr]
    assert f'<bdi lang="ar">{child.full_name_ar}</bdi>' in heading  # shown at all, and first
    assert heading.index(child.full_name_ar) < heading.index(child.full_name)


def test_bulletin_links_isolate_their_language_labels(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    client.cookies["django_language"] = "ar"
    client.force_login(personas.parent_a)
    main = _main(client.get("/schooling/portal/").content.decode())
    assert "(FR)" not in main and "(ع)" not in main  # the scrambled "S1 · (FR) S1 (ع)"
    code = school_year.child.code_massar
    for number in (1, 2):
        for lang, label in (("fr", "Français"), ("ar", "العربية")):
            link = re.search(
                rf'<a [^>]*href="/schooling/pupils/{code}/bulletin/{number}.pdf\?lang={lang}">(.*?)</a>',
                main,
            )
            assert link is not None and link.group(1) == f'<bdi lang="{lang}">{label}</bdi>'
    assert client.get(f"/schooling/pupils/{code}/bulletin/1.pdf?lang=fr").status_code == 200


def test_portal_without_marks_nor_absences_says_so(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.parent_a)
    main = _main(client.get("/schooling/portal/").content.decode()).replace("&#x27;", "'")
    assert "Aucune absence cette année." in main


def test_portal_is_for_parents_and_shows_only_their_children(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    for persona in ("teacher_a1", "head_a", "provincial_a", "agent"):
        client.force_login(getattr(personas, persona))
        assert client.get("/schooling/portal/").status_code == 404, persona
    _absences(personas, school_year)
    client.force_login(personas.parent_a)
    main = _main(client.get("/schooling/portal/").content.decode())
    assert main.count('class="card portal-child"') == 1
    for other in school_year.pupils_a1[1:]:
        assert other.code_massar not in main


def test_portal_queries_do_not_grow_with_marks_absences_or_classmates(
    client, personas, school_year, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    """18 for one child: session, user, grants (3); children, their enrolments (2); the
    semesters (1); their marks (1); their absences (1); class_results for each class ×
    semester (5 each: the cycle's scale, coefficients, roster, marks, sheets; 2 semesters
    here)."""
    client.force_login(personas.parent_a)
    with django_assert_max_num_queries(18) as first:
        client.get("/schooling/portal/")
    _marks(personas, school_year)
    _absences(personas, school_year, days=(6, 7, 8))
    sheet_ensure(
        school_class=school_year.class_a1,
        subject=Subject.objects.get(code="FR"),
        semester=school_year.s1,
    )
    for _ in range(5):
        enrol(make_pupil(), school_year.class_a1)
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get("/schooling/portal/").status_code == 200
