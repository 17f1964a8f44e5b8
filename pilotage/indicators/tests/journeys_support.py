"""Data of the steering journeys in a real browser (test_journeys_browser.py): the personas'
tree with two school years of pupil facts for schools A and B (built from school records by
``facts_rebuild``), population estimates for both provinces, an aggregate data set with
values that break a validation rule in both schools, and the stored violations; enrolment
targets far above the values of region A and province A (off track: a gap on the
dashboards of the three officers)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pilotage.conftest import Personas
from pilotage.indicators.facts import facts_rebuild
from pilotage.indicators.models import PopulationEstimate
from pilotage.indicators.models.quality import MissingValues, Operator
from pilotage.indicators.quality.rules import rules_run
from pilotage.indicators.services.targets import TargetData, target_set
from pilotage.indicators.tests.quality_factories import Aggregates, make_aggregates, put, rule
from pilotage.orgunits.models import AcademicYear
from pilotage.orgunits.services import academic_year_create
from pilotage.schooling.structure import structure_load_morocco
from pilotage.schooling.tests.factories import (
    enrol,
    make_class,
    make_pupil,
    make_teacher,
    teach,
)

RULE_CODE = "profs-eleves"


@dataclass
class Journeys:
    p: Personas
    previous: AcademicYear  # 2024-2025
    year: AcademicYear  # 2025-2026, the current one
    agg: Aggregates


def journeys_setup(personas: Personas) -> Journeys:
    structure_load_morocco()
    previous = academic_year_create(actor=None, first_year=2024)
    agg = make_aggregates()  # creates 2025-2026 as the current year
    year = agg.year
    # School A (province A, region A): 3 pupils in 4AP the year before, 4 in 5AP now.
    old_a = make_class(personas.school_a, previous, "4AP", "4AP-1")
    for sex in "FFM":
        enrol(make_pupil(sex=sex), old_a)
    a1 = make_class(personas.school_a, year, "5AP", "5AP-1")
    for sex in "FFMM":
        enrol(make_pupil(sex=sex), a1)
    teach(make_teacher(personas.teacher_a1, personas.school_a), a1, "MATH")
    # School B (province B, region B): 2 pupils in 1AC the year before, 3 now.
    old_b = make_class(personas.school_b, previous, "1AC", "1AC-0")
    for sex in "FM":
        enrol(make_pupil(sex=sex), old_b)
    b1 = make_class(personas.school_b, year, "1AC", "1AC-1")
    for sex in "FMM":
        enrol(make_pupil(sex=sex), b1)
    facts_rebuild()
    # Population of the primary ages (6 to 11) of both provinces, both years.
    PopulationEstimate.objects.bulk_create(
        PopulationEstimate(
            org_unit=province,
            path=province.path,
            academic_year=y,
            age=age,
            sex=sex,
            population=5,
        )
        for province in (personas.province_a, personas.province_b)
        for y in (previous, year)
        for age in range(6, 12)
        for sex in "FM"
    )
    # More teachers than pupils in both schools: the rule "teachers < pupils" is broken.
    rule(
        RULE_CODE,
        "#{profs}",
        Operator.LESS,
        "#{eleves}",
        name_fr="Moins d'enseignants que d'élèves",
        missing_values=MissingValues.NEVER_SKIP,
    )
    for school, teachers in ((personas.school_a, 30), (personas.school_b, 40)):
        put(agg, agg.pupils, "f", school, 10)
        put(agg, agg.pupils, "g", school, 12)
        put(agg, agg.teachers, "f", school, teachers)
    for unit in (personas.region_a, personas.province_a):
        target_set(
            actor=personas.national_admin,
            data=TargetData(
                indicator="enrolment",
                org_unit=unit,
                academic_year=year,
                disaggregation={},
                target=Decimal(1000),
            ),
        )
    found = rules_run(org_unit=personas.country, period=agg.period)
    assert {v.org_unit_id for v in found} == {personas.school_a.pk, personas.school_b.pk}
    return Journeys(personas, previous, year, agg)
