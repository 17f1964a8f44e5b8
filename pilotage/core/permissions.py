from __future__ import annotations

from typing import Any

from django.db.models import Q

from pilotage.accounts.models import Role
from pilotage.accounts.scope import scope_of
from pilotage.core.models import Job

# Who reads the audit log: each the entries of their own subtree. National administrators
# also read what lies outside the tree (accounts, sign-ins), filed under the empty path.
AUDIT_READERS = (
    Role.NATIONAL_ADMIN,
    Role.REGIONAL_OFFICER,
    Role.PROVINCIAL_OFFICER,
    Role.SCHOOL_HEAD,
)


def can_view_audit(actor: Any) -> bool:
    return scope_of(actor).has_role(*AUDIT_READERS)


def audit_readable(actor: Any) -> Q:
    """The audit entries ``actor`` may read, as a filter on ``AuditEntry``."""
    scope = scope_of(actor)
    if scope.has_role(Role.NATIONAL_ADMIN):
        return Q()
    if not scope.has_role(*AUDIT_READERS):
        return Q(pk__in=[])
    return scope.q("path", roles=AUDIT_READERS)


def audit_covers(actor: Any, path: str) -> bool:
    """Whether ``path`` (a unit the reader narrows the log to) lies in the reader's reach."""
    scope = scope_of(actor)
    return scope.has_role(Role.NATIONAL_ADMIN) or scope.covers(path, roles=AUDIT_READERS)


def can_view_all_jobs(actor: Any) -> bool:
    return scope_of(actor).has_role(Role.NATIONAL_ADMIN)


def can_view_job(actor: Any, job: Job) -> bool:
    return job.created_by_id == actor.pk or can_view_all_jobs(actor)
