"""Facts computed from the school records, and kept fresh by the writing services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pilotage.indicators.engine import compute
from pilotage.indicators.facts import facts_rebuild, facts_refresh
from pilotage.indicators.models import ClassFact, FactDirty, PupilFact, TeacherFact
from pilotage.orgunits.models import AcademicYear
from pilotage.orgunits.services import academic_year_create
from pilotage.orgunits.tests.factories import make_school
from pilotage.schooling.models import (
    Absence,
    Assessment,
    Enrolment,
    EnrolmentStatus,
    Mark,
    MarkSheet,
    Subject,
)
from pilotage.schooling.services.enrolments import pupil_enrol
from pilotage.schooling.tests.factories import enrol, make_class, make_pupil, make_teacher, teach

pytestmark = pytest.mark.django_db


@pytest.fixture
def years(structure) -> tuple[AcademicYear, AcademicYear]:  # type: ignore[no-untyped-def]
    return (
        academic_year_create(actor=None, first_year=2024),
        academic_year_create(actor=None, first_year=2025, current=True),
    )


def test_flows_follow_the_same_pupil_into_the_next_year_whatever_the_statuses(
    personas, years
) -> None:  # type: ignore[no-untyped-def]
    """Four pupils of 6AP in 2024-2025: one in 1AC at a collège in 2025-2026 (promoted,
    another school), one in 6AP again (repeated), one with no enrolment (dropped out), one
    whose status says "repeating" but who is in 1AC (promoted: statuses are not read)."""
    t, t1 = years
    college = make_school(personas.commune_a, code="COL-A", cycles=["college"]).org_unit
    school = personas.school_a
    c6 = make_class(school, t, "6AP", "6AP-1")
    pupils = [make_pupil(sex="F") for _ in range(4)]
    for p in pupils:
        enrol(p, c6, status=EnrolmentStatus.PROMOTED)
    enrol(pupils[0], make_class(college, t1, "1AC", "1AC-1"))
    enrol(pupils[1], make_class(school, t1, "6AP", "6AP-1"), status=EnrolmentStatus.ENROLLED)
    enrol(pupils[3], _class(college, t1, "1AC"), status=EnrolmentStatus.REPEATING)
    facts_rebuild()
    row = PupilFact.objects.get(school=school, academic_year=t)
    assert (row.enrolled, row.promoted, row.repeated) == (4, 2, 1)
    assert row.new_entrants is None  # no year before 2024-2025
    assert compute("dropout_rate", units=[school], years=[t])[0].value == pytest.approx(25.0)
    (transition,) = compute("transition_rate", units=[personas.country], years=[t])
    assert (transition.numerator, transition.denominator) == (2, 4)
    # 2025-2026 has no next year: its flows are unknown, its new entrants known.
    later = PupilFact.objects.get(school=school, academic_year=t1)
    assert later.promoted is None and later.new_entrants == 0  # the repeater was in 6AP


def _class(school, year, grade):  # type: ignore[no-untyped-def]
    from pilotage.schooling.models import SchoolClass

    return SchoolClass.objects.get(school=school, academic_year=year, grade_level__code=grade)


def test_a_pupil_transferred_in_the_year_counts_once_at_the_latest_school(personas, years) -> None:  # type: ignore[no-untyped-def]
    t, _ = years
    a = make_class(personas.school_a, t, "3AP", "3AP-1")
    b = make_class(personas.school_b, t, "3AP", "3AP-1")
    pupil = make_pupil(sex="M")
    enrol(pupil, a, status=EnrolmentStatus.TRANSFERRED_OUT)
    later = enrol(pupil, b, status=EnrolmentStatus.TRANSFERRED_IN)
    Enrolment.objects.filter(pk=later.pk).update(entered_on=dt.date(2025, 1, 6))
    facts_rebuild()
    assert list(PupilFact.objects.values_list("school__code", "enrolled")) == [
        (personas.school_b.code, 1)
    ]


def test_ages_marks_absences_classes_and_teachers(personas, years) -> None:  # type: ignore[no-untyped-def]
    t, _ = years
    c = make_class(personas.school_a, t, "1AP", "1AP-1")
    on_age = make_pupil(sex="F", birth_date=dt.date(2018, 5, 1))  # 6 in 2024: official age
    older = make_pupil(sex="F", birth_date=dt.date(2011, 5, 1))  # 13: collège age
    for p in (on_age, older):
        enrol(p, c)
    teacher = make_teacher(personas.teacher_a1, personas.school_a, qualified=False)
    teach(teacher, c, "MATH")
    subject = Subject.objects.get(code="MATH")
    sheet = MarkSheet.objects.create(school_class=c, subject=subject, semester=t.semesters.first())
    test = Assessment.objects.create(sheet=sheet, kind="test", number=1)
    exam = Assessment.objects.create(sheet=sheet, kind="test", number=2)
    for assessment, (v1, v2) in zip((test, exam), ((6, 3), (7, 4)), strict=True):
        Mark.objects.create(
            assessment=assessment, pupil=on_age, value=Decimal(v1), updated_by=personas.teacher_a1
        )
        Mark.objects.create(
            assessment=assessment, pupil=older, value=Decimal(v2), updated_by=personas.teacher_a1
        )
    Absence.objects.create(
        pupil=older,
        school_class=c,
        date=dt.date(2024, 10, 7),
        session="am",
        recorded_by=personas.head_a,
    )
    facts_rebuild()
    row = PupilFact.objects.get()
    assert (row.enrolled, row.age_primaire, row.age_college, row.age_lycee) == (2, 1, 1, 0)
    assert (row.marks_count, row.marks_sum) == (4, Decimal(20))
    # 1AP is primary school, marks out of 10 with a pass at 5 (docs/schooling.md § Marks):
    # mean 6.5 passes, mean 3.5 does not.
    assert (row.assessed, row.passed) == (2, 1)
    assert row.absent_half_days == 1
    assert ClassFact.objects.get().classes == 1
    assert (TeacherFact.objects.get().teachers, TeacherFact.objects.get().qualified) == (1, 0)


def test_an_enrolment_saved_marks_its_school_dirty_and_the_worker_refreshes_it(
    personas, years, run_jobs, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    t, t1 = years
    c = make_class(personas.school_a, t1, "2AP", "2AP-1")
    facts_rebuild()
    assert compute("enrolment", units=[personas.school_a], years=[t1]) == []
    pupil = make_pupil()
    with django_capture_on_commit_callbacks(execute=True):
        pupil_enrol(
            actor=personas.head_a,
            pupil=pupil,
            school=personas.school_a,
            academic_year=t1,
            grade_level=c.grade_level,
            school_class=c,
        )
    assert FactDirty.objects.filter(school=personas.school_a, academic_year=t1).exists()
    run_jobs()
    assert not FactDirty.objects.exists()
    (value,) = compute("enrolment", units=[personas.school_a], years=[t1])
    assert value.value == 1


def test_a_refused_write_marks_nothing(personas, years) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import PermissionDenied

    _, t1 = years
    c = make_class(personas.school_a, t1, "2AP", "2AP-1")
    with pytest.raises(PermissionDenied):
        pupil_enrol(
            actor=personas.head_b,
            pupil=make_pupil(),
            school=personas.school_a,
            academic_year=t1,
            grade_level=c.grade_level,
        )
    assert not FactDirty.objects.exists()


def test_refresh_touches_only_the_dirty_school_and_year(personas, years) -> None:  # type: ignore[no-untyped-def]
    t, t1 = years
    for school in (personas.school_a, personas.school_b):
        enrol(make_pupil(), make_class(school, t1, "4AP", "4AP-1"))
    facts_rebuild()
    untouched = PupilFact.objects.get(school=personas.school_b)
    enrol(make_pupil(), _class(personas.school_a, t1, "4AP"))
    FactDirty.objects.create(school=personas.school_a, academic_year=t1)
    assert facts_refresh() == 1
    assert PupilFact.objects.get(school=personas.school_a).enrolled == 2
    assert PupilFact.objects.get(school=personas.school_b).pk == untouched.pk
    assert facts_refresh() == 0
