"""Writing the narrative of a programme's monthly report (the team's words; the figures are
read from the records when the PDF is made)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from pilotage.cooperation.models import MonthlyReport, Programme
from pilotage.cooperation.permissions import manages
from pilotage.cooperation.services.common import version_check
from pilotage.core.audit import CREATE, UPDATE, audit_record, diff, snapshot

NARRATIVE = (
    "summary_fr",
    "summary_en",
    "risks_fr",
    "risks_en",
    "next_steps_fr",
    "next_steps_en",
)


@transaction.atomic
def monthly_report_save(
    *,
    actor: Any,
    programme: Programme,
    year: int,
    month: int,
    version: int | None,
    **narrative: str,
) -> MonthlyReport:
    """Create or change the month's narrative; ``version`` is the one the form was loaded
    at (None for a report that did not exist yet)."""
    if not manages(actor, programme):
        raise PermissionDenied
    unknown = set(narrative) - set(NARRATIVE)
    if unknown:
        raise TypeError(f"monthly_report_save cannot set {', '.join(sorted(unknown))}")
    report, created = MonthlyReport.objects.select_for_update().get_or_create(
        programme=programme, year=year, month=month, defaults={"updated_by": actor}
    )
    if not created:
        version_check(report, version)
    before = {} if created else snapshot(report, NARRATIVE)
    for name, value in narrative.items():
        setattr(report, name, value.strip())
    report.updated_by = actor
    report.full_clean()
    delta = diff(before, snapshot(report, NARRATIVE))
    if not created and not delta:
        return report
    if not created:
        report.version += 1
    report.save()
    audit_record(actor=actor, action=CREATE if created else UPDATE, obj=report, changes=delta)
    return report
