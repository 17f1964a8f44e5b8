"""Custom indicators where the built-in ones are: the API's catalogue and values, the
DHIS2 export, targets (entry, direction, status); and unapproved data hidden from them
with ``PILOTAGE_HIDE_UNAPPROVED_DATA``.

Data: the census's toilets (girls) over classrooms — school A 1 / 2, a second school of
commune A 30 / 40, school B 500 / 1: commune A is 31 / 42 (Σ numerator / Σ denominator,
never the mean of the schools' ratios).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from pilotage.indicators.models import DataApproval, Direction, Target
from pilotage.indicators.services.aggregates import data_values_save
from pilotage.indicators.services.custom import custom_indicator_save
from pilotage.indicators.services.targets import TargetData, target_check, target_set
from pilotage.indicators.tests.aggregates_support import catalogue_fixture  # noqa: F401 - fixture
from pilotage.orgunits.models import AcademicYear
from pilotage.orgunits.tests.factories import make_school
from pilotage.schooling.structure import structure_load_morocco

pytestmark = pytest.mark.django_db
URL = "/api/v1/indicators/"


@pytest.fixture
def data(personas, catalogue):  # type: ignore[no-untyped-def]
    structure_load_morocco()
    second = make_school(personas.commune_a, code="04102B").org_unit
    for unit, girls, rooms in (
        (personas.school_a, "1", "2"),
        (second, "30", "40"),
        (personas.school_b, "500", "1"),
    ):
        data_values_save(
            actor=None,
            data_set=catalogue.census,
            org_unit=unit,
            period=catalogue.year,
            values={("toilets", "girls"): girls, ("classrooms", "total"): rooms},
        )
    custom_indicator_save(
        actor=None,
        code="toilets_per_room",
        name_fr="Toilettes de filles par salle",
        numerator="#{toilets.girls}",
        denominator="#{classrooms}",
        higher_is_better=False,
    )
    return second


def api_values(client, user, **params):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client.get(f"{URL}toilets_per_room/values", {"period": "2025-2026", **params})


def test_the_catalogue_lists_the_custom_indicators(client, personas, data) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.provincial_a)
    entries = client.get(URL).json()
    custom = entries[-1]
    assert custom == {
        "code": "toilets_per_room",
        "name": "Toilettes de filles par salle",
        "unit": "ratio",
        "formula": "#{toilets.girls} / (#{classrooms})",
        "source": "",
        "dimensions": [],
        "higher_is_better": False,
        "per_cycle": False,
        "kind": "custom",
    }


def test_api_values_are_ratios_of_sums_and_scoped(client, personas, data) -> None:  # type: ignore[no-untyped-def]
    response = api_values(client, personas.provincial_a, org_unit="MA-TNG-C001")
    assert response.status_code == 200
    [commune] = response.json()["results"]
    assert (commune["numerator"], commune["denominator"]) == (31, 42)
    assert commune["value"] == round(31 / 42, 4)
    children = api_values(client, personas.provincial_a, org_unit="MA-TNG-C001", children="true")
    assert [
        (r["org_unit"], r["numerator"], r["denominator"]) for r in children.json()["results"]
    ] == [
        ("04101A", 1, 2),
        ("04102B", 30, 40),
    ]
    assert api_values(client, personas.provincial_b, org_unit="MA-TNG-C001").status_code == 404
    assert api_values(client, personas.provincial_a, org_unit="MA-TNG", by="sex").status_code == 400
    client.force_login(personas.provincial_a)
    assert client.get(f"{URL}nope/values").status_code == 404


def test_unapproved_data_is_hidden_with_the_setting(
    client, personas, catalogue, data, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.PILOTAGE_HIDE_UNAPPROVED_DATA = True
    [hidden] = api_values(client, personas.provincial_a, org_unit="MA-TNG-C001").json()["results"]
    assert hidden["value"] is None and hidden["numerator"] == 0
    DataApproval.objects.create(
        data_set=catalogue.census,
        org_unit=personas.school_a,
        path=personas.school_a.path,
        period=catalogue.year,
        approved_by=personas.head_a,
    )
    [commune] = api_values(client, personas.provincial_a, org_unit="MA-TNG-C001").json()["results"]
    assert (commune["numerator"], commune["denominator"]) == (1, 2)  # school A only
    settings.PILOTAGE_HIDE_UNAPPROVED_DATA = False
    [every] = api_values(client, personas.provincial_a, org_unit="MA-TNG-C001").json()["results"]
    assert (every["numerator"], every["denominator"]) == (31, 42)


def test_the_dhis2_export_holds_the_custom_values_and_only_approved_data(
    client, personas, catalogue, data, settings
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.provincial_a)

    def export():  # type: ignore[no-untyped-def]
        response = client.get(
            f"{URL}dhis2/dataValueSets", {"org_unit": "MA-TNG-C001", "period": "2025-2026"}
        )
        assert response.status_code == 200
        import json

        return json.loads(b"".join(response.streaming_content))["dataValues"]

    rows = export()
    custom = {r["orgUnit"]: r["value"] for r in rows if r["dataElement"] == "toilets_per_room"}
    assert custom == {"MA-TNG-C001": "0.7381", "04101A": "0.5", "04102B": "0.75"}
    assert {r["categoryOptionCombo"] for r in rows if r["dataElement"] == "toilets_per_room"} == {
        "default"
    }
    assert {r["orgUnit"] for r in rows if r["dataElement"] == "classrooms"} == {"04101A", "04102B"}
    settings.PILOTAGE_HIDE_UNAPPROVED_DATA = True
    rows = export()
    assert not [r for r in rows if r["dataElement"] in ("classrooms", "toilets_per_room")]


def test_a_target_for_a_custom_indicator_takes_its_direction_and_gets_a_status(
    client, personas, data
) -> None:  # type: ignore[no-untyped-def]
    year = AcademicYear.objects.get(code="2025-2026")
    target = TargetData(
        indicator="toilets_per_room",
        org_unit=personas.commune_a,
        academic_year=year,
        disaggregation={},
        target=Decimal("0.7"),
        tolerance=Decimal("0.05"),
    )
    refused = TargetData(**{**target.__dict__, "disaggregation": {"sex": "F"}})
    assert "disaggregation" in target_check(refused)
    target_set(actor=personas.national_admin, data=target)
    assert Target.objects.get().direction == Direction.LOWER  # higher_is_better=False
    [commune] = api_values(client, personas.provincial_a, org_unit="MA-TNG-C001").json()["results"]
    # 0.738 is above 0.7 where lower is better, within the band: at risk.
    assert commune["target"] == 0.7 and commune["status"] == "at_risk"
    client.force_login(personas.national_admin)
    form = client.get("/indicators/targets/new/", {"unit": "MA-TNG-C001"}).content.decode()
    assert 'value="toilets_per_room"' in form


def test_a_custom_indicator_may_not_take_a_builtin_code(personas, catalogue) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import ValidationError

    from pilotage.core.tests.support import unchanged
    from pilotage.indicators.models import CustomIndicator

    with unchanged(CustomIndicator), pytest.raises(ValidationError) as refused:
        custom_indicator_save(actor=None, code="ger", name_fr="GER bis", numerator="#{classrooms}")
    assert "code" in refused.value.message_dict
