from __future__ import annotations

import pytest

from pilotage.core.audit import OTHER, UPDATE, audit_record
from pilotage.orgunits.services import orgunit_update

pytestmark = pytest.mark.django_db

READERS = ("national_admin", "regional_officer", "provincial_a", "head_a")


@pytest.mark.parametrize("persona", READERS)
def test_the_audit_page_is_for_officers_heads_and_administrators(client, personas, persona) -> None:  # type: ignore[no-untyped-def]
    client.force_login(getattr(personas, persona))
    assert client.get("/audit/").status_code == 200
    assert client.get("/api/v1/audit").status_code == 200


@pytest.mark.parametrize("persona", ["teacher_a1", "parent_a", "agent"])
def test_others_are_answered_404(client, personas, persona) -> None:  # type: ignore[no-untyped-def]
    client.force_login(getattr(personas, persona))
    assert client.get("/audit/").status_code == 404
    assert client.get("/api/v1/audit").status_code == 404


def test_anonymous_visitors_see_nothing(client, personas) -> None:  # type: ignore[no-untyped-def]
    audit_record(actor=None, action=OTHER, obj=personas.school_a, object_repr="Secret")
    response = client.get("/audit/")
    assert response.status_code in (302, 404) and b"Secret" not in response.content
    assert client.get("/api/v1/audit").status_code in (401, 404)


def _rename(personas) -> None:  # type: ignore[no-untyped-def]
    orgunit_update(
        actor=personas.provincial_a, org_unit=personas.fresh(personas.commune_a), name_fr="Nom A"
    )
    orgunit_update(
        actor=personas.provincial_b, org_unit=personas.fresh(personas.commune_b), name_fr="Nom B"
    )


def test_a_provincial_officer_reads_their_province_not_the_sibling(client, personas) -> None:  # type: ignore[no-untyped-def]
    _rename(personas)
    client.force_login(personas.provincial_a)
    body = client.get("/audit/").content.decode()
    assert "Nom A" in body and "Nom B" not in body
    api = client.get("/api/v1/audit", {"actor": "dp.a"}).json()
    assert [item["changes"]["name_fr"][1] for item in api["items"]] == ["Nom A"]
    assert client.get("/api/v1/audit", {"actor": "dp.b"}).json()["items"] == []


def test_the_page_names_the_object_its_page_the_actor_and_the_field(client, personas) -> None:  # type: ignore[no-untyped-def]
    _rename(personas)
    client.force_login(personas.national_admin)
    body = client.get("/audit/", {"actor": "dp.a"}).content.decode()
    assert "Nom A" in body and "Nom B" not in body
    assert f'href="/orgunits/{personas.commune_a.code}/"' in body
    assert personas.provincial_a.get_full_name() in body
    assert "nom (français)" in body and "name_fr" not in body
    assert "unité d&#x27;organisation" in body and "orgunits.orgunit #" not in body


def test_filters_by_type_unit_and_date(client, personas) -> None:  # type: ignore[no-untyped-def]
    _rename(personas)
    audit_record(actor=None, action=UPDATE, obj=personas.school_b.school, object_repr="Fiche B")
    client.force_login(personas.national_admin)
    body = client.get("/audit/", {"object_type": "orgunits.school"}).content.decode()
    assert "Fiche B" in body and "Nom A" not in body
    body = client.get("/audit/", {"unit": personas.province_a.code}).content.decode()
    assert "Nom A" in body and "Nom B" not in body and "Fiche B" not in body
    body = client.get("/audit/", {"since": "2001-01-01", "until": "2001-01-31"}).content.decode()
    assert "Nom A" not in body and "Nom B" not in body
    # a unit outside the reader's reach narrows to nothing rather than widening anything
    client.force_login(personas.provincial_a)
    body = client.get("/audit/", {"unit": personas.province_b.code}).content.decode()
    assert "Nom A" not in body and "Nom B" not in body


def test_the_page_is_paginated(client, personas) -> None:  # type: ignore[no-untyped-def]
    for n in range(51):
        audit_record(actor=None, action=OTHER, obj=personas.school_a, object_repr=f"n{n:02d}")
    client.force_login(personas.head_a)
    first = client.get("/audit/").content.decode()
    assert "n50" in first and "n00" not in first and 'rel="next"' in first
    assert "n00" in client.get("/audit/", {"page": 2}).content.decode()


def test_audit_page_query_count_is_fixed(client, personas, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.national_admin)
    # session, user, scope, count, page (actor joined), the levels' names (orgunit_create's
    # "level"), the units' codes for the links of units, the same for the links of school
    # records, object types. The menu reads the scope already loaded.
    orgunit_update(actor=personas.head_a, org_unit=personas.fresh(personas.school_a), name_fr="A")
    with django_assert_max_num_queries(9) as first:
        client.get("/audit/")
    for n in range(40):
        orgunit_update(
            actor=personas.head_a, org_unit=personas.fresh(personas.school_a), name_fr=f"A{n}"
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get("/audit/")
