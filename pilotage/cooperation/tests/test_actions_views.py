"""The partner actions pages: who opens them, what they list and in how many queries, the
map's figures, the XLSX export, and the denied paths (404, nothing changed)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from pilotage.cooperation.models import PartnerAction
from pilotage.cooperation.selectors.actions import ActionFilters, actions_by_country, iso_numeric
from pilotage.cooperation.tests.test_actions_services import counts, make, unchanged

pytestmark = pytest.mark.django_db


def test_partners_see_every_partners_actions_but_edit_only_their_own(client, coop):
    own = make(coop, title="Action UNESCO")
    other = make(coop, partner=coop.oif, title="Action OIF")
    client.force_login(coop.partner_user)
    page = client.get(reverse("cooperation:actions")).content.decode()
    assert "Action UNESCO" in page and "Action OIF" in page
    assert reverse("cooperation:action-edit", args=[own.pk]) in page
    assert reverse("cooperation:action-edit", args=[other.pk]) not in page
    before = counts()
    url = reverse("cooperation:action-edit", args=[other.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "Pris", "version": 1}).status_code == 404
    assert (
        client.post(
            reverse("cooperation:action-delete", args=[other.pk]), {"version": 1}
        ).status_code
        == 404
    )
    assert unchanged(before)
    other.refresh_from_db()
    assert other.title == "Action OIF"


def test_school_roles_and_readers_get_404(client, coop):
    action = make(coop)
    before = counts()
    client.force_login(coop.personas.head_a)
    for name in ("cooperation:actions", "cooperation:actions-map", "cooperation:actions-export"):
        assert client.get(reverse(name)).status_code == 404
    assert client.get(reverse("cooperation:action-new")).status_code == 404
    assert client.get(reverse("cooperation:actions-import")).status_code == 404
    client.force_login(coop.finance)
    assert client.get(reverse("cooperation:actions")).status_code == 200
    assert client.get(reverse("cooperation:action-new")).status_code == 404
    assert client.get(reverse("cooperation:action-edit", args=[action.pk])).status_code == 404
    client.force_login(coop.coordinator_ml)
    assert client.get(reverse("cooperation:action-edit", args=[action.pk])).status_code == 404
    assert unchanged(before)


def test_a_partner_adds_an_action_through_the_page_for_its_own_organisation(client, coop):
    client.force_login(coop.partner_user)
    response = client.post(
        reverse("cooperation:action-new"),
        {
            # A forged partner field is ignored: the field is fixed to their organisation.
            "partner": coop.oif.pk,
            "country": coop.senegal.pk,
            "subdivisions": [coop.dakar.pk],
            "title": "Lecture à Dakar",
            "topic": "quality",
            "beneficiary_type": "pupils",
            "planned": "3000",
            "start_date": "2026-02-01",
            "status": "planned",
        },
    )
    assert response.status_code == 302
    action = PartnerAction.objects.get()
    assert action.partner == coop.unesco and list(action.subdivisions.all()) == [coop.dakar]


def test_a_region_of_another_country_is_an_error_on_the_form(client, coop):
    client.force_login(coop.head)
    before = counts()
    response = client.post(
        reverse("cooperation:action-new"),
        {
            "partner": coop.oif.pk,
            "country": coop.senegal.pk,
            "subdivisions": [coop.bamako.pk],
            "title": "X",
            "topic": "quality",
            "beneficiary_type": "pupils",
            "start_date": "2026-02-01",
            "status": "planned",
        },
    )
    assert response.status_code == 200
    assert "ML-BKO" in response.content.decode()
    assert unchanged(before)


def test_filters_narrow_the_table(client, coop):
    make(coop, title="Au Sénégal")
    make(coop, country=coop.mali, title="Au Mali", topic="school_feeding")
    client.force_login(coop.consultant)
    url = reverse("cooperation:actions")
    page = client.get(url, {"country": coop.mali.pk}).content.decode()
    assert "Au Mali" in page and "Au Sénégal" not in page
    page = client.get(url, {"topic": "teacher_training"}).content.decode()
    assert "Au Sénégal" in page and "Au Mali" not in page
    # A value that is not an option is ignored, not a 500.
    assert client.get(url, {"country": "zz", "status": "nope"}).status_code == 200


def test_table_query_count_does_not_grow(client, coop, django_assert_max_num_queries):
    for i in range(12):
        action = make(coop, title=f"Action {i}", partner=coop.oif if i % 2 else coop.unesco)
        action.subdivisions.set([coop.dakar])
    client.force_login(coop.partner_user)
    # session, user, role assignments (scope), count (paginator), the reader's partner
    # contact (their organisation, read once for the edit links and the "new" and "import"
    # links), the actions with partner/country/programme/editor joined, their regions (one
    # prefetch), the filter's countries, regions and partners: 10, whatever the rows.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("cooperation:actions"))
    assert response.content.decode().count('id="action-') == 12


def test_map_figures_per_country(client, coop, django_assert_max_num_queries):
    make(coop, reached=100)
    make(coop, reached=50, title="B", partner=coop.oif)
    make(coop, country=coop.mali, reached=None, title="C")
    rows = {r["code"]: r for r in actions_by_country(coop.head)}
    # ISO 3166-1: Senegal is 686, Mali 466 (the ids of the world-atlas countries).
    assert (rows["SN"]["numeric"], rows["ML"]["numeric"]) == ("686", "466")
    assert (rows["SN"]["actions"], rows["SN"]["partners"], rows["SN"]["reached"]) == (2, 2, 150)
    assert (rows["ML"]["actions"], rows["ML"]["reached"]) == (1, 0)
    only_oif = {
        r["code"]: r for r in actions_by_country(coop.head, ActionFilters(partner=coop.oif))
    }
    assert only_oif["SN"]["actions"] == 1 and only_oif["ML"]["actions"] == 0
    assert iso_numeric("MA") == "504"
    client.force_login(coop.partner_user)
    # session, user, role assignments (scope), the grouped counts, the countries, the
    # filter's partners: 6, whatever the number of actions and countries.
    with django_assert_max_num_queries(6):
        response = client.get(reverse("cooperation:actions-map"), {"measure": "reached"})
    page = response.content.decode()
    assert f"?country={coop.senegal.pk}" in page
    assert "Natural Earth" in page


def test_map_page_keeps_its_table_without_the_map_file(client, coop, monkeypatch):
    from pilotage.cooperation.views import actions as views

    make(coop)
    monkeypatch.setattr(views, "WORLD_MAP", "vendor/missing-map.json")
    client.force_login(coop.head)
    page = client.get(reverse("cooperation:actions-map")).content.decode()
    assert 'id="actions-map"' not in page and 'id="country-SN"' in page


def test_export_lists_the_filtered_table_in_the_import_columns(client, coop):
    from pilotage.cooperation.imports.actions import COLUMNS

    action = make(coop, external_ref="U-1")
    action.subdivisions.set([coop.dakar])
    make(coop, country=coop.mali, title="Au Mali")
    client.force_login(coop.partner_user)
    response = client.get(reverse("cooperation:actions-export"), {"country": coop.senegal.pk})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS and len(rows) == 2
    record = dict(zip(COLUMNS, rows[1], strict=True))
    assert (record["partner"], record["country"], record["subdivisions"]) == (
        "unesco",
        "SN",
        "SN-DK",
    )
    readable = list(book.worksheets[1].iter_rows(values_only=True))
    assert readable[0][0] == "Partenaire" and readable[1][4] == "Formation des enseignants"


def test_demo_step_makes_actions_in_the_countries_and_their_regions(coop):
    from pilotage.demo.context import SCALES, Context
    from pilotage.demo.coop_actions import ACTIONS, create_actions
    from pilotage.orgunits.tests.factories import make_unit

    for code in ("BF", "NE"):
        make_unit(None, code=code, name_fr=code)
    create_actions(Context(scale=SCALES["small"], seed=1))
    made = PartnerAction.objects.prefetch_related("subdivisions").select_related("country")
    assert made.count() == ACTIONS
    assert {a.country.code for a in made} == {"SN", "ML", "BF", "NE"}
    for action in made:
        action.full_clean(exclude=["updated_at"], validate_constraints=False)
        assert all(action.country.covers(u) and u.depth == 2 for u in action.subdivisions.all())
