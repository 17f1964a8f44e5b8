"""The aggregate data entry page: scoped, the grid saved with htmx, errors next to their
cell with the typed value kept, outsiders answered 404."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from pilotage.core.tests.support import unchanged
from pilotage.indicators.models import DataApproval, DataValue
from pilotage.indicators.services.aggregates import data_values_save
from pilotage.indicators.tests.aggregates_support import catalogue_fixture  # noqa: F401 - fixture
from pilotage.orgunits.tests.factories import make_school

pytestmark = pytest.mark.django_db

URL = reverse("indicators:data_entry")


def grid_url(unit: str = "04101A", period: str = "2025-2026", data_set: str = "census") -> str:
    return f"{URL}?data_set={data_set}&unit={unit}&period={period}"


def test_a_school_head_lands_on_their_school_and_the_latest_period(
    client, personas, catalogue
) -> None:
    client.force_login(personas.head_a)
    page = client.get(URL, {"data_set": "census"}).content.decode()
    assert 'name="v:classrooms:total"' in page
    assert 'name="v:toilets:girls"' in page and 'name="v:toilets:boys"' in page
    assert "Ibn Battouta" in page and "2025-2026" in page
    # Only their own school is offered.
    assert "03201B" not in page


def test_the_grid_shows_stored_values_with_their_versions(client, personas, catalogue) -> None:
    data_values_save(
        actor=personas.head_a,
        data_set=catalogue.census,
        org_unit=personas.school_a,
        period=catalogue.year,
        values={("classrooms", "total"): "12", ("attendance", "total"): "92.5"},
    )
    client.force_login(personas.provincial_a)
    page = client.get(grid_url()).content.decode()
    assert 'name="v:classrooms:total" value="12"' in page
    assert 'name="v:attendance:total" value="92.5"' in page
    assert 'name="ver:classrooms:total" value="1"' in page
    assert 'name="ver:toilets:girls" value="0"' in page


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("head_b", grid_url()),
        ("provincial_b", grid_url()),
        ("teacher_a1", URL),
        ("parent_a", URL),
        ("agent", URL),
        ("head_a", grid_url(data_set="nope")),
        ("head_a", grid_url(unit="NOPE")),
    ],
)
def test_outsiders_and_unknown_codes_get_404_and_write_nothing(
    client, personas, catalogue, who, url
) -> None:
    client.force_login(getattr(personas, who))
    assert client.get(url).status_code == 404
    with unchanged(DataValue):
        assert client.post(url, {"v:classrooms:total": "12"}).status_code == 404


@pytest.mark.parametrize("period", ["1999-2000", "2025-11"])
def test_a_period_of_another_type_opens_the_latest_but_is_never_saved_to(
    client, personas, catalogue, period
) -> None:
    """Switching data sets keeps the previous one's period in the chooser."""
    client.force_login(personas.head_a)
    page = client.get(grid_url(period=period)).content.decode()
    assert 'name="v:classrooms:total"' in page
    assert '<option value="2025-2026" selected>' in page
    with unchanged(DataValue):
        response = client.post(grid_url(period=period), {"v:classrooms:total": "12"})
    assert response.status_code == 404


