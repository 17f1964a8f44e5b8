"""Objectives and actions as an actor may see them, the people who may own an action, and
who hears of an overdue one.

**Supervisors.** The supervisors of an action are the holders of a role carrying
``MANAGE_ACTIONS`` on a unit strictly above the action's unit (its province's officer for
a school's action, the academy's for a province's, the national administration above
all). The home page lists to each person the overdue actions they own and those of every
unit strictly below the units they hold such a role on. The overdue e-mail goes to the
owner and to the *nearest* supervisors only — the holders on the closest unit above that
has any — so that an action late in a school reaches its provincial officer, not every
officer up to the ministry.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from pilotage.accounts.models import RoleAssignment, User
from pilotage.core.roles import roles_with
from pilotage.core.scope import NOTHING, scope_of
from pilotage.indicators.models import Action, ActionEvidence, Objective
from pilotage.indicators.models.actions import overdue_q
from pilotage.indicators.roles import MANAGE_ACTIONS
from pilotage.orgunits.models import AcademicYear, OrgUnit


def objectives_visible(actor: Any) -> QuerySet[Objective]:
    return Objective.objects.filter(
        scope_of(actor).q_for(MANAGE_ACTIONS, "org_unit__path")
    ).select_related("org_unit", "start_year", "end_year", "target")


def objective_for(actor: Any, pk: int) -> Objective:
    objective = objectives_visible(actor).filter(pk=pk).first()
    if objective is None:
        raise Http404
    return objective


def actions_visible(actor: Any) -> QuerySet[Action]:
    return Action.objects.filter(
        scope_of(actor).q_for(MANAGE_ACTIONS, "org_unit__path")
    ).select_related(
        "org_unit",
        "owner",
        "objective",
        "gap_target",
        "gap_target__org_unit",
        "gap_target__academic_year",
    )


def action_for(actor: Any, pk: int) -> Action:
    action = actions_visible(actor).filter(pk=pk).first()
    if action is None:
        raise Http404
    return action


def actions_of_year(actor: Any, unit: OrgUnit, year: AcademicYear) -> QuerySet[Action]:
    """The actions of ``unit``'s subtree that run during ``year`` (their start-to-due span
    meets the year's), as ``actor`` may see them, by due date. One query."""
    return (
        actions_visible(actor)
        .filter(
            org_unit__path__startswith=unit.path,
            start_date__lte=year.end,
            due_date__gte=year.start,
        )
        .order_by("due_date", "org_unit__path", "pk")
    )


def evidence_for(actor: Any, pk: int) -> ActionEvidence:
    evidence = (
        ActionEvidence.objects.filter(
            scope_of(actor).q_for(MANAGE_ACTIONS, "action__org_unit__path"), pk=pk
        )
        .select_related("action__org_unit")
        .first()
    )
    if evidence is None:
        raise Http404
    return evidence


def units_for_actions(actor: Any) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(scope_of(actor).q_for(MANAGE_ACTIONS), is_active=True)


def owner_choices(unit: OrgUnit) -> QuerySet[User]:
    """Active people holding a role with MANAGE_ACTIONS on the unit or a unit above it."""
    paths = [*unit.ancestor_paths(), unit.path]
    return (
        User.objects.filter(
            is_active=True,
            assignments__role__in=roles_with(MANAGE_ACTIONS),
            assignments__org_unit__path__in=paths,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _supervised_q(actor: Any) -> Q:
    """Actions of units strictly below a unit where the actor holds MANAGE_ACTIONS."""
    paths = scope_of(actor).paths(roles_with(MANAGE_ACTIONS))
    if not paths:
        return NOTHING
    return reduce(
        or_,
        (Q(org_unit__path__startswith=p) & ~Q(org_unit__path=p) for p in paths),
    )


def overdue_for(
    actor: Any, *, today: dt.date | None = None, limit: int = 10, unit: OrgUnit | None = None
) -> tuple[int, list[Action]]:
    """The overdue actions ``actor`` owns or supervises — with ``unit``, only those of its
    subtree (a dashboard's unit): their number and the ``limit`` most overdue. Two
    queries."""
    today = today or timezone.localdate()
    qs = Action.objects.filter(overdue_q(today)).filter(Q(owner=actor) | _supervised_q(actor))
    if unit is not None:
        qs = qs.filter(org_unit__path__startswith=unit.path)
    total = qs.count()
    rows = list(qs.select_related("org_unit", "owner").order_by("due_date", "pk")[:limit])
    return total, rows


def nearest_supervisors(actions: Sequence[Action]) -> dict[int, list[User]]:
    """For each action, the holders of MANAGE_ACTIONS on the nearest unit strictly above
    its unit that has any (the owner left out). One query for the whole list."""
    ancestors: set[str] = set()
    for action in actions:
        ancestors.update(action.org_unit.ancestor_paths())
    holders: dict[str, list[User]] = defaultdict(list)
    if ancestors:
        for assignment in (
            RoleAssignment.objects.filter(
                role__in=roles_with(MANAGE_ACTIONS),
                org_unit__path__in=ancestors,
                user__is_active=True,
            )
            .select_related("user", "org_unit")
            .order_by("user_id")
        ):
            if assignment.user not in holders[assignment.org_unit.path]:
                holders[assignment.org_unit.path].append(assignment.user)
    out: dict[int, list[User]] = {}
    for action in actions:
        out[action.pk] = []
        for path in reversed(action.org_unit.ancestor_paths()):
            found = [u for u in holders.get(path, []) if u.pk != action.owner_id]
            if found:
                out[action.pk] = found
                break
    return out
