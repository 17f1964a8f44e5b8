"""Who may browse and edit the org-unit tree."""

from __future__ import annotations

from typing import Any

from pilotage.accounts.models import Role
from pilotage.accounts.scope import scope_of
from pilotage.orgunits.models import OrgUnit

# Parents and pupils see their own records, never the tree itself.
TREE_VIEWERS = tuple(r for r in Role.values if r != Role.PARENT)
TREE_EDITORS = (Role.NATIONAL_ADMIN, Role.REGIONAL_OFFICER, Role.PROVINCIAL_OFFICER)


def can_browse_tree(actor: Any) -> bool:
    return scope_of(actor).has_role(*TREE_VIEWERS)


def can_view_orgunit(actor: Any, org_unit: OrgUnit) -> bool:
    return scope_of(actor).covers(org_unit.path, TREE_VIEWERS)


def can_edit_orgunit(actor: Any, org_unit: OrgUnit) -> bool:
    """National administrators edit anything; regional and provincial officers edit the
    units strictly below their own (never the unit they are attached to)."""
    scope = scope_of(actor)
    for grant in scope.grants:
        if grant.role == Role.NATIONAL_ADMIN and org_unit.path.startswith(grant.path):
            return True
        if (
            grant.role in TREE_EDITORS
            and org_unit.path.startswith(grant.path)
            and org_unit.path != grant.path
        ):
            return True
    return False


def can_import_orgunits(actor: Any) -> bool:
    return scope_of(actor).has_role(Role.NATIONAL_ADMIN)
