"""Factories for school records, on top of the org-unit personas."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from pilotage.accounts.models import User
from pilotage.orgunits.models import AcademicYear, OrgUnit
from pilotage.schooling.models import (
    Enrolment,
    GradeLevel,
    Pupil,
    SchoolClass,
    Subject,
    Teacher,
    TeachingAssignment,
)

_seq = itertools.count(1)
FIRST = [
    ("Youssef", "يوسف", "M"),
    ("Salma", "سلمى", "F"),
    ("Omar", "عمر", "M"),
    ("Imane", "إيمان", "F"),
    ("Hamza", "حمزة", "M"),
    ("Khadija", "خديجة", "F"),
]
LAST = [
    ("Alaoui", "العلوي"),
    ("Bennani", "بناني"),
    ("Tazi", "التازي"),
    ("El Idrissi", "الإدريسي"),
    ("Chraibi", "الشرايبي"),
]


def make_pupil(**kw: Any) -> Pupil:
    n = next(_seq)
    first, first_ar, sex = FIRST[n % len(FIRST)]
    last, last_ar = LAST[n % len(LAST)]
    fields = {
        "code_massar": f"J{130000000 + n:09d}",
        "last_name": last,
        "first_name": first,
        "last_name_ar": last_ar,
        "first_name_ar": first_ar,
        "sex": sex,
        "birth_date": dt.date(2015, 1 + n % 12, 1 + n % 28),
        "birth_place": "Tanger",
    }
    fields.update(kw)
    return Pupil.objects.create(**fields)


def make_class(school: OrgUnit, year: AcademicYear, level_code: str, name: str) -> SchoolClass:
    return SchoolClass.objects.create(
        school=school,
        academic_year=year,
        grade_level=GradeLevel.objects.get(code=level_code),
        name=name,
    )


def enrol(pupil: Pupil, school_class: SchoolClass, **kw: Any) -> Enrolment:
    return Enrolment.objects.create(
        pupil=pupil,
        school=school_class.school,
        academic_year=school_class.academic_year,
        grade_level=school_class.grade_level,
        school_class=school_class,
        entered_on=school_class.academic_year.start,
        **kw,
    )


def make_teacher(user: User, school: OrgUnit, *, qualified: bool = True) -> Teacher:
    return Teacher.objects.create(
        user=user, ppr=f"{next(_seq):07d}", school=school, is_qualified=qualified
    )


def teach(teacher: Teacher, school_class: SchoolClass, subject_code: str) -> TeachingAssignment:
    return TeachingAssignment.objects.create(
        teacher=teacher, school_class=school_class, subject=Subject.objects.get(code=subject_code)
    )
