"""The cooperation app's background work (found by :mod:`pilotage.core.jobs`): the
finance imports."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from pilotage.cooperation.imports import RATES, TRANSACTIONS
from pilotage.core.imports import import_kind_register

import_kind_register(RATES)
import_kind_register(TRANSACTIONS)

RESULT_LABELS = {
    "created": _("Créés"),
    "updated": _("Modifiés"),
    "unchanged": _("Inchangés"),
}
