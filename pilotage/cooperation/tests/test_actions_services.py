"""Partner actions: who may write which action (the rule in permissions.py), and what a
write records. Every denied path asserts that nothing changed (rows, audit entries)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilotage.cooperation import permissions as perms
from pilotage.cooperation.models import PartnerAction
from pilotage.cooperation.services.actions import action_create, action_delete, action_update
from pilotage.cooperation.services.common import Conflict
from pilotage.core.models import AuditEntry
from pilotage.orgunits.tests.factories import make_unit

pytestmark = pytest.mark.django_db


def fields(coop: Any, **kw: Any) -> dict[str, Any]:
    base = {
        "partner": coop.unesco,
        "country": coop.senegal,
        "title": "Formation des directeurs",
        "topic": "teacher_training",
        "beneficiary_type": "teachers",
        "planned": 400,
        "planned_female": 180,
        "start_date": dt.date(2026, 1, 15),
        "status": "ongoing",
    }
    base.update(kw)
    return base


def make(coop: Any, **kw: Any) -> PartnerAction:
    return action_create(actor=coop.head, **fields(coop, **kw))


def unchanged(before: tuple[int, int]) -> bool:
    return counts() == before


def counts() -> tuple[int, int]:
    """Actions and audit entries (logins of the test client aside)."""
    return PartnerAction.objects.count(), AuditEntry.objects.exclude(action="login").count()


def test_partner_creates_its_own_action_with_regions(coop):
    action = action_create(actor=coop.partner_user, subdivisions=[coop.dakar], **fields(coop))
    assert action.updated_by == coop.partner_user and action.version == 1
    assert list(action.subdivisions.all()) == [coop.dakar]
    entry = AuditEntry.objects.filter(
        object_type="cooperation.partneraction", object_id=str(action.pk)
    ).get()
    assert entry.changes["subdivisions"] == [None, ["SN-DK"]]


def test_partner_cannot_create_for_another_partner(coop):
    before = counts()
    with pytest.raises(PermissionDenied):
        action_create(actor=coop.partner_user, **fields(coop, partner=coop.oif))
    assert unchanged(before)


def test_partner_cannot_edit_another_partners_action(coop):
    action = make(coop, partner=coop.oif)
    before = counts()
    with pytest.raises(PermissionDenied):
        action_update(actor=coop.partner_user, action=action, version=1, title="Pris")
    with pytest.raises(PermissionDenied):
        action_delete(actor=coop.partner_user, action=action, version=1)
    assert unchanged(before)
    action.refresh_from_db()
    assert action.title == "Formation des directeurs" and action.version == 1


def test_partner_cannot_hand_its_action_to_another_partner(coop):
    action = make(coop)
    before = counts()
    with pytest.raises(PermissionDenied):
        action_update(actor=coop.partner_user, action=action, version=1, partner=coop.oif)
    assert unchanged(before)
    action.refresh_from_db()
    assert action.partner == coop.unesco


def test_coordinator_edits_only_in_their_country(coop):
    in_sn = make(coop, partner=coop.oif)
    in_ml = make(coop, partner=coop.oif, country=coop.mali, title="Au Mali")
    action_update(actor=coop.coordinator_sn, action=in_sn, version=1, reached=12)
    before = counts()
    with pytest.raises(PermissionDenied):
        action_update(actor=coop.coordinator_sn, action=in_ml, version=1, reached=12)
    with pytest.raises(PermissionDenied):
        # Moving one of theirs out of their country is refused as well.
        action_update(actor=coop.coordinator_sn, action=in_sn, version=2, country=coop.mali)
    with pytest.raises(PermissionDenied):
        action_create(actor=coop.coordinator_sn, **fields(coop, country=coop.mali))
    assert unchanged(before)
    in_sn.refresh_from_db()
    assert in_sn.country == coop.senegal and in_sn.reached == 12


@pytest.mark.parametrize("who", ["finance", "consultant"])
def test_readers_do_not_write(coop, who):
    action = make(coop)
    before = counts()
    actor = getattr(coop, who)
    assert perms.can_view_actions(actor) and not perms.can_add_actions(actor)
    with pytest.raises(PermissionDenied):
        action_create(actor=actor, **fields(coop, title="Autre"))
    with pytest.raises(PermissionDenied):
        action_update(actor=actor, action=action, version=1, title="Pris")
    assert unchanged(before)


def test_school_roles_see_nothing(coop):
    head_a = coop.personas.head_a
    assert not perms.can_view_actions(head_a) and not perms.can_add_actions(head_a)
    before = counts()
    with pytest.raises(PermissionDenied):
        action_create(actor=head_a, **fields(coop))
    assert unchanged(before)


def test_regions_must_lie_in_the_country(coop):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        action_create(actor=coop.head, subdivisions=[coop.bamako], **fields(coop))
    assert "ML-BKO" in str(exc.value.message_dict["subdivisions"])
    assert unchanged(before)


def test_a_subdivision_below_the_first_level_is_refused(coop):
    commune = make_unit(coop.dakar, code="SN-DK-01", name_fr="Plateau")
    before = counts()
    with pytest.raises(ValidationError):
        action_create(actor=coop.head, subdivisions=[commune], **fields(coop))
    assert unchanged(before)


def test_country_must_be_a_root(coop):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        action_create(actor=coop.head, **fields(coop, country=coop.dakar))
    assert "country" in exc.value.message_dict
    assert unchanged(before)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"planned_female": 500}, "planned_female"),
        ({"reached_female": 3}, "reached_female"),
        ({"budget_amount": Decimal("1000")}, "budget_currency"),
        ({"budget_amount": Decimal("-1"), "budget_currency": "EUR"}, "budget_amount"),
        ({"end_date": dt.date(2025, 1, 1)}, "end_date"),
        ({"budget_amount": Decimal("10"), "budget_currency": "eur"}, "budget_currency"),
    ],
)
def test_bad_values_are_refused_by_field(coop, extra, field):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        make(coop, **extra)
    assert field in exc.value.message_dict
    assert unchanged(before)


def test_update_bumps_version_and_a_stale_form_conflicts(coop):
    action = make(coop)
    action_update(actor=coop.manager, action=action, version=1, reached=50, reached_female=20)
    action.refresh_from_db()
    assert action.version == 2 and action.updated_by == coop.manager
    before = counts()
    with pytest.raises(Conflict):
        action_update(actor=coop.partner_user, action=action, version=1, reached=60)
    assert unchanged(before)


def test_an_update_that_changes_nothing_writes_nothing(coop):
    action = make(coop)
    before = counts()
    action_update(actor=coop.head, action=action, version=1, title=action.title)
    assert unchanged(before)
    action.refresh_from_db()
    assert action.version == 1


def test_changing_country_clears_the_regions(coop):
    action = action_create(actor=coop.head, subdivisions=[coop.dakar], **fields(coop))
    action_update(actor=coop.head, action=action, version=1, country=coop.mali)
    assert not action.subdivisions.exists()


def test_reference_is_unique_per_partner(coop):
    make(coop, external_ref="R1")
    make(coop, external_ref="R1", partner=coop.oif)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        make(coop, external_ref="R1", title="Autre")
    assert "external_ref" in exc.value.message_dict
    assert unchanged(before)


def test_delete_is_audited(coop):
    action = make(coop)
    action_delete(actor=coop.partner_user, action=action, version=1)
    assert not PartnerAction.objects.exists()
    assert AuditEntry.objects.filter(action="delete", object_id=str(action.pk)).exists()