def test_anonymous_is_sent_to_the_login(client, personas, catalogue) -> None:
    response = client.get(grid_url())
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_save_with_htmx_answers_the_grid_only(client, personas, catalogue) -> None:
    client.force_login(personas.head_a)
    response = client.post(
        grid_url(),
        {"v:classrooms:total": "12", "ver:classrooms:total": "0", "v:toilets:girls": "3,0"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page and 'id="entry-grid"' in page
    assert "2 valeurs enregistrées" in page
    assert 'name="ver:classrooms:total" value="1"' in page
    assert DataValue.objects.get(data_element=catalogue.classrooms).value == Decimal(12)


def test_a_refused_save_keeps_the_values_and_shows_each_error_by_its_cell(
    client, personas, catalogue
) -> None:
    client.force_login(personas.head_a)
    with unchanged(DataValue):
        response = client.post(
            grid_url(),
            {"v:classrooms:total": "-3", "v:toilets:girls": "7", "v:attendance:total": "150"},
            HTTP_HX_REQUEST="true",
        )
    page = response.content.decode()
    assert 'name="v:classrooms:total" value="-3"' in page
    assert 'name="v:toilets:girls" value="7"' in page
    assert 'id="err-classrooms-total"' in page and "positif ou nul" in page
    assert 'id="err-attendance-total"' in page and "de 0 à 100" in page
    assert 'id="err-toilets-girls"' not in page


def test_a_conflict_shows_the_current_value_and_saves_nothing(client, personas, catalogue) -> None:
    data_values_save(
        actor=personas.provincial_a,
        data_set=catalogue.census,
        org_unit=personas.school_a,
        period=catalogue.year,
        values={("classrooms", "total"): "12"},
    )
    client.force_login(personas.head_a)
    with unchanged(DataValue):
        page = client.post(
            grid_url(), {"v:classrooms:total": "10", "ver:classrooms:total": "0"}
        ).content.decode()
    assert "enregistré ce formulaire après son ouverture" in page
    assert 'name="v:classrooms:total" value="12"' in page
    assert 'name="ver:classrooms:total" value="1"' in page
    officer = personas.provincial_a
    assert (officer.get_full_name() or officer.username) in page


def test_approved_data_is_shown_read_only(client, personas, catalogue) -> None:
    DataApproval.objects.create(
        data_set=catalogue.census,
        org_unit=personas.province_a,
        path=personas.province_a.path,
        period=catalogue.year,
        approved_by=personas.provincial_a,
    )
    client.force_login(personas.head_a)
    page = client.get(grid_url()).content.decode()
    assert "approuvées" in page and 'name="v:classrooms:total"' not in page
    with unchanged(DataValue):
        page = client.post(grid_url(), {"v:classrooms:total": "10"}).content.decode()
    assert "ne se modifient plus" in page


def test_an_officer_picks_among_the_schools_of_their_province(client, personas, catalogue) -> None:
    make_school(personas.commune_a, code="04102B")
    client.force_login(personas.provincial_a)
    page = client.get(URL, {"data_set": "census"}).content.decode()
    assert 'value="04101A"' in page and 'value="04102B"' in page
    assert 'value="03201B"' not in page
    assert 'name="v:classrooms:total"' not in page  # no unit chosen yet


def test_the_grid_costs_a_fixed_number_of_queries(
    client, personas, catalogue, django_assert_num_queries
) -> None:
    data_values_save(
        actor=personas.head_a,
        data_set=catalogue.census,
        org_unit=personas.school_a,
        period=catalogue.year,
        values={("classrooms", "total"): "12", ("toilets", "girls"): "3"},
    )
    client.force_login(personas.head_a)
    client.get(grid_url())
    # session, user, the user's grants (scope), data sets, units in scope at the level,
    # the chosen unit, recent periods (the chosen one is the latest: no lookup), then the
    # grid: elements with their combination, their options, stored values with who saved
    # them, approvals.
    with django_assert_num_queries(11):
        response = client.get(grid_url())
    assert response.status_code == 200
    # More elements, options and values: the same queries.
    data_values_save(
        actor=personas.head_a,
        data_set=catalogue.census,
        org_unit=personas.school_a,
        period=catalogue.year,
        values={("toilets", "boys"): "4", ("budget", "total"): "10", ("electricity", "total"): "1"},
    )
    with django_assert_num_queries(11):
        assert client.get(grid_url()).status_code == 200


def test_the_catalogue_lists_the_codes_in_fixed_queries(
    client, personas, catalogue, django_assert_num_queries
) -> None:
    client.force_login(personas.head_a)
    client.get(reverse("indicators:data_catalogue"))
    # session, user, grants, then data sets with their level, elements with their
    # combination, the combinations' options.
    with django_assert_num_queries(6):
        page = client.get(reverse("indicators:data_catalogue")).content.decode()
    assert "census" in page and "monthly" in page
    assert ">girls</code>" in page and ">toilets</code>" in page
    client.force_login(personas.teacher_a1)
    assert client.get(reverse("indicators:data_catalogue")).status_code == 404


def test_a_yes_no_element_is_a_choice(client, personas, catalogue) -> None:
    client.force_login(personas.head_a)
    client.post(grid_url(), {"v:electricity:total": "1"})
    page = client.get(grid_url()).content.decode()
    assert '<select name="v:electricity:total"' in page
    assert '<option value="1" selected>Oui</option>' in page
