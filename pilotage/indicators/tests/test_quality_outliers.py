"""Outliers: z-score and modified z-score against hand-computed examples, min–max bounds,
per data element and per indicator, the page."""

from __future__ import annotations

import math

import pytest
from django.urls import reverse

from pilotage.indicators.models import ClassFact, PupilFact
from pilotage.indicators.quality.outliers import (
    Method,
    bound_scores,
    element_outliers,
    indicator_outliers,
    modified_z_scores,
    z_scores,
)
from pilotage.indicators.tests.quality_factories import make_aggregates, put
from pilotage.orgunits.models import OrgUnitLevel
from pilotage.orgunits.tests.factories import make_school
from pilotage.schooling.models import GradeLevel
from pilotage.schooling.structure import structure_load_morocco

# Six schools' counts: 10, 11, 12, 13, 14 and 40.
VALUES = [10.0, 11.0, 12.0, 13.0, 14.0, 40.0]


def test_z_score_by_hand() -> None:
    """mean = 100 / 6 = 16.667; Σ(x − mean)² = 2330 − 6 × 16.667² = 663.333; the sample
    standard deviation is √(663.333 / 5) = 11.518, so z(40) = 23.333 / 11.518 = 2.026 and
    z(10) = −6.667 / 11.518 = −0.579. The outlier inflates the deviation it is measured
    with: |z| never exceeds (n − 1)/√n = 2.04 for six values, so 3 cannot flag it."""
    scores = z_scores(VALUES)
    assert scores[-1] == pytest.approx(2.0258, abs=1e-4)
    assert scores[0] == pytest.approx(-0.5788, abs=1e-4)
    assert max(abs(s) for s in scores if s is not None) <= 5 / math.sqrt(6)


def test_modified_z_score_by_hand() -> None:
    """Iglewicz & Hoaglin (1993): M = 0.6745 (x − median) / MAD. median = (12 + 13) / 2 =
    12.5; the absolute deviations 2.5, 1.5, 0.5, 0.5, 1.5, 27.5 have median MAD = 1.5; so
    M(40) = 0.6745 × 27.5 / 1.5 = 12.366 (an outlier above their 3.5) and M(10) =
    0.6745 × −2.5 / 1.5 = −1.124."""
    scores = modified_z_scores(VALUES)
    assert scores[-1] == pytest.approx(12.3658, abs=1e-4)
    assert scores[0] == pytest.approx(-1.1242, abs=1e-4)
    assert [abs(s) > 3.5 for s in scores] == [False] * 5 + [True]  # type: ignore[operator]


def test_no_score_without_spread_or_enough_values() -> None:
    assert z_scores([5.0, 5.0, 5.0]) == [None, None, None]
    assert modified_z_scores([1.0, 2.0, 2.0, 2.0, 9.0]) == [None] * 5  # MAD = 0
    assert z_scores([1.0, 9.0]) == [None, None]


def test_bounds() -> None:
    assert bound_scores([1, 5, 12], 2, 10) == [-1, 0, 2]
    assert bound_scores([1, 5, 12], None, 10) == [0, 0, 2]


@pytest.fixture
def agg(personas):  # type: ignore[no-untyped-def]
    return make_aggregates()


@pytest.fixture
def schools(personas):  # type: ignore[no-untyped-def]
    return [make_school(personas.commune_a, code=f"04200{n}X").org_unit for n in range(6)]


