from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from pilotage.core.models import AuditEntry, Job
from pilotage.core.permissions import can_view_all_jobs, can_view_audit


def audit_entries(
    actor: Any, *, object_type: str = "", object_id: str = "", actor_id: int | None = None
) -> QuerySet[AuditEntry]:
    if not can_view_audit(actor):
        return AuditEntry.objects.none()
    qs = AuditEntry.objects.select_related("actor")
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    return qs


def audit_object_types() -> list[str]:
    return list(AuditEntry.objects.order_by().values_list("object_type", flat=True).distinct())


def jobs_visible(actor: Any) -> QuerySet[Job]:
    if can_view_all_jobs(actor):
        return Job.objects.all()
    return Job.objects.filter(created_by=actor)
