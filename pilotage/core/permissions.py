from __future__ import annotations

from typing import Any

from pilotage.accounts.models import Role
from pilotage.accounts.scope import scope_of
from pilotage.core.models import Job


def can_view_audit(actor: Any) -> bool:
    return scope_of(actor).has_role(Role.NATIONAL_ADMIN)


def can_view_job(actor: Any, job: Job) -> bool:
    return job.created_by_id == actor.pk or can_view_audit(actor)
