"""The built-in formulas against worked examples.

Fact rows are written directly so each example's figures are exactly those of its
docstring; ``test_facts.py`` checks that the facts themselves are right.
"""

from __future__ import annotations

from typing import Any

import pytest

from pilotage.indicators.engine import IndicatorError, compute, gpi, gpia, half_days_held
from pilotage.indicators.models import (
    ClassFact,
    PopulationEstimate,
    PupilFact,
    TeacherFact,
)
from pilotage.orgunits.models import AcademicYear, OrgUnit
from pilotage.orgunits.tests.factories import make_school, make_unit
from pilotage.schooling.models import GradeLevel

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(personas) -> dict[str, OrgUnit]:  # type: ignore[no-untyped-def]
    """Province A with two schools in one commune, plus a rural school in province B."""
    second = make_school(personas.commune_a, code="SCH-A2").org_unit
    rural = make_school(personas.commune_b, code="SCH-B2", milieu="rural").org_unit
    return {
        "country": personas.country,
        "province": personas.province_a,
        "a1": personas.school_a,
        "a2": second,
        "b2": rural,
    }


def fact(school: OrgUnit, year: AcademicYear, grade: str, sex: str, **figures: Any) -> PupilFact:
    level = GradeLevel.objects.get(code=grade)
    info = school.school
    return PupilFact.objects.create(
        school=school,
        path=school.path,
        academic_year=year,
        milieu=info.milieu,
        sector=info.sector,
        cycle=level.cycle,
        grade_level=level,
        sex=sex,
        **figures,
    )


def population(unit: OrgUnit, year: AcademicYear, ages: range, sex: str, each: int) -> None:
    for age in ages:
        PopulationEstimate.objects.create(
            org_unit=unit, path=unit.path, academic_year=year, age=age, sex=sex, population=each
        )


def one(code: str, unit: OrgUnit, year: AcademicYear, **kw: Any):  # type: ignore[no-untyped-def]
    values = compute(code, units=[unit], years=[year], **kw)
    assert len(values) == 1, values
    return values[0]


def test_a_ratio_of_aggregates_is_the_sum_of_numerators_over_the_sum_of_denominators(
    tree, year
) -> None:  # type: ignore[no-untyped-def]
    """Two schools at 1/2 and 30/40 pass: the commune is at 31/42 (73.81 %), not at the
    mean of 50 % and 75 % (62.5 %). UIS: indicators of an area are computed from the
    area's totals."""
    fact(tree["a1"], year, "1AP", "F", enrolled=2, assessed=2, passed=1)
    fact(tree["a2"], year, "1AP", "F", enrolled=40, assessed=40, passed=30)
    value = one("pass_rate", tree["province"], year)
    assert (value.numerator, value.denominator) == (31, 42)
    assert value.value == pytest.approx(100 * 31 / 42)


