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
