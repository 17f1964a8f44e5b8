"""The demo's steering step: targets with every status at every level, action plans with
overdue and corrective actions, and aggregate data with gaps, violations and approvals."""

import random
from collections import Counter
from unittest import mock

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from pilotage.accounts.models import User
from pilotage.demo import generate
from pilotage.demo.context import SCALES, Context
from pilotage.demo.steering import ELEMENTS, create_steering, target_for
from pilotage.demo.tests.conftest import TEST_HASHERS
from pilotage.indicators.engine import compute
from pilotage.indicators.models import (
    Action,
    ActionNote,
    ActionStatus,
    DataApproval,
    DataSet,
    DataSetReport,
    DataValue,
    Direction,
    Objective,
    Status,
    Target,
    ValidationViolation,
)
from pilotage.indicators.models.actions import overdue_q
from pilotage.indicators.quality.approval import approval_locks
from pilotage.indicators.quality.completeness import completeness_for
from pilotage.indicators.quality.rules import rules_run
from pilotage.indicators.targets import attach_targets, status_of
from pilotage.orgunits.models import AcademicYear, OrgUnit, Period

# Read at import, before the demo's autouse fixture takes the facts and steering out.
FULL_STEPS = list(generate.STEPS)
LEVELS = ("MA", "MA-01", "MA-TNG")
ALL_STATUSES = {Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK}


@pytest.fixture(scope="class")
def steering_demo(django_db_setup, django_db_blocker):
    """The small demo with every step, facts and steering included, once for the class;
    answers the context, whose counts the steps filled."""
    ctx = Context(scale=SCALES["small"], seed=2026)
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=TEST_HASHERS),
        transaction.atomic(),
        mock.patch.object(generate, "STEPS", FULL_STEPS),
    ):
        generate.run_steps(ctx, show_progress=False)
        yield ctx
        transaction.set_rollback(True)


@pytest.fixture
def steering(steering_demo, db):
    return steering_demo


def current_period():
    return Period.objects.get(code=AcademicYear.objects.order_by("-start")[0].code)


def test_the_steering_step_follows_the_facts():
    names = [s.name for s in FULL_STEPS]
    at = names.index("steering")
    assert names[at - 1] == "indicator_facts"
    assert FULL_STEPS[at].run is create_steering
    # Only the cooperation programmes, the contact centre and the surveys come after it:
    # they read no school record's facts.
    assert all(
        n in ("cooperation", "contact", "surveys") or n.startswith(("coop_", "contact_"))
        for n in names[at + 1 :]
    )


@pytest.mark.parametrize("direction", [Direction.HIGHER, Direction.LOWER])
@pytest.mark.parametrize("status", sorted(ALL_STATUSES))
def test_a_target_is_drawn_for_the_status_asked(direction, status):
    rng = random.Random(7)
    for _ in range(200):
        value = rng.uniform(1, 99)
        target, tolerance, got = target_for(rng, value, direction, status, cap=100.0)
        assert got == status == status_of(value, target, tolerance, direction)
        assert tolerance > 0
        assert 0 <= target <= 100


def test_a_capped_target_near_the_cap_is_on_track():
    target, tolerance, got = target_for(
        random.Random(1), 99.99, Direction.HIGHER, Status.OFF_TRACK, cap=100.0
    )
    assert got == Status.ON_TRACK == status_of(99.99, target, tolerance, Direction.HIGHER)
    assert target <= 100


