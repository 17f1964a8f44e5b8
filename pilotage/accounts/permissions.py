"""Who may see and manage people and their roles.

The rules come from the role registry (core/roles.py): a role hands out the roles that
name it in ``granted_by`` (the national administrator hands out every role), inside its
own subtree, and sees on the people pages the holders of those roles and of the roles it
``works_with`` — nobody else.
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q

from pilotage.accounts.roles import GRANT_ANY_ROLE
from pilotage.core.roles import registry, roles_with
from pilotage.core.scope import EVERYTHING, NOTHING, ROOT_PATH, scope_of
from pilotage.orgunits.models import OrgUnit


def roles_granted_by(role: str) -> frozenset[str]:
    """The roles a holder of ``role`` may hand out."""
    defs = registry().roles
    if role in roles_with(GRANT_ANY_ROLE):
        return frozenset(defs)
    return frozenset(code for code, d in defs.items() if role in d.granted_by)


def roles_seen_by(role: str) -> frozenset[str]:
    """The roles whose holders a holder of ``role`` sees on the people pages."""
    own = registry().roles.get(role)
    return roles_granted_by(role) | frozenset(own.works_with if own else ())


def people_managers() -> frozenset[str]:
    return frozenset(code for code in registry().roles if roles_seen_by(code))


def can_view_people(actor: Any) -> bool:
    return scope_of(actor).has_role(*people_managers())


def people_q(actor: Any, path_field: str = "org_unit__path", role_field: str = "role") -> Q:
    """The role assignments the actor sees: for each of their own, the assignments of the
    roles it sees, in its subtree. A national administrator sees every assignment."""
    if scope_of(actor).has_role(*roles_with(GRANT_ANY_ROLE)):
        return EVERYTHING
    parts = []
    for grant in scope_of(actor).grants:
        seen = roles_seen_by(grant.role)
        if not seen:
            continue
        part = Q(**{f"{role_field}__in": sorted(seen)})
        if grant.path != ROOT_PATH:
            part &= Q(**{f"{path_field}__startswith": grant.path})
        parts.append(part)
    return reduce(or_, parts) if parts else NOTHING


def grantable_roles_anywhere(actor: Any) -> set[str]:
    """The roles the actor may hand out somewhere in their subtree (to build a form)."""
    return set().union(*(roles_granted_by(r) for r in scope_of(actor).roles))


def grantable_roles(actor: Any, org_unit: OrgUnit) -> set[str]:
    return grantable_roles_at(actor, org_unit.path)


def grantable_roles_at(actor: Any, path: str) -> set[str]:
    """The roles the actor may hand out on the unit at ``path``: from the scope already
    read, so a set-based service asks it for thousands of units without a query each."""
    roles: set[str] = set()
    for grant in scope_of(actor).grants:
        if path.startswith(grant.path):
            roles |= roles_granted_by(grant.role)
    return roles


def can_assign_role(actor: Any, role: str, org_unit: OrgUnit) -> bool:
    return role in grantable_roles(actor, org_unit)
