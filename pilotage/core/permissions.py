"""What the kernel lets people do. The kernel names capabilities, never roles: which roles
hold them is declared by the apps that define the roles (see core/roles.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from pilotage.core.models import Job
from pilotage.core.scope import EVERYTHING, scope_of

# Reads the audit entries of the subtree of an assignment.
VIEW_AUDIT = "core.view_audit"
# Reads every entry, also those outside the tree (accounts, sign-ins: the empty path).
VIEW_ALL_AUDIT = "core.view_all_audit"
# Sees every background job, not only the ones they started.
VIEW_ALL_JOBS = "core.view_all_jobs"


def can_view_audit(actor: Any) -> bool:
    scope = scope_of(actor)
    return scope.allows(VIEW_AUDIT) or scope.allows(VIEW_ALL_AUDIT)


def audit_readable(actor: Any) -> Q:
    """The audit entries ``actor`` may read, as a filter on ``AuditEntry``."""
    scope = scope_of(actor)
    if scope.allows(VIEW_ALL_AUDIT):
        return EVERYTHING
    return scope.q_for(VIEW_AUDIT, "path")


def audit_covers(actor: Any, path: str) -> bool:
    """Whether ``path`` (a unit the reader narrows the log to) lies in the reader's reach."""
    scope = scope_of(actor)
    return scope.allows(VIEW_ALL_AUDIT) or scope.covers_for(VIEW_AUDIT, path)


def can_view_all_jobs(actor: Any) -> bool:
    return scope_of(actor).allows(VIEW_ALL_JOBS)


def can_view_job(actor: Any, job: Job) -> bool:
    return job.created_by_id == actor.pk or can_view_all_jobs(actor)
