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


from pilotage.indicators.reports import REPORT_KIND, report_build  # noqa: E402
from pilotage.indicators.reports import RESULT_LABELS as _REPORT_LABELS  # noqa: E402

RESULT_LABELS.update(_REPORT_LABELS)


@job_kind(REPORT_KIND, label=_("Rapport de performance"))
def report_job(progress: Progress, **params: Any) -> dict[str, Any]:
    """A unit's performance report as a PDF (see ``reports.report_build``)."""
    return report_build(progress, **params)
