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


# -- targets and action plans -----------------------------------------------------------


def can_open_targets(actor: Any) -> bool:
    """The targets pages: whoever sees indicators sees the targets of their units."""
    return scope_of(actor).allows(VIEW_INDICATORS)


def can_import_targets(actor: Any) -> bool:
    return scope_of(actor).allows(SET_TARGETS)


def can_open_actions(actor: Any) -> bool:
    return scope_of(actor).allows(MANAGE_ACTIONS)