def test_element_outliers_per_option(personas, agg, schools) -> None:  # type: ignore[no-untyped-def]
    for school, value in zip(schools, VALUES, strict=True):
        put(agg, agg.pupils, "f", school, value)
        put(agg, agg.pupils, "g", school, 20)  # no spread: never an outlier
    found = element_outliers(personas.provincial_a, unit=personas.province_a, period=agg.period)
    assert [(o.unit_code, o.value, round(o.score, 3)) for o in found] == [
        (schools[-1].code, 40.0, 12.366)
    ]
    assert found[0].label == "Élèves · Filles"
    # The z-score with its default 3 finds nothing; with 2 it finds the school.
    assert (
        element_outliers(
            personas.provincial_a,
            unit=personas.province_a,
            period=agg.period,
            method=Method.Z_SCORE,
        )
        == []
    )
    assert (
        len(
            element_outliers(
                personas.provincial_a,
                unit=personas.province_a,
                period=agg.period,
                method=Method.Z_SCORE,
                threshold=2,
            )
        )
        == 1
    )
    bounded = element_outliers(
        personas.provincial_a,
        unit=personas.province_a,
        period=agg.period,
        method=Method.MIN_MAX,
        low=11,
        high=30,
    )
    assert sorted((o.value, o.score) for o in bounded) == [(10.0, -1.0), (40.0, 10.0)]
    # Another province's officer sees none of these values.
    assert element_outliers(personas.provincial_b, unit=personas.country, period=agg.period) == []


def _facts(year, school, enrolled: int, classes: int) -> None:  # type: ignore[no-untyped-def]
    grade = GradeLevel.objects.get(code="1AP")
    common = {
        "school": school,
        "path": school.path,
        "academic_year": year,
        "milieu": "urbain",
        "sector": "public",
        "cycle": "primaire",
        "grade_level": grade,
    }
    PupilFact.objects.create(**common, sex="F", enrolled=enrolled)
    ClassFact.objects.create(**common, classes=classes)


def test_indicator_outliers_among_the_schools_of_a_province(personas, agg, schools) -> None:  # type: ignore[no-untyped-def]
    """Pupils per class 30, 31, 29, 32 and 100: median 31, absolute deviations 1, 0, 2, 1,
    69, MAD 1, so M(100) = 0.6745 × 69 = 46.54; the others stay under 1.35."""
    structure_load_morocco()
    for school, (enrolled, classes) in zip(
        schools, [(60, 2), (62, 2), (58, 2), (64, 2), (200, 2)], strict=False
    ):
        _facts(agg.year, school, enrolled, classes)
    found = indicator_outliers(
        personas.provincial_a,
        unit=personas.province_a,
        code="pupils_per_class",
        year=agg.year,
        level=OrgUnitLevel.objects.get(code="etablissement"),
    )
    assert [(o.unit_code, o.value, round(o.score, 2)) for o in found] == [
        (schools[4].code, 100.0, 46.54)
    ]
    assert found[0].label == "Élèves par classe"


def test_the_page(client, personas, agg, schools) -> None:  # type: ignore[no-untyped-def]
    for school, value in zip(schools, VALUES, strict=True):
        put(agg, agg.pupils, "f", school, value)
    client.force_login(personas.provincial_a)
    url = f"{reverse('indicators:quality-outliers')}?period={agg.period.code}"
    body = client.get(f"{url}&unit={personas.province_a.code}").content.decode()
    assert schools[-1].code in body and "12,37" in body
    body = client.get(f"{url}&unit={personas.province_a.code}&threshold=20").content.decode()
    assert schools[-1].code not in body
    body = client.get(
        f"{url}&unit={personas.province_a.code}&source=indicator&indicator=nope"
    ).content.decode()
    assert "nope" in body  # the engine's message, not a 500


def test_outsiders_get_404(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.provincial_b)
    url = reverse("indicators:quality-outliers")
    assert client.get(f"{url}?unit={personas.province_a.code}").status_code == 404
    client.force_login(personas.parent_a)
    assert client.get(url).status_code == 404


def test_the_page_in_a_fixed_number_of_queries(
    client, personas, agg, schools, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for school, value in zip(schools, VALUES, strict=True):
        put(agg, agg.pupils, "f", school, value)
        put(agg, agg.teachers, "g", school, value)
    client.force_login(personas.provincial_a)
    url = f"{reverse('indicators:quality-outliers')}?unit={personas.province_a.code}"
    url += f"&period={agg.period.code}"
    client.get(url)
    # session, user, role assignments, unit, levels below, years, periods, the values
    # (element, option and unit joined).
    with django_assert_num_queries(8):
        body = client.get(url).content.decode()
    assert body.count(schools[-1].code) == 4  # girls and teachers, name and code each
