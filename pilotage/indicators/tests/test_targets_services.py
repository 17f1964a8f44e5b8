"""Setting targets: who may, what is checked, concurrent edits; every refusal leaves the
targets and the audit log as they were."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilotage.core.models import AuditEntry
from pilotage.core.tests.support import unchanged
from pilotage.indicators.models import Target
from pilotage.indicators.services.targets import (
    TargetConflict,
    TargetData,
    target_delete,
    target_set,
)
from pilotage.indicators.tests.steering import Steering, set_target, steering_setup


@pytest.fixture
def steering(personas) -> Steering:  # type: ignore[no-untyped-def]
    return steering_setup(personas)


def _data(s, **kw) -> TargetData:  # type: ignore[no-untyped-def]
    values = {
        "indicator": "pass_rate",
        "org_unit": s.p.school_a,
        "academic_year": s.year,
        "disaggregation": {},
        "target": Decimal("80"),
        "tolerance": Decimal("5"),
    }
    values.update(kw)
    return TargetData(**values)


def test_a_provincial_officer_sets_and_changes_a_target(steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    target = target_set(
        actor=s.p.provincial_a,
        data=_data(s, baseline=Decimal("70"), baseline_year=s.previous),
        version=0,
    )
    assert (target.target, target.direction, target.version) == (Decimal("80"), "higher", 1)
    entry = AuditEntry.objects.get(action="create", object_type="indicators.target")
    assert entry.changes["target"] == [None, "80.0000"] and entry.path == s.p.school_a.path
    changed = target_set(actor=s.p.provincial_a, data=_data(s, target=Decimal("85")), version=1)
    assert changed.pk == target.pk and changed.version == 2 and changed.target == Decimal("85")
    update = AuditEntry.objects.get(action="update", object_type="indicators.target")
    assert update.changes["target"] == ["80.0000", "85.0000"]
    assert update.changes["baseline"] == ["70.0000", None]


def test_saving_the_same_values_writes_nothing(steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    target = target_set(actor=s.p.provincial_a, data=_data(s))
    with unchanged(Target):
        target_set(actor=s.p.provincial_a, data=_data(s), version=target.version)


def test_a_stale_form_is_refused(steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    target_set(actor=s.p.provincial_a, data=_data(s))
    target_set(actor=s.p.regional_officer, data=_data(s, target=Decimal("82")), version=1)
    with unchanged(Target), pytest.raises(TargetConflict):
        target_set(actor=s.p.provincial_a, data=_data(s, target=Decimal("90")), version=1)
    # a "new target" form whose target someone else created meanwhile
    with unchanged(Target), pytest.raises(TargetConflict):
        target_set(actor=s.p.provincial_a, data=_data(s, target=Decimal("90")), version=0)


@pytest.mark.parametrize("who", ["provincial_b", "head_a", "teacher_a1", "agent"])
def test_outsiders_and_school_heads_cannot_set_targets(steering, who) -> None:  # type: ignore[no-untyped-def]
    s = steering
    with unchanged(Target), pytest.raises(PermissionDenied):
        target_set(actor=getattr(s.p, who), data=_data(s))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"indicator": "nope"}, "indicator"),
        ({"disaggregation": {"milieu": "lunaire"}}, "disaggregation"),
        ({"indicator": "ptr", "disaggregation": {"sex": "F"}}, "disaggregation"),
        ({"tolerance": Decimal("-1")}, "tolerance"),
        ({"direction": "sideways"}, "direction"),
        ({"baseline": Decimal("70")}, "baseline_year"),
    ],
)
def test_bad_values_are_refused_with_the_field(steering, change, field) -> None:  # type: ignore[no-untyped-def]
    s = steering
    with unchanged(Target), pytest.raises(ValidationError) as caught:
        target_set(actor=s.p.national_admin, data=_data(s, **change))
    assert field in caught.value.message_dict


def test_a_baseline_after_the_target_year_is_refused(steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    with unchanged(Target), pytest.raises(ValidationError) as caught:
        target_set(
            actor=s.p.national_admin,
            data=_data(s, academic_year=s.previous, baseline=Decimal(1), baseline_year=s.year),
        )
    assert "baseline_year" in caught.value.message_dict


def test_delete_is_audited_and_refused_to_outsiders(steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    target = set_target(s, indicator="pass_rate", target="80")
    with unchanged(Target), pytest.raises(PermissionDenied):
        target_delete(actor=s.p.provincial_b, target=target)
    target_delete(actor=s.p.provincial_a, target=target)
    assert not Target.objects.exists()
    assert AuditEntry.objects.filter(action="delete", object_type="indicators.target").exists()
