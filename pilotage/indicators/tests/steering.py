"""Fixtures shared by the targets and action-plan tests: the personas' tree with one school
year, the Moroccan structure and pupil facts for school A (5AP: 40 girls, 60 boys; 30 and
45 of them passed out of 40 and 60 assessed: pass rate 75 % for each sex and in total)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from pilotage.conftest import Personas
from pilotage.indicators.models import Action, PupilFact, Target
from pilotage.indicators.services.actions import action_create
from pilotage.indicators.services.targets import TargetData, target_set
from pilotage.orgunits.models import AcademicYear
from pilotage.orgunits.services import academic_year_create
from pilotage.schooling.models import GradeLevel
from pilotage.schooling.structure import structure_load_morocco


@dataclass
class Steering:
    p: Personas
    year: AcademicYear
    previous: AcademicYear


def make_fact(school, year, grade: str, sex: str, **numbers: int) -> PupilFact:  # type: ignore[no-untyped-def]
    return PupilFact.objects.create(
        school=school,
        path=school.path,
        academic_year=year,
        milieu="urbain",
        sector="public",
        cycle=GradeLevel.objects.get(code=grade).cycle,
        grade_level=GradeLevel.objects.get(code=grade),
        sex=sex,
        **numbers,
    )


def steering_setup(personas: Personas) -> Steering:
    """Each test module wraps this in its ``steering`` fixture."""
    structure_load_morocco()
    previous = academic_year_create(actor=None, first_year=2024)
    year = academic_year_create(actor=None, first_year=2025, current=True)
    make_fact(personas.school_a, year, "5AP", "F", enrolled=40, assessed=40, passed=30)
    make_fact(personas.school_a, year, "5AP", "M", enrolled=60, assessed=60, passed=45)
    return Steering(personas, year, previous)


def set_target(
    s: Steering, *, unit=None, indicator="enrolment", dims=None, target="100", tolerance="0", **kw
) -> Target:  # type: ignore[no-untyped-def]
    return target_set(
        actor=s.p.national_admin,
        data=TargetData(
            indicator=indicator,
            org_unit=unit or s.p.school_a,
            academic_year=s.year,
            disaggregation=dims or {},
            target=Decimal(target),
            tolerance=Decimal(tolerance),
            **kw,
        ),
    )


def make_action(s: Steering, *, unit=None, owner=None, due: dt.date | None = None, **kw) -> Action:  # type: ignore[no-untyped-def]
    unit = unit or s.p.school_a
    return action_create(
        actor=s.p.national_admin,
        title=kw.pop("title", "Soutien scolaire en 5AP"),
        owner=owner or s.p.head_a,
        org_unit=unit,
        start_date=kw.pop("start", dt.date(2025, 9, 15)),
        due_date=due or dt.date(2026, 6, 30),
        **kw,
    )
