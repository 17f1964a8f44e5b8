"""Setting and removing when mark entry closes. One deadline locks every sheet of every
school below its unit (``marks.sheet_deadline``: the deepest unit wins), so each change is
permission-checked and audited like any other write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from pilotage.core.audit import audit_record
from pilotage.orgunits.models import OrgUnit, Semester
from pilotage.schooling.models import MarkDeadline
from pilotage.schooling.permissions import can_set_deadline


def _when(value: dt.datetime) -> str:
    """In the ministry's time zone, whichever the database gave back."""
    return timezone.localtime(value).isoformat()


@transaction.atomic
def deadline_set(
    *,
    actor: Any,
    semester: Semester,
    org_unit: OrgUnit,
    closes_at: dt.datetime,
    check: bool = True,
) -> MarkDeadline:
    """Create the deadline of ``semester`` on ``org_unit``, or move it. ``check=False`` is
    for the Django admin, whose own permissions stand in for the actor's roles."""
    if check and not can_set_deadline(actor, org_unit):
        raise PermissionDenied
    deadline = (
        MarkDeadline.objects.select_for_update()
        .filter(semester=semester, org_unit=org_unit)
        .first()
    )
    before = None if deadline is None else _when(deadline.closes_at)
    if deadline is None:
        deadline = MarkDeadline(semester=semester, org_unit=org_unit, closes_at=closes_at)
        deadline.full_clean()
        deadline.save()
        changes = {
            "semester": [None, str(semester.pk)],
            "org_unit": [None, str(org_unit.pk)],
            "closes_at": [None, _when(closes_at)],
        }
        audit_record(actor=actor, action="create", obj=deadline, changes=changes)
        return deadline
    if deadline.closes_at == closes_at:
        return deadline
    deadline.closes_at = closes_at
    deadline.full_clean()
    deadline.save(update_fields=["closes_at"])
    audit_record(
        actor=actor,
        action="update",
        obj=deadline,
        changes={"closes_at": [before, _when(closes_at)]},
    )
    return deadline


@transaction.atomic
def deadline_remove(*, actor: Any, deadline: MarkDeadline, check: bool = True) -> None:
    """Sheets below the unit then follow the next deadline up the tree, if any."""
    deadline = (
        MarkDeadline.objects.select_for_update(of=("self",))
        .select_related("org_unit")
        .get(pk=deadline.pk)
    )
    if check and not can_set_deadline(actor, deadline.org_unit):
        raise PermissionDenied
    audit_record(
        actor=actor,
        action="delete",
        obj=deadline,
        changes={
            "semester": [str(deadline.semester_id), None],
            "org_unit": [str(deadline.org_unit_id), None],
            "closes_at": [_when(deadline.closes_at), None],
        },
    )
    deadline.delete()