def test_children_of_a_unit_come_from_one_query_each_with_their_own_totals(
    tree, year, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    fact(tree["a1"], year, "1AP", "F", enrolled=10)
    fact(tree["a1"], year, "2AP", "M", enrolled=5)
    fact(tree["b2"], year, "1AP", "M", enrolled=7)
    regions = list(OrgUnit.objects.get_children(tree["country"]))
    # Grades and cycle ages, then one GROUP BY for every region.
    with django_assert_num_queries(3):
        values = compute("enrolment", units=regions, years=[year])
    assert {v.unit: v.value for v in values} == {"MA-01": 15, "MA-03": 7}


def test_disaggregations_alone_and_crossed(tree, year) -> None:  # type: ignore[no-untyped-def]
    fact(tree["a1"], year, "1AP", "F", enrolled=10)
    fact(tree["a1"], year, "1AP", "M", enrolled=12)
    fact(tree["a1"], year, "2AP", "F", enrolled=8)
    fact(tree["b2"], year, "2AP", "M", enrolled=3)
    country = tree["country"]
    by_sex = {
        v.dims["sex"]: v.value
        for v in compute("enrolment", units=[country], years=[year], by="sex")
    }
    assert by_sex == {"F": 18, "M": 15}
    crossed = compute("enrolment", units=[country], years=[year], by=["grade", "sex"])
    assert {(v.dims["sex"], v.dims["grade"]): v.value for v in crossed} == {
        ("F", "1AP"): 10,
        ("M", "1AP"): 12,
        ("F", "2AP"): 8,
        ("M", "2AP"): 3,
    }
    assert list(crossed[0].dims) == ["sex", "grade"]  # the canonical order, whatever asked
    by_milieu = {
        v.dims["milieu"]: v.value
        for v in compute("enrolment", units=[country], years=[year], by="milieu")
    }
    assert by_milieu == {"urbain": 30, "rural": 3}


def test_gross_and_net_enrolment_ratios_use_the_official_ages_of_the_cycle(tree, year) -> None:  # type: ignore[no-untyped-def]
    """UIS glossary. Collège (official ages 12–14): 330 pupils enrolled, 280 of them aged
    12–14; 300 children aged 12–14 (100 a year). GER = 100 × 330 / 300 = 110 %;
    NER = 100 × 280 / 300 = 93.33 %."""
    fact(tree["a1"], year, "1AC", "F", enrolled=330, age_college=280, age_primaire=5)
    population(tree["province"], year, range(12, 15), "F", 100)
    population(tree["province"], year, range(6, 12), "F", 999)  # another cycle's ages
    ger = one("ger", tree["province"], year, by="cycle")
    assert ger.dims == {"cycle": "college"}
    assert (ger.numerator, ger.denominator, ger.value) == (330, 300, pytest.approx(110.0))
    ner = {v.dims["cycle"]: v for v in compute("ner", units=[tree["province"]], years=[year])}
    assert (ner["college"].numerator, ner["college"].denominator) == (280, 300)
    assert ner["college"].value == pytest.approx(93.3333, abs=1e-3)


def test_ratios_to_population_have_no_value_below_the_province(tree, year) -> None:  # type: ignore[no-untyped-def]
    fact(tree["a1"], year, "1AC", "F", enrolled=330, age_college=280)
    population(tree["province"], year, range(12, 15), "F", 100)
    (school,) = compute("ger", units=[tree["a1"]], years=[year])
    assert school.numerator == 330 and school.denominator is None and school.value is None


def test_gross_intake_ratio_counts_new_entrants_of_any_age(tree, year) -> None:  # type: ignore[no-untyped-def]
    """UIS: new entrants to the first grade of primary, whatever their age, over the
    population of the official entry age (6): 120 / 100 = 120 %."""
    fact(tree["a1"], year, "1AP", "M", enrolled=130, new_entrants=120)
    fact(tree["a1"], year, "2AP", "M", enrolled=90, new_entrants=4)  # not a first grade
    population(tree["province"], year, range(6, 7), "M", 100)
    population(tree["province"], year, range(7, 12), "M", 100)
    gir = {v.dims["cycle"]: v for v in compute("gir", units=[tree["province"]], years=[year])}
    assert (gir["primaire"].numerator, gir["primaire"].denominator) == (120, 100)
    assert gir["primaire"].value == pytest.approx(120.0)


def test_flow_rates_by_grade_and_dropout_is_the_rest(tree, year) -> None:  # type: ignore[no-untyped-def]
    """UIS glossary: of 200 pupils of 3AP in t, 170 are in 4AP in t+1 (promotion 85 %),
    20 in 3AP again (repetition 10 %); dropout = 100 − 85 − 10 = 5 %."""
    fact(tree["a1"], year, "3AP", "F", enrolled=200, promoted=170, repeated=20)
    school = tree["a1"]
    assert one("promotion_rate", school, year).value == pytest.approx(85.0)
    assert one("repetition_rate", school, year).value == pytest.approx(10.0)
    dropout = one("dropout_rate", school, year)
    assert (dropout.numerator, dropout.denominator, dropout.value) == (10, 200, pytest.approx(5.0))


def test_flow_rates_skip_years_whose_next_year_is_unknown_and_the_final_grade(tree, year) -> None:  # type: ignore[no-untyped-def]
    fact(tree["a1"], year, "3AP", "F", enrolled=200)  # promoted/repeated unknown (NULL)
    fact(tree["a1"], year, "2BAC", "F", enrolled=50, promoted=0, repeated=5)
    assert compute("repetition_rate", units=[tree["a1"]], years=[year]) == []


def test_transition_rate_from_the_last_grade_of_a_cycle(tree, year) -> None:  # type: ignore[no-untyped-def]
    """UIS effective transition rate: 90 of the 100 pupils of 6AP in t are in 1AC in t+1."""
    fact(tree["a1"], year, "6AP", "M", enrolled=100, promoted=90, repeated=6)
    fact(tree["a1"], year, "5AP", "M", enrolled=100, promoted=95, repeated=3)  # not last
    (value,) = compute("transition_rate", units=[tree["a1"]], years=[year])
    assert value.dims == {"cycle": "primaire"}
    assert (value.numerator, value.denominator) == (90, 100)


def test_survival_by_reconstructed_cohort(tree, year) -> None:  # type: ignore[no-untyped-def]
    """Reconstructed cohort (UIS, "Survival rate by grade"), computed by hand.

    Collège: 1AC promotes 80 % and repeats 10 % of its pupils; 2AC promotes 85 % and
    repeats 5 %. Follow 1 000 pupils entering 1AC: each year 800 of those present go up,
    100 repeat and try again, so 1AC eventually sends up 1 000 × 0.8 × (1 + 0.1 + 0.01 +
    …) = 1 000 × 0.8 / 0.9 = 888.89 pupils to 2AC, which sends up 888.89 × 0.85 / 0.95 =
    795.32 to 3AC. Survival to the last grade: 79.53 %."""
    fact(tree["a1"], year, "1AC", "F", enrolled=100, promoted=80, repeated=10)
    fact(tree["a1"], year, "2AC", "F", enrolled=100, promoted=85, repeated=5)
    fact(tree["a1"], year, "3AC", "F", enrolled=100, promoted=70, repeated=12)  # last: unused
    values = {
        v.dims["cycle"]: v for v in compute("survival_rate", units=[tree["a1"]], years=[year])
    }
    college = values["college"]
    assert college.denominator == 1000
    assert college.numerator == pytest.approx(795.32, abs=0.01)
    assert college.value == pytest.approx(79.532, abs=0.001)
    assert "primaire" not in values  # its grades have no flows: no survival


def test_out_of_school_rate_counts_official_age_children_in_the_cycle_or_above(tree, year) -> None:  # type: ignore[no-untyped-def]
    """UIS: out-of-school rate = 100 − total net enrolment rate. 1 000 children aged 6–11;
    900 of that age are in primary and 20 already in collège: 80 are out of school, 8 %."""
    fact(tree["a1"], year, "5AP", "F", enrolled=950, age_primaire=900)
    fact(tree["a1"], year, "1AC", "F", enrolled=300, age_primaire=20, age_college=250)
    population(tree["province"], year, range(6, 12), "F", 1000 // 6)
    PopulationEstimate.objects.filter(age=11).update(population=1000 - 5 * (1000 // 6))
    values = {
        v.dims["cycle"]: v
        for v in compute("out_of_school_rate", units=[tree["province"]], years=[year])
    }
    assert (values["primaire"].numerator, values["primaire"].denominator) == (80, 1000)
    assert values["primaire"].value == pytest.approx(8.0)


def test_ratios_of_teachers_and_classes(tree, year) -> None:  # type: ignore[no-untyped-def]
    fact(tree["a1"], year, "1AP", "F", enrolled=60)
    fact(tree["a1"], year, "1AP", "M", enrolled=66)
    level = GradeLevel.objects.get(code="1AP")
    common = {"school": tree["a1"], "path": tree["a1"].path, "academic_year": year}
    common |= {"milieu": "urbain", "sector": "public", "cycle": "primaire"}
    ClassFact.objects.create(**common, grade_level=level, classes=4)
    TeacherFact.objects.create(**common, teachers=5, qualified=4)
    assert one("pupils_per_class", tree["a1"], year).value == pytest.approx(126 / 4)
    assert one("ptr", tree["a1"], year).value == pytest.approx(126 / 5)
    assert one("qualified_teachers_pct", tree["a1"], year).value == pytest.approx(80.0)


def test_marks_and_absences(tree, year) -> None:  # type: ignore[no-untyped-def]
    fact(
        tree["a1"],
        year,
        "1AP",
        "F",
        enrolled=10,
        marks_sum=230,
        marks_count=20,
        absent_half_days=30,
    )
    assert one("mean_mark", tree["a1"], year).value == pytest.approx(11.5)
    absence = one("absence_rate", tree["a1"], year)
    assert absence.denominator == 10 * half_days_held(year)
    assert absence.numerator == 30


def test_half_days_held_are_two_per_weekday(year) -> None:  # type: ignore[no-untyped-def]
    # 1 September 2024 is a Sunday: Mon 2 to Fri 6 September are 5 days, 10 half-days.
    import datetime as dt

    assert half_days_held(year, dt.date(2024, 9, 7)) == 10
    assert half_days_held(year, dt.date(2024, 8, 1)) == 0
    assert half_days_held(year, dt.date(2030, 1, 1)) == half_days_held(year, year.end)


def test_gender_parity_indices() -> None:
    """UIS glossary, "Gender parity index" and its adjusted form: GPIA = F/M when F ≤ M,
    else 2 − M/F, so that F 40 / M 50 and F 50 / M 40 are symmetric around 1."""
    assert gpi(40, 50) == pytest.approx(0.8)
    assert gpia(40, 50) == pytest.approx(0.8)
    assert gpi(50, 40) == pytest.approx(1.25)
    assert gpia(50, 40) == pytest.approx(1.2)
    assert gpia(50, 50) == 1


def test_parity_from_the_sex_split(tree, year) -> None:  # type: ignore[no-untyped-def]
    fact(tree["a1"], year, "1AP", "F", enrolled=100, assessed=100, passed=50)
    fact(tree["a1"], year, "1AP", "M", enrolled=100, assessed=100, passed=40)
    (value,) = compute("pass_rate", units=[tree["a1"]], years=[year], parity="gpia")
    assert value.dims == {}
    assert (value.numerator, value.denominator) == (50, 40)
    assert value.value == pytest.approx(1.2)
    (by_grade,) = compute("pass_rate", units=[tree["a1"]], years=[year], by="grade", parity="gpi")
    assert by_grade.dims == {"grade": "1AP"} and by_grade.value == pytest.approx(1.25)


@pytest.mark.parametrize(
    ("code", "kw", "message"),
    [
        ("nope", {}, "Unknown indicator"),
        ("ptr", {"by": "sex"}, "cannot be split by 'sex'"),
        ("enrolment", {"by": "colour"}, "Unknown disaggregation"),
        ("ptr", {"parity": "gpia"}, "no sex split"),
        ("enrolment", {"parity": "ratio"}, "Unknown parity"),
    ],
)
def test_requests_the_engine_cannot_answer_say_why(tree, year, code, kw, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IndicatorError, match=message):
        compute(code, units=[tree["a1"]], years=[year], **kw)


def test_a_unit_added_to_the_tree_keeps_every_value_where_it_belongs(tree, year) -> None:  # type: ignore[no-untyped-def]
    """Siblings are kept in code order, so a new unit takes the path of the one after it;
    the paths copied into the facts follow (the tree publishes orgunits.paths_changed)."""
    fact(tree["a1"], year, "1AP", "F", enrolled=3)
    empty = make_unit(OrgUnit.objects.get(pk=tree["province"].pk), code="EMPTY")
    a1 = OrgUnit.objects.get(pk=tree["a1"].pk)
    assert not a1.path.startswith(empty.path)  # the commune moved along
    assert PupilFact.objects.get().path == a1.path
    assert compute("enrolment", units=[empty], years=[year]) == []
    assert compute("enrolment", units=[a1], years=[year])[0].value == 3
    assert compute("enrolment", units=[], years=[year]) == []


def test_a_shared_reference_reads_the_grades_and_ages_once(
    tree, year, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    from pilotage.indicators.engine import shared_reference

    fact(tree["a1"], year, "1AP", "F", enrolled=3)
    with django_assert_num_queries(2 + 3), shared_reference():  # grades, ages; 3 GROUP BYs
        for code in ("enrolment", "pass_rate", "mean_mark"):
            compute(code, units=[tree["a1"]], years=[year])
    with django_assert_num_queries(3):  # afresh outside the block
        compute("enrolment", units=[tree["a1"]], years=[year])
