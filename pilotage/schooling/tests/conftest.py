"""A school year on top of the personas: class A1 (5AP) in school A with five pupils,
taught in maths and French by teacher_a1; class B1 (1AC) in school B with three pupils;
parent_a is the guardian of A1's first pupil."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pilotage.orgunits.models import AcademicYear, Semester
from pilotage.orgunits.services import academic_year_create
from pilotage.schooling.models import (
    Guardian,
    GuardianRelation,
    MarkSheet,
    Pupil,
    SchoolClass,
    Subject,
)
from pilotage.schooling.services.marks import sheet_ensure
from pilotage.schooling.structure import structure_load_morocco
from pilotage.schooling.tests.factories import enrol, make_class, make_pupil, make_teacher, teach


@dataclass
class SchoolYear:
    year: AcademicYear
    s1: Semester
    s2: Semester
    class_a1: SchoolClass
    class_b1: SchoolClass
    pupils_a1: list[Pupil]
    pupils_b1: list[Pupil]
    child: Pupil
    sheet: MarkSheet


@pytest.fixture
def school_year(personas) -> SchoolYear:  # type: ignore[no-untyped-def]
    structure_load_morocco()
    year = academic_year_create(actor=None, first_year=2025, current=True)
    s1, s2 = year.semesters.order_by("number")
    class_a1 = make_class(personas.school_a, year, "5AP", "5AP-1")
    class_b1 = make_class(personas.school_b, year, "1AC", "1AC-1")
    pupils_a1 = [make_pupil() for _ in range(5)]
    pupils_b1 = [make_pupil() for _ in range(3)]
    for pupil in pupils_a1:
        enrol(pupil, class_a1)
    for pupil in pupils_b1:
        enrol(pupil, class_b1)
    teacher = make_teacher(personas.teacher_a1, personas.school_a)
    teach(teacher, class_a1, "MATH")
    teach(teacher, class_a1, "FR")
    Guardian.objects.create(
        pupil=pupils_a1[0], user=personas.parent_a, relation=GuardianRelation.MOTHER
    )
    sheet = sheet_ensure(
        school_class=class_a1, subject=Subject.objects.get(code="MATH"), semester=s1
    )
    return SchoolYear(year, s1, s2, class_a1, class_b1, pupils_a1, pupils_b1, pupils_a1[0], sheet)


@pytest.fixture
def marks_out_of_20(db: None) -> None:
    """Puts the primary cycle on marks out of 20 with the baccalauréat mentions, as every
    cycle was before the scales per cycle (docs/schooling.md § Marks). For the tests of
    the marks mechanics written with marks out of 20 in class A1 (5AP); the primary
    scale itself (/10, pass at 5, no mention) is tested in test_grading.py and
    test_council.py. New tests should write primary marks out of 10 instead."""
    from pilotage.schooling.models import GradingScale
    from pilotage.schooling.structure import BAC_MENTIONS

    GradingScale.objects.update_or_create(
        cycle="primaire",
        defaults={"mark_max": 20, "pass_mark": 10, "mentions": BAC_MENTIONS},
    )
