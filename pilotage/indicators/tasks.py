"""The indicators' background work (found by :mod:`pilotage.core.jobs`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from pilotage.core.imports import import_kind_register
from pilotage.core.jobs import Progress, job_kind
from pilotage.indicators.facts import facts_rebuild, facts_refresh
from pilotage.indicators.imports import AGGREGATES, POPULATION
from pilotage.indicators.notifications import notify_overdue
from pilotage.indicators.quality.rules import rules_job
from pilotage.indicators.reports import REPORT_KIND, report_build
from pilotage.indicators.reports import RESULT_LABELS as REPORT_LABELS
from pilotage.indicators.targets_import import TARGETS
from pilotage.orgunits.models import AcademicYear

REBUILD = "indicators.rebuild"
NOTIFY_OVERDUE = "indicators.notify_overdue"

RESULT_LABELS = {
    "years": _("Années recalculées"),
    "pupil_facts": _("Lignes de faits élèves"),
    "violations": _("Violations de règles trouvées"),
    "deleted": _("Effacés"),
    "actions": _("Actions en retard signalées"),
    "emails": _("Courriels envoyés"),
    "no_email": _("Personnes sans adresse"),
    "failed": _("Envois échoués"),
    **REPORT_LABELS,
}

# The aggregate data, population and targets imports run as jobs through the kernel's pipeline.
for _kind in (AGGREGATES, POPULATION, TARGETS):
    import_kind_register(_kind)


@task()
def refresh_facts() -> int:
    """Recompute the school × years the school records marked dirty (see facts.py)."""
    return facts_refresh()


@job_kind(REBUILD, label=_("Recalcul des indicateurs"))
def rebuild_job(progress: Progress, year: str | None = None, **_params: Any) -> dict[str, Any]:
    years = AcademicYear.objects.filter(code=year) if year else None
    return facts_rebuild(years=years, progress=progress)


@job_kind("indicators.validate", label=_("Contrôle des règles de validation"))
def validate_job(
    progress: Progress, unit: str, period: str, actor_id: int | None = None, **_params: Any
) -> dict[str, Any]:
    """The validation rules over a large subtree (the quality page starts it)."""
    return rules_job(progress, unit=unit, period=period, actor_id=actor_id)


@job_kind(NOTIFY_OVERDUE, label=_("Relance des actions en retard"))
def notify_overdue_job(progress: Progress, **_params: Any) -> dict[str, Any]:
    """E-mails the owners of overdue actions and their supervisors (see notifications.py)."""
    return notify_overdue()


@job_kind(REPORT_KIND, label=_("Rapport de performance"))
def report_job(progress: Progress, **params: Any) -> dict[str, Any]:
    """A unit's performance report as a PDF (see ``reports.report_build``)."""
    return report_build(progress, **params)
