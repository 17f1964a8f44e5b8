"""The official ages of the cycles (``CycleSetting``): a national decision, audited; the
facts count pupils of those ages, so a change queues their rebuild."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pilotage.core.audit import UPDATE, audit_record
from pilotage.core.jobs import job_start
from pilotage.indicators.models import CycleSetting
from pilotage.indicators.permissions import can_manage_catalogue

# Bounds that catch a typing slip (60 for 6) without ruling out another country's system.
AGES = range(3, 26)
DURATIONS = range(1, 10)


@transaction.atomic
def cycle_setting_update(
    *, actor: Any, setting: CycleSetting, entry_age: int | None = None, duration: int | None = None
) -> CycleSetting:
    if actor is not None and not can_manage_catalogue(actor):
        raise PermissionDenied
    stored = CycleSetting.objects.select_for_update().get(pk=setting.pk)
    before = {"entry_age": stored.entry_age, "duration": stored.duration}
    if entry_age is not None:
        if entry_age not in AGES:
            raise ValidationError(
                {"entry_age": _("Âge d'entrée entre %(lo)s et %(hi)s ans.") % {"lo": 3, "hi": 25}}
            )
        stored.entry_age = entry_age
    if duration is not None:
        if duration not in DURATIONS:
            raise ValidationError(
                {"duration": _("Durée entre %(lo)s et %(hi)s ans.") % {"lo": 1, "hi": 9}}
            )
        stored.duration = duration
    after = {"entry_age": stored.entry_age, "duration": stored.duration}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if not changes:
        return stored
    stored.save(update_fields=list(changes))
    audit_record(actor=actor, action=UPDATE, obj=stored, changes=changes)  # national: ""
    if actor is not None:
        from pilotage.indicators.tasks import REBUILD

        job_start(actor=actor, kind=REBUILD, params={})
    return stored
