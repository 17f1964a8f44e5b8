"""Who may see and manage people and their roles."""

from __future__ import annotations

from typing import Any

from pilotage.accounts.models import Role
from pilotage.accounts.scope import scope_of
from pilotage.orgunits.models import OrgUnit

# The roles each role may hand out, within its own subtree.
GRANTABLE: dict[str, frozenset[str]] = {
    Role.NATIONAL_ADMIN: frozenset(Role.values),
    Role.REGIONAL_OFFICER: frozenset(
        {Role.PROVINCIAL_OFFICER, Role.SCHOOL_HEAD, Role.TEACHER, Role.PARENT}
    ),
    Role.PROVINCIAL_OFFICER: frozenset({Role.SCHOOL_HEAD, Role.TEACHER, Role.PARENT}),
    Role.SCHOOL_HEAD: frozenset({Role.TEACHER, Role.PARENT}),
    Role.CONTACT_SUPERVISOR: frozenset({Role.CONTACT_AGENT}),
    Role.PROGRAMME_MANAGER: frozenset({Role.EXTERNAL_PARTNER}),
}
PEOPLE_MANAGERS = tuple(GRANTABLE)


def can_view_people(actor: Any) -> bool:
    return scope_of(actor).has_role(*PEOPLE_MANAGERS)


def grantable_roles_anywhere(actor: Any) -> set[str]:
    """The roles the actor may hand out somewhere in their subtree (to build a form)."""
    return set().union(*(GRANTABLE.get(r, frozenset()) for r in scope_of(actor).roles))


def grantable_roles(actor: Any, org_unit: OrgUnit) -> set[str]:
    return grantable_roles_at(actor, org_unit.path)


def grantable_roles_at(actor: Any, path: str) -> set[str]:
    """The roles the actor may hand out on the unit at ``path``: from the scope already
    read, so a set-based service asks it for thousands of units without a query each."""
    scope = scope_of(actor)
    roles: set[str] = set()
    for grant in scope.grants:
        if grant.role in GRANTABLE and path.startswith(grant.path):
            roles |= GRANTABLE[grant.role]
    return roles


def can_assign_role(actor: Any, role: str, org_unit: OrgUnit) -> bool:
    return role in grantable_roles(actor, org_unit)