class TestSteeringDemo:
    def test_every_level_has_targets_in_all_three_statuses(self, steering):
        units = [OrgUnit.objects.get(code=code) for code in LEVELS]
        years = list(AcademicYear.objects.order_by("start"))
        statuses: dict[str, Counter] = {code: Counter() for code in LEVELS}
        splits = {
            (code, "sex=F" in key)
            for code, key in Target.objects.values_list("indicator", "dims_key")
        }
        for code, girls in splits:
            values = compute(code, units=units, years=years, by=["sex"] if girls else [])
            attach_targets(code, values)
            for value in values:
                if value.status:
                    statuses[value.unit][value.status] += 1
        for code in LEVELS:
            assert set(statuses[code]) == ALL_STATUSES, (code, statuses[code])
        # Every target found its value: none is left without a status.
        assert sum(sum(c.values()) for c in statuses.values()) == Target.objects.count()

    def test_targets_cover_the_key_indicators_with_baselines_and_some_for_girls(self, steering):
        previous, current = AcademicYear.objects.order_by("start")
        for code in LEVELS:
            indicators = set(
                Target.objects.filter(org_unit__code=code).values_list("indicator", flat=True)
            )
            assert {"ger", "ner", "repetition_rate", "dropout_rate", "pass_rate", "ptr"} <= (
                indicators
            )
            assert Target.objects.filter(
                org_unit__code=code, indicator="ger", dims_key="cycle=primaire"
            ).exists()
        this_year = Target.objects.filter(academic_year=current)
        assert this_year.exists()
        assert not this_year.filter(baseline__isnull=True).exists()
        assert set(this_year.values_list("baseline_year", flat=True)) == {previous.pk}
        # The flow rates exist for the previous year only: their targets are set there.
        assert set(
            Target.objects.filter(indicator="dropout_rate").values_list("academic_year", flat=True)
        ) == {previous.pk}
        girls = Target.objects.filter(dims_key__startswith="sex=F")
        assert 0 < girls.count() < Target.objects.count() / 4
        assert steering.counts["targets"] == Target.objects.count()

    def test_action_plans_have_overdue_corrective_and_mixed_actions(self, steering):
        today = timezone.localdate()
        objectives = list(Objective.objects.select_related("org_unit"))
        assert sorted(o.org_unit.code for o in objectives) == sorted(LEVELS)
        for objective in objectives:
            assert objective.actions.count() >= 2
            assert objective.target is not None
            assert objective.target.indicator == objective.indicator
        overdue = Action.objects.filter(overdue_q(today))
        assert overdue.exists()
        assert Action.objects.exclude(overdue_q(today)).exists()
        corrective = Action.objects.filter(gap_target__isnull=False)
        assert corrective.exists()
        assert set(corrective.values_list("gap_status", flat=True)) <= {
            Status.AT_RISK,
            Status.OFF_TRACK,
        }
        assert set(Action.objects.values_list("status", flat=True)) == set(ActionStatus.values)
        assert not Action.objects.filter(status=ActionStatus.DONE).exclude(progress=100).exists()
        owners = set(Action.objects.values_list("owner__username", flat=True))
        assert {"dp.tanger", "region.tanger", "directeur"} <= owners
        assert Action.objects.filter(budget__gt=0).exists()
        assert ActionNote.objects.exists()
        assert steering.counts["actions"] == Action.objects.count()
        assert steering.counts["corrective_actions"] == corrective.count()

    def test_most_schools_report_some_are_missing_and_some_late(self, steering):
        period = current_period()
        data_set = DataSet.objects.get(code="enquete-rentree")
        assert data_set.elements.count() == len(ELEMENTS)
        schools = OrgUnit.objects.filter(depth=5).count()
        reporting = DataValue.objects.filter(period=period).values("org_unit").distinct().count()
        assert 0.85 * schools <= reporting < schools
        assert DataSetReport.objects.filter(period=period).count() == reporting
        admin = User.objects.get(username="admin")
        province = OrgUnit.objects.get(code="MA-TNG")
        total = completeness_for(admin, data_set=data_set, unit=province, periods=[period]).total
        assert total.expected == schools
        assert total.received == reporting
        assert 0 < total.late < total.received
        assert steering.counts["data_values"] == DataValue.objects.count()

    def test_the_validation_rules_find_a_few_violating_schools(self, steering):
        period = current_period()
        stored = set(ValidationViolation.objects.values_list("rule__code", "org_unit_id"))
        found = rules_run(org_unit=OrgUnit.objects.get(code="MA"), period=period)
        assert {(v.rule.code, v.org_unit_id) for v in found} == stored
        assert {code for code, _unit in stored} == {"salles-utilisables", "toilettes-presentes"}
        assert len(stored) < OrgUnit.objects.filter(depth=5).count() / 5
        rooms = ValidationViolation.objects.filter(rule__code="salles-utilisables")[0]
        assert rooms.left_value is not None and rooms.right_value is not None
        assert rooms.left_value > rooms.right_value

    def test_some_schools_are_approved_by_their_provincial_officer(self, steering):
        period = current_period()
        data_set = DataSet.objects.get(code="enquete-rentree")
        approvals = DataApproval.objects.filter(data_set=data_set, period=period)
        schools = OrgUnit.objects.filter(depth=5).count()
        assert 0 < approvals.count() < schools
        assert set(approvals.values_list("org_unit__depth", flat=True)) == {5}
        assert set(approvals.values_list("approved_by__username", flat=True)) == {"dp.tanger"}
        # The home province stays open for the demo accounts to enter and approve.
        province = OrgUnit.objects.get(code="MA-TNG")
        assert not approval_locks(data_set, province, period)
        assert approval_locks(data_set, approvals[0].org_unit, period)
        assert steering.counts["approvals"] == approvals.count()
