"""The partners pages: who opens them, filters and search, forms with clear refusals, the
list's query count."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pilotage.cooperation.models import Partner, PartnerKind
from pilotage.cooperation.tests.factories import PartnerFactory
from pilotage.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_staff_read_the_list_and_outsiders_get_404(client, coop):
    for user in (coop.head, coop.manager, coop.finance):
        client.force_login(user)
        page = client.get(reverse("cooperation:partners")).content.decode()
        assert "UNESCO" in page and "Francophonie" in page
    for user in (coop.coordinator_sn, coop.partner_user, coop.consultant, coop.personas.head_a):
        client.force_login(user)
        assert client.get(reverse("cooperation:partners")).status_code == 404
        assert client.get(reverse("cooperation:partner", args=[coop.unesco.pk])).status_code == 404


def test_finance_reads_but_does_not_edit(client, coop):
    client.force_login(coop.finance)
    page = client.get(reverse("cooperation:partner", args=[coop.unesco.pk])).content.decode()
    assert reverse("cooperation:partner-edit", args=[coop.unesco.pk]) not in page
    assert client.get(reverse("cooperation:partner-new")).status_code == 404
    audit = AuditEntry.objects.count()  # after the login, which is audited too
    response = client.post(
        reverse("cooperation:partner-edit", args=[coop.unesco.pk]),
        {"name_fr": "Changed", "kind": "un", "iati_type": "40", "version": 1},
    )
    assert response.status_code == 404
    coop.unesco.refresh_from_db()
    assert coop.unesco.name_fr == "UNESCO" and AuditEntry.objects.count() == audit


def test_filters_and_search(client, coop):
    PartnerFactory(
        code="afd",
        name_fr="Agence française",
        acronym="AFD",
        country="FR",
        kind=PartnerKind.BILATERAL_DONOR,
        iati_type="10",
    )
    client.force_login(coop.head)
    url = reverse("cooperation:partners")

    def names(**params):
        page = client.get(url, params).content.decode()
        return {n for n in ("UNESCO", "Francophonie", "Agence française") if n in page}

    assert names(q="afd") == {"Agence française"}
    assert names(q="franco") == {"Francophonie"}
    assert names(kind="bilateral") == {"Agence française"}
    assert names(iati_type="40") == {"UNESCO", "Francophonie"}
    assert names(country="FR") == {"Agence française"}


def test_list_query_count_does_not_grow(client, coop, django_assert_max_num_queries):
    for i in range(30):
        PartnerFactory(country="FR" if i % 2 else "")
    client.force_login(coop.head)
    # session, user, role assignments (scope), the countries of the filter, the
    # paginator's count, the page of partners with its three counts, and the base
    # template's menu lookups (the same as every page: see test_views_programmes).
    with django_assert_max_num_queries(10):
        response = client.get(reverse("cooperation:partners"))
    assert response.content.decode().count('id="partner-') == 32


def test_the_list_is_paginated(client, coop):
    for _ in range(55):
        PartnerFactory()
    client.force_login(coop.head)
    page = client.get(reverse("cooperation:partners")).content.decode()
    assert page.count('id="partner-') == 50 and "page=2" in page


def test_create_through_the_page_and_a_bad_identifier_is_named(client, coop):
    client.force_login(coop.manager)
    data = {
        "code": "afd",
        "name_fr": "Agence française de développement",
        "kind": "bilateral",
        "iati_type": "10",
        "iati_identifier": "FR 3",
        "country": "fr",
        "is_active": "on",
    }
    response = client.post(reverse("cooperation:partner-new"), data)
    assert response.status_code == 200
    assert "XM-DAC-41304" in response.content.decode()
    assert not Partner.objects.filter(code="afd").exists()
    response = client.post(reverse("cooperation:partner-new"), {**data, "country": "ZZ"})
    assert "ZZ" in response.content.decode() and "ISO 3166-1" in response.content.decode()
    response = client.post(reverse("cooperation:partner-new"), {**data, "iati_identifier": "FR-3"})
    assert response.status_code == 302
    assert Partner.objects.get(code="afd").country == "FR"


def test_a_stale_edit_shows_the_conflict(client, coop):
    client.force_login(coop.head)
    url = reverse("cooperation:partner-edit", args=[coop.unesco.pk])
    data = {
        "name_fr": "UNESCO",
        "acronym": "UNESCO",
        "kind": "un",
        "iati_type": "40",
        "iati_identifier": "XM-DAC-41304",
        "is_active": "on",
        "version": 1,
    }
    assert client.post(url, {**data, "country": "FR"}).status_code == 302
    response = client.post(url, {**data, "acronym": "U"})
    assert response.status_code == 200 and "Rechargez" in response.content.decode()
    coop.unesco.refresh_from_db()
    assert coop.unesco.acronym == "UNESCO" and coop.unesco.version == 2


def test_contacts_add_edit_remove_through_the_pages(client, coop):
    client.force_login(coop.head)
    response = client.post(
        reverse("cooperation:partner-contact-new", args=[coop.oif.pk]),
        {"name": "Jean Dupont", "email": "jd@example.org"},
    )
    assert response.status_code == 302
    contact = coop.oif.contacts.get()
    client.post(
        reverse("cooperation:partner-contact-edit", args=[coop.oif.pk, contact.pk]),
        {"name": "Jean Dupont", "email": "jd@example.org", "position": "Directeur"},
    )
    contact.refresh_from_db()
    assert contact.position == "Directeur"
    # A contact of another partner is not reachable through this one.
    other = coop.unesco.contacts.get()
    url = reverse("cooperation:partner-contact-remove", args=[coop.oif.pk, other.pk])
    assert client.post(url).status_code == 404
    client.post(reverse("cooperation:partner-contact-remove", args=[coop.oif.pk, contact.pk]))
    assert not coop.oif.contacts.exists() and coop.unesco.contacts.exists()


def test_the_detail_lists_contacts_meetings_opportunities_and_the_agreements_slot(client, coop):
    client.force_login(coop.head)
    page = client.get(reverse("cooperation:partner", args=[coop.unesco.pk])).content.decode()
    assert "Awa Diop" in page and "XM-DAC-41304" in page
    assert 'id="partner-meetings"' in page and 'id="partner-opportunities"' in page


def test_admin_points_to_the_partner_pages(admin_client, coop):
    response = admin_client.get(reverse("admin:cooperation_partner_change", args=[coop.unesco.pk]))
    assert reverse("cooperation:partners") in response.content.decode()
