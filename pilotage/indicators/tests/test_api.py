"""The indicators API: catalogue, values (shape, scope, drill-down, parity) and errors."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest
from django.utils import translation
from django.utils.functional import lazy

from pilotage.indicators import api as indicators_api
from pilotage.indicators.catalogue import BUILTIN, builtin
from pilotage.indicators.models import PupilFact
from pilotage.orgunits.models import AcademicYear, OrgUnit
from pilotage.orgunits.services import academic_year_create
from pilotage.schooling.models import GradeLevel
from pilotage.schooling.structure import structure_load_morocco

URL = "/api/v1/indicators/"
KEYS = {"org_unit", "period", "value", "numerator", "denominator", "target", "status"}


@dataclass
class Facts:
    year: AcademicYear
    earlier: AcademicYear


def pupils(school: OrgUnit, year: AcademicYear, grade: str, **by_sex: int) -> None:
    level = GradeLevel.objects.get(code=grade)
    info = school.school
    for sex, enrolled in by_sex.items():
        PupilFact.objects.create(
            school=school,
            path=school.path,
            academic_year=year,
            milieu=info.milieu,
            sector=info.sector,
            cycle=level.cycle,
            grade_level=level,
            sex=sex,
            enrolled=enrolled,
        )


@pytest.fixture
def facts(personas) -> Facts:  # type: ignore[no-untyped-def]
    """School A (1AP): 40 girls, 50 boys; school B (1AC): 50 girls, 40 boys; and a year
    before with school A only (1AP: 30 girls, 30 boys)."""
    structure_load_morocco()
    earlier = academic_year_create(actor=None, first_year=2024)
    year = academic_year_create(actor=None, first_year=2025, current=True)
    pupils(personas.school_a, year, "1AP", F=40, M=50)
    pupils(personas.school_b, year, "1AC", F=50, M=40)
    pupils(personas.school_a, earlier, "1AP", F=30, M=30)
    return Facts(year, earlier)


def values(client, user, code: str = "enrolment", **params):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client.get(f"{URL}{code}/values", params)


# -- the catalogue ----------------------------------------------------------------------


@pytest.mark.django_db
def test_catalogue_lists_every_builtin_with_its_description(client, personas) -> None:
    client.force_login(personas.provincial_a)
    response = client.get(URL)
    assert response.status_code == 200
    entries = response.json()
    assert [e["code"] for e in entries] == [i.code for i in BUILTIN]
    ger = next(e for e in entries if e["code"] == "ger")
    assert ger == {
        "code": "ger",
        "name": "Taux brut de scolarisation",
        "unit": "%",
        "formula": builtin("ger").formula,  # type: ignore[union-attr]
        "source": builtin("ger").source,  # type: ignore[union-attr]
        "dimensions": ["sex", "cycle", "grade"],
        "higher_is_better": True,
        "per_cycle": True,
        "kind": "builtin",
    }
    dropout = next(e for e in entries if e["code"] == "dropout_rate")
    assert dropout["higher_is_better"] is False
    assert dropout["dimensions"] == ["sex", "milieu", "sector", "cycle", "grade"]


@pytest.mark.django_db
def test_catalogue_names_are_in_the_requests_language(client, personas, monkeypatch) -> None:
    # The name is evaluated when answering, in the language the request activated.
    language = lazy(translation.get_language, str)()
    monkeypatch.setattr(indicators_api, "BUILTIN", (replace(BUILTIN[0], name=language),))
    client.force_login(personas.national_admin)
    assert client.get(URL, HTTP_ACCEPT_LANGUAGE="ar").json()[0]["name"] == "ar"
    assert client.get(URL, HTTP_ACCEPT_LANGUAGE="en").json()[0]["name"] == "en"


@pytest.mark.django_db
def test_catalogue_is_extensible(client, personas, monkeypatch) -> None:
    extra = {**next(iter(indicators_api.builtin_entries(None))), "code": "x", "kind": "custom"}
    monkeypatch.setattr(
        indicators_api, "CATALOGUE", [*indicators_api.CATALOGUE, lambda actor: [extra]]
    )
    client.force_login(personas.national_admin)
    assert client.get(URL).json()[-1]["code"] == "x"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["teacher_a1", "parent_a", "agent"])
def test_catalogue_is_not_found_for_who_sees_no_indicator(client, personas, who) -> None:
    client.force_login(getattr(personas, who))
    response = client.get(URL)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


@pytest.mark.django_db
def test_anonymous_is_unauthorised(client, personas) -> None:
    assert client.get(URL).status_code == 401
    assert client.get(f"{URL}enrolment/values").status_code == 401


# -- values -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_values_by_sex_and_grade_have_exactly_the_documented_keys(client, personas, facts) -> None:
    response = values(
        client, personas.national_admin, org_unit="MA", period="2025-2026", by="sex,grade"
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert {frozenset(r) for r in results} == {frozenset(KEYS | {"sex", "grade"})}
    cells = {(r["sex"], r["grade"]): r for r in results}
    assert set(cells) == {("F", "1AP"), ("M", "1AP"), ("F", "1AC"), ("M", "1AC")}
    assert cells["F", "1AP"] == {
        "org_unit": "MA",
        "period": "2025-2026",
        "sex": "F",
        "grade": "1AP",
        "value": 40.0,
        "numerator": 40,
        "denominator": None,
        "target": None,
        "status": None,
    }


@pytest.mark.django_db
def test_values_without_period_give_every_year_and_without_unit_the_top_of_scope(
    client, personas, facts
) -> None:
    results = values(client, personas.regional_officer).json()["results"]
    assert {(r["org_unit"], r["period"], r["value"]) for r in results} == {
        ("MA-01", "2025-2026", 90.0),
        ("MA-01", "2024-2025", 60.0),
    }
    assert set(results[0]) == KEYS


@pytest.mark.django_db
def test_children_drill_down(client, personas, facts) -> None:
    results = values(
        client, personas.national_admin, org_unit="MA", period="2025-2026", children="true"
    ).json()["results"]
    assert {(r["org_unit"], r["value"]) for r in results} == {("MA-01", 90.0), ("MA-03", 90.0)}


@pytest.mark.django_db
def test_a_rate_is_a_percentage(client, personas, facts) -> None:
    # 3 qualified teachers of 4 → 75 (per cent), not 0.75.
    from pilotage.indicators.models import TeacherFact

    school = personas.school_a
    TeacherFact.objects.create(
        school=school,
        path=school.path,
        academic_year=facts.year,
        milieu="urbain",
        sector="public",
        cycle="primaire",
        teachers=4,
        qualified=3,
    )
    (result,) = values(
        client,
        personas.head_a,
        "qualified_teachers_pct",
        period="2025-2026",
    ).json()["results"]
    assert (result["value"], result["numerator"], result["denominator"]) == (75.0, 3, 4)


@pytest.mark.django_db
def test_school_head_sees_only_their_school(client, personas, facts) -> None:
    results = values(client, personas.head_a, period="2025-2026", by="sex").json()["results"]
    assert {(r["org_unit"], r["sex"], r["value"]) for r in results} == {
        (personas.school_a.code, "F", 40.0),
        (personas.school_a.code, "M", 50.0),
    }
    response = values(client, personas.head_a, org_unit=personas.school_b.code)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
    assert values(client, personas.head_a, org_unit="MA").status_code == 404


@pytest.mark.django_db
def test_unit_out_of_scope_is_not_found(client, personas, facts) -> None:
    for unit in ("MA-TNG", "MA", "MA-01", "NOWHERE"):
        response = values(client, personas.provincial_b, org_unit=unit)
        assert response.status_code == 404, unit
        assert response.json() == {"detail": "Not Found"}
    assert values(client, personas.provincial_b, org_unit="MA-FES").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["teacher_a1", "parent_a", "agent"])
def test_values_not_found_for_who_sees_no_indicator(client, personas, facts, who) -> None:
    response = values(client, getattr(personas, who), org_unit=personas.school_a.code)
    assert response.status_code == 404


@pytest.mark.django_db
def test_parity_indices(client, personas, facts) -> None:
    """Adjusted gender parity index (UNESCO UIS, Glossary: "Gender parity index (GPI)",
    adjusted GPI): F / M when F ≤ M, else 2 − M / F, so that the disparities favouring
    either sex are symmetric around 1. Girls 40 / boys 50 → 0.8; girls 50 / boys 40 →
    2 − 40/50 = 1.2 (where the unadjusted GPI would say 1.25)."""
    by_unit = {}
    for kind in ("gpia", "gpi"):
        results = values(
            client,
            personas.national_admin,
            org_unit="MA",
            period="2025-2026",
            children="true",
            parity=kind,
        ).json()["results"]
        by_unit[kind] = {r["org_unit"]: r for r in results}
    a, b = by_unit["gpia"]["MA-01"], by_unit["gpia"]["MA-03"]
    assert (a["value"], a["numerator"], a["denominator"]) == (0.8, 40.0, 50.0)
    assert (b["value"], b["numerator"], b["denominator"]) == (1.2, 50.0, 40.0)
    assert abs(a["value"] - 1) == pytest.approx(abs(b["value"] - 1))
    assert "sex" not in a
    assert by_unit["gpi"]["MA-03"]["value"] == 1.25


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "params", "message"),
    [
        ("enrolment", {"by": "colour"}, "Unknown disaggregation 'colour'"),
        ("ptr", {"by": "sex"}, "cannot be split by 'sex'"),
        ("enrolment", {"parity": "ratio"}, "Unknown parity 'ratio'"),
        ("ptr", {"parity": "gpia"}, "has no sex split"),
        ("enrolment", {"period": "1990-1991"}, "Unknown academic year: 1990-1991"),
        ("enrolment", {"period": "last year"}, "Invalid period 'last year'"),
    ],
)
def test_bad_requests_are_400_with_the_reason(client, personas, facts, code, params, message):  # type: ignore[no-untyped-def]
    response = values(client, personas.national_admin, code, **params)
    assert response.status_code == 400
    assert message in response.json()["detail"]


@pytest.mark.django_db
def test_unknown_indicator_is_not_found(client, personas, facts) -> None:
    response = values(client, personas.national_admin, "happiness", by="colour")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


@pytest.mark.django_db
def test_values_query_count_does_not_grow_with_units(
    client, personas, facts, django_assert_num_queries
) -> None:
    client.force_login(personas.national_admin)
    url = f"{URL}enrolment/values?org_unit=MA&children=true&period=2025-2026"
    # session, user, role grants, the unit, its children, the year, grade levels, cycle
    # ages, one GROUP BY of the pupil facts for both children, their targets.
    with django_assert_num_queries(10):
        assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_catalogue_query_count(client, personas, django_assert_num_queries) -> None:
    client.force_login(personas.national_admin)
    # session, user, role grants (the built-in catalogue is code, not rows), then the
    # custom indicators.
    with django_assert_num_queries(4):
        assert client.get(URL).status_code == 200
