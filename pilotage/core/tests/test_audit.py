from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from pilotage.accounts.services import role_assign
from pilotage.core.audit import (
    OTHER,
    UPDATE,
    audit_action,
    audit_action_label,
    audit_record,
    audit_rows,
    diff,
)
from pilotage.core.models import AuditEntry
from pilotage.orgunits.services import orgunit_create, orgunit_update, school_save
from pilotage.schooling.audit import DECIDE
from pilotage.schooling.roles import SCHOOL_HEAD

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


def test_an_entry_carries_the_path_of_its_object(personas) -> None:  # type: ignore[no-untyped-def]
    orgunit_update(
        actor=personas.provincial_a, org_unit=personas.fresh(personas.commune_a), name_fr="X"
    )
    school_save(
        actor=personas.head_a,
        org_unit=personas.school_a,
        school_code="04101Z",
        cycles=["primaire"],
        sector="public",
        milieu="rural",
    )
    assignment = role_assign(
        actor=None, user=personas.teacher_a1, role=SCHOOL_HEAD, org_unit=personas.school_b
    )
    assert [e.path for e in AuditEntry.objects.order_by("-id")[:3]] == [
        personas.school_b.path,
        personas.school_a.path,
        personas.commune_a.path,
    ]
    assert assignment.audit_path == personas.school_b.path


def test_an_explicit_path_wins_and_an_object_outside_the_tree_has_none(personas) -> None:  # type: ignore[no-untyped-def]
    entry = audit_record(actor=None, action=OTHER, obj=personas.country, path="0009")
    assert entry.path == "0009"
    assert audit_record(actor=None, action=OTHER, obj=personas.head_a).path == ""


def test_recording_an_unregistered_action_fails(personas) -> None:  # type: ignore[no-untyped-def]
    before = AuditEntry.objects.count()
    with pytest.raises(LookupError):
        audit_record(actor=None, action="forged", obj=personas.country)
    assert AuditEntry.objects.count() == before


def test_actions_are_registered_once_with_their_label() -> None:
    assert audit_action_label(DECIDE) == "Décision du conseil"
    assert audit_action("decide", "Décision du conseil") == "decide"
    with pytest.raises(ValueError):
        audit_action("decide", "Autre chose")
    assert audit_action_label("never-registered") == "never-registered"


def test_rows_read_as_a_person_would(personas, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    level = personas.commune_a.level
    unit = orgunit_create(
        actor=personas.provincial_a,
        parent=personas.province_a,
        level=level,
        code="MA-TNG-C002",
        name_fr="Commune de Boukhalef",
    )
    orgunit_update(actor=personas.provincial_a, org_unit=unit, is_active=False)
    entries = list(AuditEntry.objects.select_related("actor").order_by("-id")[:2])
    # the units' codes for the links, the levels' names
    with django_assert_num_queries(2):
        updated, created = audit_rows(entries)
    assert updated.type_label == "unité d'organisation"
    assert updated.url == f"/orgunits/{unit.code}/"
    assert updated.actor_name == personas.provincial_a.get_full_name()
    active = str(unit._meta.get_field("is_active").verbose_name)
    assert [(c.label, c.old, c.new) for c in updated.changes] == [(active, "Oui", "Non")]
    shown = {c.label: (c.old, c.new) for c in created.changes}
    assert shown["niveau"] == (None, str(level))
    assert shown["nom (français)"] == (None, "Commune de Boukhalef")


def test_choices_show_their_label_in_the_readers_language(personas) -> None:  # type: ignore[no-untyped-def]
    from django.utils import translation

    audit_record(
        actor=None,
        action=UPDATE,
        obj=personas.school_a.school,
        changes={"milieu": ["urbain", "rural"], "source": [None, "fichier.csv"]},
    )
    with translation.override("en"):
        [row] = audit_rows(AuditEntry.objects.order_by("-id")[:1])
    assert [(c.label, c.old, c.new) for c in row.changes] == [
        ("area", "Urban", "Rural"),
        ("source", None, "fichier.csv"),
    ]


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
