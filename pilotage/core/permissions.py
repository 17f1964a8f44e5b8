"""What the kernel lets people do. The kernel names capabilities, never roles: which roles
hold them is declared by the apps that define the roles (see core/roles.py)."""

from __future__ import annotations

from typing import Any

from pilotage.core.models import Job
from pilotage.core.scope import scope_of

VIEW_AUDIT = "core.view_audit"
# Sees every background job, not only the ones they started.
VIEW_ALL_JOBS = "core.view_all_jobs"


def can_view_audit(actor: Any) -> bool:
    return scope_of(actor).allows(VIEW_AUDIT)


def can_view_all_jobs(actor: Any) -> bool:
    return scope_of(actor).allows(VIEW_ALL_JOBS)


def can_view_job(actor: Any, job: Job) -> bool:
    return job.created_by_id == actor.pk or can_view_all_jobs(actor)
