"""Where the kernel's scope (:mod:`pilotage.core.scope`) reads a user's grants from."""

from __future__ import annotations

from typing import Any

from pilotage.accounts.models import RoleAssignment
from pilotage.accounts.roles import NATIONAL_ADMIN
from pilotage.core.scope import ROOT_PATH, Grant


def grants_of(user: Any) -> list[Grant]:
    """One query: the user's assignments with their units' paths. A superuser also holds
    the national administrator's role over the whole tree."""
    grants = [
        Grant(role=role, path=path, org_unit_id=ou_id)
        for role, path, ou_id in RoleAssignment.objects.filter(user=user).values_list(
            "role", "org_unit__path", "org_unit_id"
        )
    ]
    if user.is_superuser:
        grants.append(Grant(role=NATIONAL_ADMIN, path=ROOT_PATH, org_unit_id=0))
    return grants
