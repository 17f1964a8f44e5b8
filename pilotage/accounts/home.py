"""The accounts' home-page cards (see :mod:`pilotage.core.home`): the reader's roles, the
people they manage, their API tokens."""

from __future__ import annotations

from typing import Any

from pilotage.accounts.permissions import can_view_people, grantable_roles_anywhere
from pilotage.core.home import HomeCard
from pilotage.core.roles import role_label, role_order
from pilotage.core.scope import scope_of
from pilotage.orgunits.models import OrgUnit
from pilotage.orgunits.permissions import can_view_orgunit


def _roles(user: Any) -> dict[str, Any]:
    """One query: the units of the reader's assignments."""
    grants = sorted(scope_of(user).grants, key=lambda g: role_order(g.role))
    units = OrgUnit.objects.filter(pk__in=[g.org_unit_id for g in grants]).select_related("level")
    by_pk = {u.pk: u for u in units}
    # A superuser also holds the national administrator's role over the whole tree
    # (accounts/scope.py); when they hold it by an assignment at the top of the tree as
    # well, that is one role, listed once.
    at_top = {g.role for g in grants if g.org_unit_id in by_pk and by_pk[g.org_unit_id].depth == 1}
    rows = []
    seen: set[tuple[str, int]] = set()
    for grant in grants:
        unit = by_pk.get(grant.org_unit_id)
        if (grant.role, grant.org_unit_id) in seen or (unit is None and grant.role in at_top):
            continue
        seen.add((grant.role, grant.org_unit_id))
        rows.append(
            {
                "code": grant.role,
                "role": role_label(grant.role),
                "unit": unit,
                "link": unit is not None and can_view_orgunit(user, unit),
            }
        )
    return {"grants": rows}


def _people(user: Any) -> dict[str, Any] | None:
    if not can_view_people(user):
        return None
    return {"can_create": bool(grantable_roles_anywhere(user))}


CARDS = [
    HomeCard("accounts/_home_roles.html", order=0, context=_roles),
    HomeCard("accounts/_home_people.html", order=70, context=_people),
    HomeCard("accounts/_home_api.html", order=90, context=lambda user: {}),
]
