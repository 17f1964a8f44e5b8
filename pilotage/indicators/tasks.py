"""The indicators app's background jobs (found by :mod:`pilotage.core.jobs`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from pilotage.core.imports import import_kind_register
from pilotage.indicators.imports import AGGREGATES, POPULATION

RESULT_LABELS = {
    "deleted": _("Effacés"),
}

# The aggregate data and population imports run as jobs through the kernel's pipeline.
for _kind in (AGGREGATES, POPULATION):
    import_kind_register(_kind)
