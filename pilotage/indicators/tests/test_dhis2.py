"""The DHIS2 dataValueSets export: period conversion, category option combos, the file's
shape over the API, the download page and the command, each scoped to the caller."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string

from pilotage.indicators import dhis2
from pilotage.indicators.models import CategoryCombo, CategoryOption, DataElement, DataValue
from pilotage.indicators.selectors.exports import subtree_batches
from pilotage.indicators.tests.test_api import Facts, facts  # noqa: F401 - the fixture
from pilotage.orgunits.models import Period

URL = "/api/v1/indicators/dhis2/dataValueSets"
PAGE = "/indicators/export/dhis2/"
KEYS = {"dataElement", "period", "orgUnit", "categoryOptionCombo", "value"}


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("2024-2025", "2024Sep"),
        ("2025-2026", "2025Sep"),
        ("2025-11", "202511"),
        ("2026-01", "202601"),
        ("2025Q4", "2025Q4"),
        ("2025", "2025"),
    ],
)
def test_periods_in_dhis2_form(ours: str, theirs: str) -> None:
    assert dhis2.dhis2_period(ours) == theirs


@pytest.mark.parametrize("bad", ["2024-2026", "2025-13", "2025-00", "2025Q5", "25", "", "2025W3"])
def test_other_periods_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="Not a"):
        dhis2.dhis2_period(bad)


def test_category_option_combos() -> None:
    assert dhis2.category_option_combo({}) == "default"
    assert dhis2.category_option_combo({"sex": "F"}) == "F"
    # In the order of the catalogue's dimensions, whatever the order of the dict.
    assert dhis2.category_option_combo({"cycle": "primaire", "sex": "M"}) == "M_primaire"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (93.333333, "93.3333"),
        (1250.0, "1250"),
        (0.0, "0"),
        (Decimal("12.5000"), "12.5"),
        (Decimal("100.0000"), "100"),
    ],
)
def test_values_are_strings_without_trailing_zeros(value, text) -> None:  # type: ignore[no-untyped-def]
    assert dhis2.value_text(value) == text


@pytest.fixture
def aggregates(personas, facts: Facts) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """Classrooms in good / bad state: school A 12 and 3 in November 2025, school B 7 in
    good state; one value of a month outside the school year (June 2025)."""
    combo = CategoryCombo.objects.create(code="etat", name_fr="État")
    good = CategoryOption.objects.create(combo=combo, code="bon", name_fr="Bon")
    bad = CategoryOption.objects.create(combo=combo, code="mauvais", name_fr="Mauvais")
    element = DataElement.objects.create(code="salles", name_fr="Salles", combo=combo)
    november = Period.objects.get(code="2025-11")
    june = Period.objects.filter(code="2025-06").first() or Period.objects.create(
        code="2025-06", type="month", start="2025-06-01", end="2025-06-30"
    )
    for unit, option, period, value in [
        (personas.school_a, good, november, "12"),
        (personas.school_a, bad, november, "3"),
        (personas.school_b, good, november, "7.5"),
        (personas.school_a, good, june, "99"),
    ]:
        DataValue.objects.create(
            data_element=element,
            category_option=option,
            org_unit=unit,
            path=unit.path,
            period=period,
            value=Decimal(value),
        )


def export(client, user, **params):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client.get(URL, params)


def _body(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    assert response["Content-Type"] == "application/json"
    return json.loads(b"".join(response.streaming_content))["dataValues"]


@pytest.mark.django_db
def test_export_shape_and_values(client, personas, facts, aggregates) -> None:  # noqa: F811
    response = export(client, personas.national_admin, org_unit="MA", period="2025-2026")
    assert response.status_code == 200
    values = _body(response)
    assert values
    assert all(set(v) == KEYS and all(isinstance(x, str) for x in v.values()) for v in values)
    cells = {(v["dataElement"], v["orgUnit"], v["categoryOptionCombo"]): v for v in values}
    assert cells["enrolment", "MA", "default"] == {
        "dataElement": "enrolment",
        "period": "2025Sep",
        "orgUnit": "MA",
        "categoryOptionCombo": "default",
        "value": "180",
    }
    assert cells["enrolment", "MA-01", "F"]["value"] == "40"
    assert cells["enrolment", personas.school_b.code, "M"]["value"] == "40"
    # Every level of the subtree gets its own value.
    assert {v["orgUnit"] for v in values if v["dataElement"] == "enrolment"} == {
        u.code
        for u in (
            personas.country,
            personas.region_a,
            personas.region_b,
            personas.province_a,
            personas.province_b,
            personas.commune_a,
            personas.commune_b,
            personas.school_a,
            personas.school_b,
        )
    }
    aggregate = [v for v in values if v["dataElement"] == "salles"]
    assert sorted((v["orgUnit"], v["categoryOptionCombo"], v["value"]) for v in aggregate) == [
        (personas.school_b.code, "bon", "7.5"),
        (personas.school_a.code, "bon", "12"),
        (personas.school_a.code, "mauvais", "3"),
    ]
    assert {v["period"] for v in aggregate} == {"202511"}
    # Values of another year are not in this one's export.
    assert not {v["period"] for v in values} - {"2025Sep", "202511"}


@pytest.mark.django_db
def test_export_of_an_earlier_year(client, personas, facts) -> None:  # noqa: F811
    values = _body(export(client, personas.national_admin, period="2024-2025"))
    enrolment = {
        (v["orgUnit"], v["categoryOptionCombo"]): v["value"]
        for v in values
        if v["dataElement"] == "enrolment"
    }
    assert enrolment["MA", "default"] == "60"
    assert (personas.school_b.code, "default") not in enrolment
    assert {v["period"] for v in values} == {"2024Sep"}


@pytest.mark.django_db
def test_per_cycle_indicators_carry_their_cycle(client, personas, facts) -> None:  # noqa: F811
    from pilotage.indicators.models import PopulationEstimate

    for sex, n in (("F", 80), ("M", 100)):
        PopulationEstimate.objects.create(
            org_unit=personas.province_a,
            path=personas.province_a.path,
            academic_year=facts.year,
            age=6,
            sex=sex,
            population=n,
        )
    values = _body(export(client, personas.national_admin, org_unit="MA-TNG"))
    ger = {
        v["categoryOptionCombo"]: v["value"]
        for v in values
        if v["dataElement"] == "ger" and v["orgUnit"] == "MA-TNG"
    }
    # 40 girls and 50 boys in primary school over 80 girls and 100 boys of its ages → 50 %.
    assert ger == {"primaire": "50", "F_primaire": "50", "M_primaire": "50"}


@pytest.mark.django_db
def test_school_head_exports_only_their_school(client, personas, facts, aggregates) -> None:  # noqa: F811
    values = _body(export(client, personas.head_a))
    assert {v["orgUnit"] for v in values} == {personas.school_a.code}
    assert ("salles", "12") in {(v["dataElement"], v["value"]) for v in values}
    for unit in ("MA", personas.school_b.code, "MA-03"):
        response = export(client, personas.head_a, org_unit=unit)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not Found"}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["teacher_a1", "parent_a", "agent"])
def test_export_not_found_for_who_sees_no_indicator(client, personas, facts, who) -> None:  # noqa: F811
    assert export(client, getattr(personas, who)).status_code == 404
    assert export(client, getattr(personas, who), org_unit="MA").status_code == 404


@pytest.mark.django_db
def test_export_bad_period(client, personas, facts) -> None:  # noqa: F811
    response = export(client, personas.national_admin, period="1990-1991")
    assert response.status_code == 400
    assert response.json() == {"detail": "Unknown academic year: 1990-1991"}
    assert export(client, personas.national_admin, period="2025").status_code == 400


@pytest.mark.django_db
def test_export_is_produced_lazily_batch_by_batch(personas, facts) -> None:  # noqa: F811
    batches = list(subtree_batches(personas.country, size=1))
    assert [len(b) for b in batches] == [1] * 9
    assert [b[0].depth for b in batches] == [1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert [len(b) for b in subtree_batches(personas.country)] == [1, 2, 2, 2, 2]
    chunks = dhis2.json_chunks(dhis2.data_values(dhis2.Export([personas.country], facts.year)))
    assert next(chunks) == '{"dataValues": ['
    assert set(json.loads(next(chunks).lstrip(",\n"))) == KEYS


# -- the download page, its link and the command ----------------------------------------


@pytest.mark.django_db
def test_download_page(client, personas, facts) -> None:  # noqa: F811
    client.force_login(personas.provincial_a)
    response = client.get(PAGE, {"org_unit": "MA-TNG", "period": "2025-2026"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="dhis2-MA-TNG-2025-2026.json"'
    values = _body(response)
    assert {v["orgUnit"] for v in values} == {
        "MA-TNG",
        personas.commune_a.code,
        personas.school_a.code,
    }


@pytest.mark.django_db
def test_download_page_refusals(client, personas, facts) -> None:  # noqa: F811
    client.force_login(personas.provincial_a)
    assert client.get(PAGE, {"org_unit": "MA-FES"}).status_code == 404
    response = client.get(PAGE, {"period": "2030-2031"})
    assert response.status_code == 400
    assert "Unknown academic year: 2030-2031" in response.content.decode()
    client.force_login(personas.teacher_a1)
    assert client.get(PAGE).status_code == 404
    client.logout()
    assert client.get(PAGE).status_code == 302


@pytest.mark.django_db
def test_link_partial(personas, facts) -> None:  # noqa: F811
    html = render_to_string(
        "indicators/_dhis2_export_link.html", {"unit": personas.province_a, "year": facts.year}
    )
    assert f'href="{PAGE}?org_unit=MA-TNG&amp;period=2025-2026"' in html
    assert "DHIS2" in html
    bare = render_to_string("indicators/_dhis2_export_link.html", {})
    assert f'href="{PAGE}?"' in bare


@pytest.mark.django_db
def test_command_writes_the_file(personas, facts, aggregates, tmp_path, capsys) -> None:  # noqa: F811
    out = tmp_path / "export.json"
    call_command("export_dhis2", "--org-unit", "MA", "--period", "2025-2026", "--output", out)
    values = json.loads(out.read_text())["dataValues"]
    assert {"dataElement": "enrolment", "period": "2025Sep", "orgUnit": "MA"}.items() <= values[
        0
    ].items()
    assert len({v["orgUnit"] for v in values}) == 9
    assert f"{len(values)} data values" in capsys.readouterr().err


@pytest.mark.django_db
def test_command_to_standard_output_and_scoped_to_a_user(personas, facts, capsys) -> None:  # noqa: F811
    call_command("export_dhis2", "--org-unit", personas.school_a.code, "--user", "head.a")
    values = json.loads(capsys.readouterr().out)["dataValues"]
    assert {v["orgUnit"] for v in values} == {personas.school_a.code}
    with pytest.raises(CommandError, match="not in head.a's scope"):
        call_command("export_dhis2", "--org-unit", "MA", "--user", "head.a")
    with pytest.raises(CommandError, match="Unknown org unit 'XX'"):
        call_command("export_dhis2", "--org-unit", "XX")
    with pytest.raises(CommandError, match="Unknown academic year: 1990-1991"):
        call_command("export_dhis2", "--org-unit", "MA", "--period", "1990-1991")
    with pytest.raises(CommandError, match="Unknown user 'nobody'"):
        call_command("export_dhis2", "--org-unit", "MA", "--user", "nobody")
