from __future__ import annotations

import pytest

from pilotage.core.tests.support import unchanged
from pilotage.schooling.models import Absence, CouncilDecision, Enrolment, Transfer
from pilotage.schooling.services.marks import Cell, marks_save_sheet
from pilotage.schooling.tests.factories import enrol, make_pupil

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "persona", ["national_admin", "regional_officer", "provincial_a", "head_a", "teacher_a1"]
)
def test_class_page_for_those_who_cover_it(client, personas, school_year, persona) -> None:  # type: ignore[no-untyped-def]
    client.force_login(getattr(personas, persona))
    body = client.get(f"/schooling/classes/{school_year.class_a1.pk}/").content.decode()
    assert school_year.pupils_a1[0].code_massar in body


@pytest.mark.parametrize("persona", ["provincial_b", "head_b", "parent_a", "agent"])
def test_class_page_is_404_for_outsiders(client, personas, school_year, persona) -> None:  # type: ignore[no-untyped-def]
    client.force_login(getattr(personas, persona))
    assert client.get(f"/schooling/classes/{school_year.class_a1.pk}/").status_code == 404
    assert (
        client.get(f"/schooling/pupils/{school_year.pupils_a1[1].code_massar}/").status_code == 404
    )


def test_teacher_sees_only_the_classes_they_teach(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    from pilotage.schooling.tests.factories import make_class

    other = make_class(personas.school_a, school_year.year, "6AP", "6AP-1")
    client.force_login(personas.teacher_a1)
    body = client.get("/schooling/classes/").content.decode()
    assert "5AP-1" in body and "6AP-1" not in body
    assert client.get(f"/schooling/classes/{other.pk}/").status_code == 404


def test_class_page_query_count_does_not_grow(
    client, personas, school_year, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.head_a)
    url = f"/schooling/classes/{school_year.class_a1.pk}/"
    # session, user, scope, class, semester, coefficients, roster, marks, sheets of the
    # results, absences, sheets list, menu: none of them per pupil.
    with django_assert_max_num_queries(16) as first:
        client.get(url)
    for _ in range(25):
        enrol(make_pupil(), school_year.class_a1)
    with django_assert_max_num_queries(len(first.captured_queries)):
        body = client.get(url).content.decode()
    assert body.count("/schooling/pupils/") == 30


def test_parent_sees_only_their_child(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    marks_save_sheet(
        actor=personas.teacher_a1,
        sheet=school_year.sheet,
        version=0,
        cells=[
            Cell(p.code_massar, "test_1", m)
            # 5AP is primary school: marks out of 10.
            for p, m in zip(school_year.pupils_a1, ["7,5", "4,5", "6", "5,5", "9"], strict=True)
        ],
    )
    client.force_login(personas.parent_a)
    response = client.get("/schooling/portal/")
    body = response.content.decode()
    assert school_year.child.code_massar in body and "7,50" in body  # French decimal comma
    assert school_year.pupils_a1[1].code_massar not in body
    assert client.get(f"/schooling/pupils/{school_year.child.code_massar}/").status_code == 200
    assert (
        client.get(f"/schooling/pupils/{school_year.pupils_a1[1].code_massar}/").status_code == 404
    )
    assert client.get(f"/schooling/classes/{school_year.class_a1.pk}/").status_code == 404
    client.force_login(personas.teacher_a1)
    assert client.get("/schooling/portal/").status_code == 404


def test_attendance_page_records_absences(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    pupil = school_year.pupils_a1[2]
    client.force_login(personas.teacher_a1)
    url = f"/schooling/classes/{school_year.class_a1.pk}/attendance/"
    response = client.post(
        url,
        {
            "date": "2025-10-06",
            "session": "pm",
            f"absent:{pupil.pk}": "on",
            f"hours:{pupil.pk}": "2",
        },
    )
    assert response.status_code == 302
    absence = Absence.objects.get()
    assert (absence.pupil, absence.hours, absence.session) == (pupil, 2, "pm")
    client.force_login(personas.head_b)
    with unchanged(Absence):
        assert client.post(url, {"date": "2025-10-06", "session": "pm"}).status_code == 404


def test_council_page_for_the_school_head_only(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    url = f"/schooling/classes/{school_year.class_a1.pk}/council/"
    client.force_login(personas.teacher_a1)
    assert client.get(url).status_code == 404
    with unchanged(CouncilDecision, Enrolment):
        assert client.post(url, {}).status_code == 404
    client.force_login(personas.head_a)
    assert client.get(url).status_code == 200
    # Without marks nothing is suggested: the head decides each pupil explicitly.
    enrolments = Enrolment.objects.filter(school_class=school_year.class_a1)
    assert client.post(url, {f"decision:{e.pk}": "repeat" for e in enrolments}).status_code == 302
    assert CouncilDecision.objects.count() == 5


def test_transfer_through_the_pages(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    pupil = school_year.pupils_a1[4]
    client.force_login(personas.head_a)
    client.post(
        f"/schooling/pupils/{pupil.code_massar}/transfer/",
        {"to_school": str(personas.school_b.pk), "reason": "déménagement"},  # the picked unit
    )
    transfer = Transfer.objects.get()
    client.force_login(personas.head_a)  # the origin cannot answer
    with unchanged(Transfer, Enrolment):
        answer = client.post(f"/schooling/transfers/{transfer.pk}/answer/", {"accept": "1"})
        assert answer.status_code == 404
    client.force_login(personas.head_b)
    assert "déménagement" in client.get("/schooling/transfers/").content.decode()
    client.post(f"/schooling/transfers/{transfer.pk}/answer/", {"accept": "1"})
    transfer.refresh_from_db()
    assert transfer.status == "accepted"
    client.force_login(personas.teacher_a1)
    assert client.get("/schooling/transfers/").status_code == 404


def test_class_list_query_count_does_not_grow(
    client, personas, school_year, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    from pilotage.schooling.tests.factories import make_class

    client.force_login(personas.national_admin)
    # session, user, scope, current year, count, page of classes with pupil counts, menu.
    with django_assert_max_num_queries(8) as first:
        client.get("/schooling/classes/")
    for n in range(2, 22):
        make_class(personas.school_a, school_year.year, "5AP", f"5AP-{n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        body = client.get("/schooling/classes/").content.decode()
    assert body.count("/schooling/classes/") >= 22


def test_pupil_page_query_count_does_not_grow(
    client, personas, school_year, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    from pilotage.orgunits.services import academic_year_create
    from pilotage.schooling.models import Enrolment, GradeLevel

    pupil = school_year.pupils_a1[0]
    client.force_login(personas.head_a)
    url = f"/schooling/pupils/{pupil.code_massar}/"
    # session, user, scope, the pupil (scope subqueries inside), enrolments with their
    # school, year, level and class joined, menu.
    with django_assert_max_num_queries(7) as first:
        client.get(url)
    for year in range(2015, 2025):
        Enrolment.objects.create(
            pupil=pupil,
            school=personas.school_a,
            academic_year=academic_year_create(actor=None, first_year=year),
            grade_level=GradeLevel.objects.get(code="1AP"),
            status="promoted",
            entered_on=f"{year}-09-01",
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        body = client.get(url).content.decode()
    assert body.count("1re année primaire") == 10


def test_teacher_sees_only_the_sheets_of_their_subjects(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    from pilotage.schooling.models import Subject
    from pilotage.schooling.services.marks import sheet_ensure

    arabic = sheet_ensure(
        school_class=school_year.class_a1,
        subject=Subject.objects.get(code="AR"),
        semester=school_year.s1,
    )
    client.force_login(personas.teacher_a1)
    body = client.get(f"/schooling/classes/{school_year.class_a1.pk}/").content.decode()
    assert f"/schooling/sheets/{school_year.sheet.pk}/" in body
    assert f"/schooling/sheets/{arabic.pk}/" not in body
    client.force_login(personas.head_a)
    assert (
        f"/schooling/sheets/{arabic.pk}/"
        in client.get(f"/schooling/classes/{school_year.class_a1.pk}/").content.decode()
    )
