"""The work plans and consultants' demo step, on the cooperation fixture's ImaginEcole
(same programme code as the demo's), with the demo accounts it looks for."""

from __future__ import annotations

import pytest

from pilotage.conftest import _person
from pilotage.cooperation.models import (
    Activity,
    DeliverableStatus,
    MemberRole,
    ReportStatus,
    WorkplanRevision,
)
from pilotage.cooperation.roles import CONSULTANT, PROGRAMME_MANAGER
from pilotage.cooperation.selectors.workplans import revisions_compare
from pilotage.demo.context import SCALES, Context
from pilotage.demo.coop_workplans import create_workplans

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_demo_step(coop):
    manager = _person("coop.programme", PROGRAMME_MANAGER, coop.personas.country)
    coop.imagine.members.create(user=manager, role=MemberRole.MANAGER)
    consultant = _person("consultant.senegal", CONSULTANT, coop.senegal)
    create_workplans(Context(scale=SCALES["small"], seed=1))
    assert Activity.objects.filter(programme=coop.imagine).count() == 8
    first, second = WorkplanRevision.objects.filter(programme=coop.imagine).order_by("number")
    changed = {c.code for c in revisions_compare(first, second).changed}
    assert "A1.4" in changed and "A1.1" in changed
    statuses = sorted(
        consultant.consultant_profile.contracts.get().deliverables.values_list("status", flat=True)
    )
    assert statuses == sorted(
        [DeliverableStatus.VALIDATED, DeliverableStatus.UNDER_REVIEW, DeliverableStatus.PENDING]
    )
    reports = consultant.consultant_profile.contracts.get().reports
    assert sorted(reports.values_list("status", flat=True)) == [
        ReportStatus.APPROVED,
        ReportStatus.SUBMITTED,
    ]
    # A second run adds nothing.
    create_workplans(Context(scale=SCALES["small"], seed=1))
    assert Activity.objects.filter(programme=coop.imagine).count() == 8
