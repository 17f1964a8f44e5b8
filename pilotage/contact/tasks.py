"""The contact centre's background work (found by :mod:`pilotage.core.jobs`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from pilotage.core.jobs import Progress, job_kind

RESULT_LABELS = {
    "tickets": _("Tickets lus"),
    "rows": _("Lignes de statistiques"),
}

# --- statistics ---
STATS_REBUILD = "contact.stats_rebuild"


@job_kind(STATS_REBUILD, label=_("Recalcul des statistiques du centre de contact"))
def stats_rebuild_job(progress: Progress, **_params: Any) -> dict[str, Any]:
    from pilotage.contact.services.stats import stats_rebuild

    return stats_rebuild()
