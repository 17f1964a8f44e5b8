"""Who may browse and edit the org-unit tree (the capabilities are in orgunits/roles.py;
which roles hold them, in each role's declaration)."""

from __future__ import annotations

from typing import Any

from pilotage.core.roles import roles_with
from pilotage.core.scope import scope_of
from pilotage.orgunits.models import OrgUnit
from pilotage.orgunits.roles import BROWSE_TREE, EDIT_TREE, EDIT_TREE_BELOW, IMPORT_TREE


def tree_viewers() -> frozenset[str]:
    """The roles that browse the tree; parents and pupils see their own records only."""
    return roles_with(BROWSE_TREE)


def can_browse_tree(actor: Any) -> bool:
    return scope_of(actor).allows(BROWSE_TREE)


def can_view_orgunit(actor: Any, org_unit: OrgUnit) -> bool:
    return scope_of(actor).covers_for(BROWSE_TREE, org_unit.path)


def can_edit_orgunit(actor: Any, org_unit: OrgUnit) -> bool:
    """National administrators edit anything; regional and provincial officers edit the
    units strictly below their own (never the unit they are attached to)."""
    editors, below = roles_with(EDIT_TREE), roles_with(EDIT_TREE_BELOW)
    for grant in scope_of(actor).grants:
        if not org_unit.path.startswith(grant.path):
            continue
        if grant.role in editors or (grant.role in below and org_unit.path != grant.path):
            return True
    return False


def can_import_orgunits(actor: Any) -> bool:
    return scope_of(actor).allows(IMPORT_TREE)
