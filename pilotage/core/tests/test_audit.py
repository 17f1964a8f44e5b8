from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from pilotage.core.audit import audit_record, diff
from pilotage.core.models import AuditEntry
from pilotage.orgunits.services import orgunit_update

pytestmark = pytest.mark.django_db


def test_diff_keeps_only_changed_fields() -> None:
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3}) == {"b": [2, 3]}
    assert diff({}, {"a": 1}) == {"a": [None, 1]}


def test_a_service_write_records_actor_action_object_and_changes(personas) -> None:  # type: ignore[no-untyped-def]
    unit = personas.fresh(personas.commune_a)
    orgunit_update(actor=personas.provincial_a, org_unit=unit, name_fr="Gueznaia", is_active=False)
    entry = AuditEntry.objects.first()
    assert entry is not None
    assert (entry.actor, entry.action, entry.object_type, entry.object_id) == (
        personas.provincial_a,
        "update",
        "orgunits.orgunit",
        str(unit.pk),
    )
    assert entry.changes == {
        "is_active": [True, False],
        "name_fr": ["Commune de Gueznaia", "Gueznaia"],
    }
    assert entry.at is not None


def test_no_change_no_audit_row(personas) -> None:  # type: ignore[no-untyped-def]
    unit = personas.fresh(personas.commune_a)
    before = AuditEntry.objects.count()
    orgunit_update(actor=personas.provincial_a, org_unit=unit, name_fr=unit.name_fr)
    assert AuditEntry.objects.count() == before


def test_rolled_back_write_leaves_no_audit_row(personas) -> None:  # type: ignore[no-untyped-def]
    unit = personas.fresh(personas.commune_a)
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        orgunit_update(actor=personas.provincial_a, org_unit=unit, name_fr="Abandonné")
        raise RuntimeError
    assert AuditEntry.objects.count() == before


def test_append_only_in_the_app(personas) -> None:  # type: ignore[no-untyped-def]
    entry = audit_record(actor=None, action="other", obj=personas.country)
    entry.action = "forged"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "other"


def test_append_only_in_the_database(personas) -> None:  # type: ignore[no-untyped-def]
    entry = audit_record(actor=None, action="other", obj=personas.country)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET action = 'forged' WHERE id = %s", [entry.pk])
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "other"


def test_audit_page_is_for_administrators(client, personas) -> None:  # type: ignore[no-untyped-def]
    for persona in (
        "regional_officer",
        "provincial_a",
        "head_a",
        "teacher_a1",
        "parent_a",
        "agent",
    ):
        client.force_login(getattr(personas, persona))
        assert client.get("/audit/").status_code == 404, persona
        assert client.get("/api/v1/audit").status_code == 404, persona
    client.force_login(personas.national_admin)
    assert client.get("/audit/").status_code == 200
    assert client.get("/api/v1/audit").status_code == 200


def test_audit_page_filters_by_object_and_actor(client, personas) -> None:  # type: ignore[no-untyped-def]
    orgunit_update(
        actor=personas.provincial_a, org_unit=personas.fresh(personas.commune_a), name_fr="Nom A"
    )
    orgunit_update(
        actor=personas.provincial_b, org_unit=personas.fresh(personas.commune_b), name_fr="Nom B"
    )
    client.force_login(personas.national_admin)
    body = client.get("/audit/", {"actor": "dp.a"}).content.decode()
    assert "Nom A" in body and "Nom B" not in body
    commune_b = personas.fresh(personas.commune_b)
    body = client.get(
        "/audit/", {"object_type": "orgunits.orgunit", "object_id": commune_b.pk}
    ).content.decode()
    assert "Nom B" in body and "Nom A" not in body
    api = client.get("/api/v1/audit", {"actor": "dp.b"}).json()
    assert [item["changes"]["name_fr"][1] for item in api["items"]] == ["Nom B"]


def test_audit_page_query_count_is_fixed(client, personas, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.national_admin)
    # session, user, scope, object types, actor filter, count, page (actor joined), menu.
    with django_assert_max_num_queries(8) as first:
        client.get("/audit/")
    for n in range(40):
        audit_record(
            actor=personas.head_a, action="other", obj=personas.school_a, changes={"n": [n, n + 1]}
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get("/audit/")


def test_bulk_audit_writes_the_rows_audit_record_would(personas) -> None:  # type: ignore[no-untyped-def]
    from pilotage.core.audit import audit_record_bulk

    first, second = personas.fresh(personas.commune_a), personas.school_a
    one = audit_record(
        actor=personas.provincial_a, action="update", obj=first, changes={"a": [1, 2]}
    )
    written = audit_record_bulk(
        actor=personas.provincial_a,
        action="update",
        entries=[(first, {"a": [1, 2]}), (second, None)],
    )
    assert len(written) == 2
    fields = ("actor_id", "action", "object_type", "object_id", "object_repr", "changes")
    bulk = list(AuditEntry.objects.filter(pk__gt=one.pk).order_by("pk").values_list(*fields))
    assert bulk[0] == tuple(getattr(one, f) for f in fields)
    assert bulk[1][3:] == (str(second.pk), str(second)[:200], {})
    assert audit_record_bulk(actor=None, action="create", entries=[]) == []
