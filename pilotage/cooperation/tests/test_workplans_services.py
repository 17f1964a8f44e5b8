"""Writing the work plan: activities under outputs, progress by whoever may report it,
revisions kept with their history, links to the cash-flow plan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilotage.cooperation.models import (
    Activity,
    Budget,
    PlannedDisbursement,
    PlanRevision,
    WorkplanRevision,
    WorkStatus,
)
from pilotage.cooperation.selectors.workplans import (
    activities_cashflow,
    comparison_display,
    revisions_compare,
)
from pilotage.cooperation.services.common import Conflict
from pilotage.cooperation.services.workplans import (
    activity_create,
    activity_disbursements_set,
    activity_progress_set,
    activity_update,
    workplan_revise,
)
from pilotage.cooperation.tests.workplans_support import plan_build
from pilotage.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _fields(output, **kw):
    return {
        "code": "B1",
        "title_fr": "Atelier",
        "output": output,
        "start_date": dt.date(2026, 2, 1),
        "end_date": dt.date(2026, 2, 28),
        **kw,
    }


def test_an_activity_hangs_from_an_output_of_its_programme(coop):
    plan = plan_build(coop)
    made = activity_create(actor=coop.manager, programme=coop.imagine, **_fields(plan.output_1))
    assert made.version == 1 and AuditEntry.objects.filter(object_id=str(made.pk)).exists()
    before = (Activity.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as refused:
        activity_create(
            actor=coop.manager, programme=coop.imagine, **_fields(plan.outcome, code="B2")
        )
    assert "output" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        activity_create(
            actor=coop.manager, programme=coop.imagine, **_fields(plan.output_1, code="B1")
        )
    assert "code" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        activity_create(
            actor=coop.manager,
            programme=coop.imagine,
            **_fields(plan.output_1, code="B3", end_date=dt.date(2026, 1, 1)),
        )
    assert "end_date" in refused.value.message_dict
    assert (Activity.objects.count(), AuditEntry.objects.count()) == before


def test_only_the_programmes_managers_edit_the_plan(coop):
    plan = plan_build(coop)
    before = (Activity.objects.count(), AuditEntry.objects.count())
    for outsider in (coop.manager_b, coop.coordinator_sn, coop.consultant, coop.finance):
        with pytest.raises(PermissionDenied):
            activity_create(actor=outsider, programme=coop.imagine, **_fields(plan.output_1))
        with pytest.raises(PermissionDenied):
            activity_update(actor=outsider, activity=plan.sn, version=1, title_fr="X")
        with pytest.raises(PermissionDenied):
            workplan_revise(actor=outsider, programme=coop.imagine, note="")
    assert (Activity.objects.count(), AuditEntry.objects.count()) == before
    assert not WorkplanRevision.objects.exists()
    plan.sn.refresh_from_db()
    assert plan.sn.title_fr == "Activité A1"


def test_the_coordinator_reports_progress_of_their_countrys_activities_only(coop):
    plan = plan_build(coop)
    done = activity_progress_set(
        actor=coop.coordinator_sn, activity=plan.sn, version=1, progress=40
    )
    assert (done.progress, done.status, done.version) == (40, WorkStatus.ONGOING, 2)
    before = AuditEntry.objects.count()
    for outsider, activity in (
        (coop.coordinator_ml, plan.sn),
        (coop.coordinator_sn, plan.ml),
        (coop.coordinator_sn, plan.regional),
        (coop.manager_b, plan.ml),
    ):
        with pytest.raises(PermissionDenied):
            activity_progress_set(actor=outsider, activity=activity, version=None, progress=90)
    assert AuditEntry.objects.count() == before
    plan.ml.refresh_from_db()
    assert plan.ml.progress == 0
    # The consultant responsible for A1 reports it too; 100 % marks it done.
    done = activity_progress_set(actor=coop.consultant, activity=plan.sn, version=2, progress=100)
    assert done.status == WorkStatus.DONE


def test_progress_refuses_a_stale_form_and_out_of_range_values(coop):
    plan = plan_build(coop)
    activity_progress_set(actor=coop.manager, activity=plan.sn, version=1, progress=10)
    with pytest.raises(Conflict):
        activity_progress_set(actor=coop.manager, activity=plan.sn, version=1, progress=20)
    with pytest.raises(ValidationError):
        activity_progress_set(actor=coop.manager, activity=plan.sn, version=2, progress=120)
    plan.sn.refresh_from_db()
    assert (plan.sn.progress, plan.sn.version) == (10, 2)


def test_revisions_keep_the_plan_as_it_was_and_compare(coop):
    plan = plan_build(coop)
    first = workplan_revise(actor=coop.manager, programme=coop.imagine, note="Démarrage")
    assert first.number == 1 and set(first.snapshot) == {"A1", "A2", "A3"}
    activity_update(actor=coop.manager, activity=plan.sn, version=1, end_date=dt.date(2026, 4, 30))
    activity_progress_set(actor=coop.manager, activity=plan.ml, version=1, progress=50)
    plan.regional.delete()
    activity_create(actor=coop.manager, programme=coop.imagine, **_fields(plan.output_2))
    second = workplan_revise(actor=coop.manager, programme=coop.imagine, note="Quinzaine 2")
    assert second.number == 2
    first.refresh_from_db()
    assert first.snapshot["A1"]["end_date"] == "2026-03-31"  # history not rewritten
    result = revisions_compare(first, second)
    assert [c.code for c in result.added] == ["B1"]
    assert [c.code for c in result.removed] == ["A3"]
    changed = {c.code: c.fields for c in result.changed}
    assert changed["A1"] == [("end_date", "2026-03-31", "2026-04-30")]
    assert ("progress", 0, 50) in changed["A2"] and ("status", "planned", "ongoing") in changed[
        "A2"
    ]
    activity_update(actor=coop.manager, activity=plan.sn, version=2, project=coop.project_ml)
    third = workplan_revise(actor=coop.manager, programme=coop.imagine, note="")
    shown = revisions_compare(second, third)
    comparison_display(shown)
    assert shown.changed[0].fields == [("project", "imagine-sn", "imagine-ml")]
    shown = revisions_compare(first, second)
    comparison_display(shown)
    assert ("status", "Prévue", "En cours") in {c.code: c.fields for c in shown.changed}["A2"]
    # A coordinator's comparison shows only the activities they see.
    only_sn = revisions_compare(first, second, visible={"A1"})
    assert [c.code for c in only_sn.changed] == ["A1"] and not only_sn.added


def _plan_revision(project, number, amounts):
    revision = PlanRevision.objects.create(project=project, number=number)
    return [
        PlannedDisbursement.objects.create(
            revision=revision,
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 3, 31),
            amount=Decimal(a),
            currency=c,
            value_date=dt.date(2026, 1, 1),
        )
        for a, c in amounts
    ]


def test_the_cash_flow_per_activity_counts_only_the_latest_plan_revision(coop):
    """Worked example: revision 1 plans 1 000 EUR for A1; revision 2 re-plans it as
    1 500 EUR + 500 EUR and 300 XOF. The activity shows 2 000 EUR and 300 XOF, not 3 000."""
    plan = plan_build(coop)
    (old,) = _plan_revision(coop.project_sn, 1, [("1000", "EUR")])
    new = _plan_revision(coop.project_sn, 2, [("1500", "EUR"), ("500", "EUR"), ("300", "XOF")])
    activity_disbursements_set(actor=coop.manager, activity=plan.sn, disbursements=[old, *new])
    assert activities_cashflow([plan.sn, plan.ml]) == {
        plan.sn.pk: [("EUR", Decimal("2000.00")), ("XOF", Decimal("300.00"))]
    }


def test_an_activity_links_only_its_own_projects_disbursements(coop):
    plan = plan_build(coop)
    (ml_line,) = _plan_revision(coop.project_ml, 1, [("10", "EUR")])
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        activity_disbursements_set(actor=coop.manager, activity=plan.sn, disbursements=[ml_line])
    with pytest.raises(PermissionDenied):
        activity_disbursements_set(
            actor=coop.coordinator_ml, activity=plan.ml, disbursements=[ml_line]
        )
    assert AuditEntry.objects.count() == before and not plan.sn.disbursement_links.exists()
    assert not plan.ml.disbursement_links.exists()


def test_an_activitys_budget_line_is_kept(coop):
    plan = plan_build(coop)
    budget = Budget.objects.create(
        project=coop.project_sn,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        amount=Decimal("1000"),
        currency="EUR",
        value_date=dt.date(2026, 1, 1),
    )
    line = budget.lines.create(code="F1", label="Formation", amount=Decimal("400"))
    activity_update(actor=coop.manager, activity=plan.sn, version=1, budget_line=line)
    plan.sn.refresh_from_db()
    assert plan.sn.budget_line == line and plan.sn.version == 2
