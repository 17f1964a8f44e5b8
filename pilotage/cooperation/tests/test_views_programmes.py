"""The programme pages: who opens them, what they list, in how many queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from pilotage.cooperation.models import Programme
from pilotage.cooperation.tests.factories import programme_with_countries

pytestmark = pytest.mark.django_db


def test_the_list_shows_the_readers_programmes(client, coop):
    client.force_login(coop.manager)
    page = client.get(reverse("cooperation:programmes")).content.decode()
    assert "ImaginEcole" in page and "Autre programme" not in page


def test_outsiders_get_404(client, coop):
    client.force_login(coop.personas.head_a)
    assert client.get(reverse("cooperation:programmes")).status_code == 404
    client.force_login(coop.manager_b)
    assert client.get(reverse("cooperation:programme", args=[coop.imagine.pk])).status_code == 404
    assert client.get(reverse("cooperation:project", args=[coop.project_sn.pk])).status_code == 404
    client.force_login(coop.coordinator_ml)
    assert client.get(reverse("cooperation:project", args=[coop.project_sn.pk])).status_code == 404
    assert (
        client.get(reverse("cooperation:programme-edit", args=[coop.imagine.pk])).status_code == 404
    )


def test_list_query_count_does_not_grow(client, coop, django_assert_max_num_queries):
    client.force_login(coop.head)
    for i in range(8):
        programme_with_countries([coop.senegal, coop.mali], code=f"p{i}")
    # session, user, role assignments (scope), count (paginator), programmes with their
    # project count, prefetched countries, menu/home lookups of the base template.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("cooperation:programmes"))
    assert response.content.decode().count('id="programme-') == 10


def test_a_manager_creates_a_programme_through_the_page(client, coop):
    client.force_login(coop.manager)
    response = client.post(
        reverse("cooperation:programme-new"),
        {
            "code": "pasec",
            "title_fr": "PASEC",
            "status": "1",
            "start_date": "2026-01-01",
            "end_date": "2027-12-31",
            "default_currency": "XOF",
        },
    )
    assert response.status_code == 302
    programme = Programme.objects.get(code="pasec")
    assert programme.start_date == dt.date(2026, 1, 1)
    response = client.post(
        reverse("cooperation:programme-countries", args=[programme.pk]), {"shares": "SN 70\nML 20"}
    )
    assert response.status_code == 200 and "90" in response.content.decode()
    assert not programme.countries.exists()
    response = client.post(
        reverse("cooperation:programme-countries", args=[programme.pk]), {"shares": "SN 70\nML 30"}
    )
    assert response.status_code == 302 and programme.countries.count() == 2


def test_team_page_adds_and_removes_members_and_refuses_others(client, coop):
    from pilotage.core.models import AuditEntry

    url = reverse("cooperation:programme-team", args=[coop.imagine.pk])
    client.force_login(coop.coordinator_sn)
    before = AuditEntry.objects.count()
    response = client.post(url, {"user": coop.finance.pk, "role": "finance"})
    assert response.status_code == 404
    assert not coop.imagine.members.filter(user=coop.finance).exists()
    assert AuditEntry.objects.count() == before
    client.force_login(coop.manager)
    assert client.post(url, {"user": coop.finance.pk, "role": "finance"}).status_code == 302
    member = coop.imagine.members.get(user=coop.finance)
    assert client.post(url, {"remove": member.pk}).status_code == 302
    assert not coop.imagine.members.filter(user=coop.finance).exists()


def test_projects_per_country_creates_the_missing_ones_only(client, coop):
    coop.project_ml.delete()
    client.force_login(coop.manager)
    url = reverse("cooperation:projects-per-country", args=[coop.imagine.pk])
    assert client.post(url).status_code == 302
    assert coop.imagine.projects.count() == 2
    assert client.post(url).status_code == 302
    assert coop.imagine.projects.count() == 2
    client.force_login(coop.coordinator_sn)
    assert client.post(url).status_code == 404


def test_project_edit_saves_everything_or_nothing(client, coop):
    client.force_login(coop.coordinator_sn)
    url = reverse("cooperation:project-edit", args=[coop.project_sn.pk])
    form = {
        "title_fr": "Nouveau titre",
        "status": "2",
        "start_date": "2025-01-01",
        "end_date": "2028-12-31",
        "default_currency": "EUR",
        "version": "1",
        "sectors-shares": "11220 100",
        "locations-shares": "SN-DK 50",  # does not add up to 100
    }
    response = client.post(url, form)
    assert response.status_code == 200 and "50" in response.content.decode()
    coop.project_sn.refresh_from_db()
    assert coop.project_sn.title_fr != "Nouveau titre" and not coop.project_sn.sectors.exists()
    response = client.post(url, {**form, "locations-shares": "SN-DK 100"})
    assert response.status_code == 302
    coop.project_sn.refresh_from_db()
    assert coop.project_sn.title_fr == "Nouveau titre"
    assert coop.project_sn.locations.get().org_unit == coop.dakar


def test_the_api_lists_what_the_caller_sees(client, coop, django_assert_max_num_queries):
    client.force_login(coop.coordinator_ml)
    body = client.get("/api/v1/cooperation/projects").json()
    assert [p["code"] for p in body["items"]] == ["imagine-ml"]
    client.force_login(coop.manager)
    body = client.get("/api/v1/cooperation/programmes").json()
    assert [p["code"] for p in body["items"]] == ["imagine"]
    assert {c["code"] for c in body["items"][0]["countries"]} == {"SN", "ML"}
    assert client.get("/api/v1/cooperation/programmes/other").status_code == 404
    client.force_login(coop.personas.head_a)
    assert client.get("/api/v1/cooperation/programmes").json()["items"] == []
