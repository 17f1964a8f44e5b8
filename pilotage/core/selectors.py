from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from pilotage.core.audit import audit_type_label
from pilotage.core.models import AuditEntry, Job
from pilotage.core.permissions import audit_covers, audit_readable, can_view_all_jobs
from pilotage.core.scope import unit_path


def audit_entries(
    actor: Any,
    *,
    object_type: str = "",
    object_id: str = "",
    actor_username: str = "",
    unit: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """The entries ``actor`` may read, newest first. ``unit`` (a code) narrows them to
    that unit's subtree, which must lie in the reader's reach; ``until`` is inclusive."""
    qs = AuditEntry.objects.filter(audit_readable(actor)).select_related("actor")
    if unit:
        within = unit_path(unit)
        if within is None or not audit_covers(actor, within):
            return AuditEntry.objects.none()
        qs = qs.filter(path__startswith=within)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if actor_username:
        qs = qs.filter(actor__username=actor_username)
    if since is not None:
        qs = qs.filter(at__gte=_midnight(since))
    if until is not None:
        qs = qs.filter(at__lt=_midnight(until + dt.timedelta(days=1)))
    return qs


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_object_types(actor: Any) -> list[tuple[str, str]]:
    """The kinds of object in the entries ``actor`` may read, as (type, the model's name)."""
    types = (
        AuditEntry.objects.filter(audit_readable(actor))
        .exclude(object_type="")
        .order_by()
        .values_list("object_type", flat=True)
        .distinct()
    )
    return sorted(((t, audit_type_label(t)) for t in types), key=lambda item: item[1])


def jobs_visible(actor: Any) -> QuerySet[Job]:
    if can_view_all_jobs(actor):
        return Job.objects.all()
    return Job.objects.filter(created_by=actor)
