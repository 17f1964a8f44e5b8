"""Who reads which part of the audit log: each reader their own subtree, never the sibling
province's; readers outside the list read nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pilotage.core.audit import OTHER, audit_record
from pilotage.core.selectors import audit_entries, audit_object_types

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(personas):  # type: ignore[no-untyped-def]
    """One entry per unit of the tree, and one about an account (outside the tree)."""
    made = {
        name: audit_record(actor=None, action=OTHER, obj=getattr(personas, name))
        for name in ("country", "region_a", "province_a", "school_a", "province_b", "school_b")
    }
    made["account"] = audit_record(actor=None, action=OTHER, obj=personas.head_a)
    return made


def _seen(actor, entries, **filters) -> set[str]:  # type: ignore[no-untyped-def]
    ids = set(audit_entries(actor, **filters).values_list("pk", flat=True))
    return {name for name, entry in entries.items() if entry.pk in ids}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        (
            "national_admin",
            {"country", "region_a", "province_a", "school_a", "province_b", "school_b", "account"},
        ),
        ("regional_officer", {"region_a", "province_a", "school_a"}),
        ("provincial_a", {"province_a", "school_a"}),
        ("provincial_b", {"province_b", "school_b"}),
        ("head_a", {"school_a"}),
        ("head_b", {"school_b"}),
        ("teacher_a1", set()),
        ("parent_a", set()),
        ("agent", set()),
        ("anonymous", set()),
    ],
)
def test_each_reader_sees_their_subtree_only(personas, entries, persona, expected) -> None:  # type: ignore[no-untyped-def]
    assert _seen(getattr(personas, persona), entries) == expected


def test_narrowing_to_a_unit_stays_inside_the_readers_reach(personas, entries) -> None:  # type: ignore[no-untyped-def]
    assert _seen(personas.regional_officer, entries, unit=personas.school_a.code) == {"school_a"}
    assert _seen(personas.provincial_a, entries, unit=personas.province_b.code) == set()
    assert _seen(personas.head_a, entries, unit=personas.province_a.code) == set()
    assert _seen(personas.national_admin, entries, unit="NO-SUCH-UNIT") == set()


def test_date_range_is_inclusive(personas, entries) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    everything = _seen(personas.national_admin, entries)
    assert _seen(personas.national_admin, entries, since=today, until=today) == everything
    assert _seen(personas.national_admin, entries, until=today - dt.timedelta(days=1)) == set()
    assert _seen(personas.national_admin, entries, since=today + dt.timedelta(days=1)) == set()


def test_object_types_are_those_the_reader_may_read_named_by_their_model(personas, entries) -> None:  # type: ignore[no-untyped-def]
    head = audit_object_types(personas.head_a)
    assert ("orgunits.orgunit", "unité d'organisation") in head
    assert "accounts.user" not in dict(head)
    assert ("accounts.user", "utilisateur") in audit_object_types(personas.national_admin)
    assert audit_object_types(personas.teacher_a1) == []
