"""Who may see and change performance steering (capabilities in ``indicators/roles.py``).

Everything is scoped to the tree: an officer sees and steers the units of their subtree, a
school head their school. Everything else gets a 404.
"""

from __future__ import annotations

from typing import Any

from pilotage.core.scope import scope_of
from pilotage.indicators.roles import (
    APPROVE_DATA,
    ENTER_DATA,
    MANAGE_ACTIONS,
    MANAGE_CATALOGUE,
    SET_TARGETS,
    VIEW_INDICATORS,
)
from pilotage.orgunits.models import OrgUnit


def can_view_indicators(actor: Any) -> bool:
    return scope_of(actor).allows(VIEW_INDICATORS)


def can_view_unit(actor: Any, unit: OrgUnit) -> bool:
    return scope_of(actor).covers_for(VIEW_INDICATORS, unit.path)


def can_set_targets(actor: Any, unit: OrgUnit) -> bool:
    return scope_of(actor).covers_for(SET_TARGETS, unit.path)


def can_manage_actions(actor: Any, unit: OrgUnit) -> bool:
    return scope_of(actor).covers_for(MANAGE_ACTIONS, unit.path)


def can_enter_data(actor: Any, unit: OrgUnit) -> bool:
    return scope_of(actor).covers_for(ENTER_DATA, unit.path)


def can_approve_data(actor: Any, unit: OrgUnit) -> bool:
    return scope_of(actor).covers_for(APPROVE_DATA, unit.path)


def can_manage_catalogue(actor: Any) -> bool:
    return scope_of(actor).allows(MANAGE_CATALOGUE)


def can_run_validation(actor: Any, unit: OrgUnit) -> bool:
    """Runs the validation rules over the unit's subtree (and so replaces its stored
    violations): whoever enters or approves its data."""
    scope = scope_of(actor)
    return scope.covers_for(ENTER_DATA, unit.path) or scope.covers_for(APPROVE_DATA, unit.path)


def can_approve_at(actor: Any, unit: OrgUnit) -> bool:
    """Approves (and un-approves) a data set's data at ``unit``. Officers hold
    APPROVE_DATA: a provincial officer approves their province and the schools below, a
    regional officer their region and everything below, the national administration the
    country. A school head holds only ENTER_DATA, over their own school: they approve that
    school, the unit where data is entered (a leaf of the tree), and nothing above. The
    order (bottom-up) is the approval service's business, not a permission."""
    scope = scope_of(actor)
    if scope.covers_for(APPROVE_DATA, unit.path):
        return True
    return unit.is_leaf() and scope.covers_for(ENTER_DATA, unit.path)


def can_enter_data_somewhere(actor: Any) -> bool:
    """Who sees the entry form and the aggregate import (each unit is then checked)."""
    return scope_of(actor).allows(ENTER_DATA)


# -- targets and action plans -----------------------------------------------------------


def can_open_targets(actor: Any) -> bool:
    """The targets pages: whoever sees indicators sees the targets of their units."""
    return scope_of(actor).allows(VIEW_INDICATORS)


def can_import_targets(actor: Any) -> bool:
    return scope_of(actor).allows(SET_TARGETS)


def can_open_actions(actor: Any) -> bool:
    return scope_of(actor).allows(MANAGE_ACTIONS)
