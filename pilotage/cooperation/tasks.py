"""The cooperation app's background work (found by :mod:`pilotage.core.jobs`): its
imports and the agreements' reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from pilotage.cooperation.imports.actions import ACTIONS
from pilotage.cooperation.imports.finance import RATES, TRANSACTIONS
from pilotage.core.imports import import_kind_register
from pilotage.core.jobs import Progress, job_kind

import_kind_register(ACTIONS)
import_kind_register(RATES)
import_kind_register(TRANSACTIONS)

# --- agreements ---
REMIND = "cooperation.remind"

RESULT_LABELS = {
    "created": _("Créés"),
    "updated": _("Modifiés"),
    "unchanged": _("Inchangés"),
    "reminders": _("Rappels d'échéance dus"),
    "emails": _("Courriels envoyés"),
    "no_email": _("Obligations sans destinataire"),
    "failed": _("Envois échoués"),
}


@job_kind(REMIND, label=_("Rappels des échéances des accords"))
def remind_job(progress: Progress, today: str | None = None, **_params: Any) -> dict[str, Any]:
    """E-mails the owners and partner contacts of the obligations whose reminder is due
    (see ``services.agreements.reminders_send``); each reminder goes once."""
    from pilotage.cooperation.services.agreements import reminders_send

    return reminders_send(today=dt.date.fromisoformat(today) if today else None)
