"""The org-unit tree's home-page card (see :mod:`pilotage.core.home`): where an officer's
territory starts, and how many schools it holds."""

from __future__ import annotations

from typing import Any

from pilotage.core.home import HomeCard
from pilotage.core.scope import scope_of
from pilotage.orgunits.models import School
from pilotage.orgunits.permissions import can_import_orgunits, tree_viewers
from pilotage.orgunits.roles import EDIT_TREE, EDIT_TREE_BELOW
from pilotage.orgunits.selectors import orgunit_tops


def _territory(user: Any) -> dict[str, Any] | None:
    """Two queries: the top units (at most 12 shown) and the count of schools below them."""
    scope = scope_of(user)
    if not (scope.allows(EDIT_TREE) or scope.allows(EDIT_TREE_BELOW)):
        return None
    return {
        "tops": list(orgunit_tops(user)[:12]),
        "schools": School.objects.filter(scope.q("org_unit__path", tree_viewers())).count(),
        "can_import": can_import_orgunits(user),
    }


CARDS = [HomeCard("orgunits/_home_territory.html", order=10, context=_territory)]
