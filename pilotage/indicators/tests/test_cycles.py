"""The official ages of the cycles: national, audited, bounded, and the facts rebuilt."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilotage.core.models import AuditEntry, Job
from pilotage.core.tests.support import unchanged
from pilotage.indicators.models import CycleSetting
from pilotage.indicators.services.cycles import cycle_setting_update

pytestmark = pytest.mark.django_db


def test_the_national_administration_changes_a_cycle_and_the_facts_are_rebuilt(personas) -> None:  # type: ignore[no-untyped-def]
    college = CycleSetting.objects.get(cycle="college")
    cycle_setting_update(actor=personas.national_admin, setting=college, duration=4)
    college.refresh_from_db()
    assert (college.entry_age, college.duration, college.last_age) == (12, 4, 15)
    entry = AuditEntry.objects.get(action="update", object_type="indicators.cyclesetting")
    assert entry.changes == {"duration": [3, 4]} and entry.path == ""
    assert Job.objects.filter(kind="indicators.rebuild").count() == 1


@pytest.mark.parametrize("who", ["regional_officer", "provincial_a", "head_a", "agent"])
def test_others_cannot(personas, who) -> None:  # type: ignore[no-untyped-def]
    college = CycleSetting.objects.get(cycle="college")
    with unchanged(CycleSetting, AuditEntry, Job), pytest.raises(PermissionDenied):
        cycle_setting_update(actor=getattr(personas, who), setting=college, entry_age=11)


@pytest.mark.parametrize(("field", "value"), [("entry_age", 60), ("entry_age", 2), ("duration", 0)])
def test_a_typing_slip_is_refused_naming_the_field(personas, field, value) -> None:  # type: ignore[no-untyped-def]
    college = CycleSetting.objects.get(cycle="college")
    with unchanged(CycleSetting, AuditEntry, Job), pytest.raises(ValidationError) as caught:
        cycle_setting_update(actor=personas.national_admin, setting=college, **{field: value})
    assert field in caught.value.message_dict
