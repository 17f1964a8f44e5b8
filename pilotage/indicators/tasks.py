"""The indicators' background work (found by :mod:`pilotage.core.jobs`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from pilotage.core.jobs import Progress, job_kind
from pilotage.indicators.facts import facts_rebuild, facts_refresh
from pilotage.orgunits.models import AcademicYear

REBUILD = "indicators.rebuild"

RESULT_LABELS = {
    "years": _("Années recalculées"),
    "pupil_facts": _("Lignes de faits élèves"),
}


@task()
def refresh_facts() -> int:
    """Recompute the school × years the school records marked dirty (see facts.py)."""
    return facts_refresh()


@job_kind(REBUILD, label=_("Recalcul des indicateurs"))
def rebuild_job(progress: Progress, year: str | None = None, **_params: Any) -> dict[str, Any]:
    years = AcademicYear.objects.filter(code=year) if year else None
    return facts_rebuild(years=years, progress=progress)


# -- targets and action plans -------------------------------------------------------------
from pilotage.core.imports import import_kind_register  # noqa: E402
from pilotage.indicators.notifications import notify_overdue  # noqa: E402
from pilotage.indicators.targets_import import TARGETS  # noqa: E402

NOTIFY_OVERDUE = "indicators.notify_overdue"
import_kind_register(TARGETS)
RESULT_LABELS.update(
    {
        "actions": _("Actions en retard signalées"),
        "emails": _("Courriels envoyés"),
        "no_email": _("Personnes sans adresse"),
        "failed": _("Envois échoués"),
    }
)


@job_kind(NOTIFY_OVERDUE, label=_("Relance des actions en retard"))
def notify_overdue_job(progress: Progress, **_params: Any) -> dict[str, Any]:
    return notify_overdue()
