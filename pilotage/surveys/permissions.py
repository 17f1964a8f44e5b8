"""Who may see and change what in the surveys (roles in ``roles.py``): one function per
rule, each reading the actor's tree scope against the survey's unit. A survey the actor
cannot reach is a 404 to them."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from pilotage.core.scope import scope_of
from pilotage.surveys.models import Survey
from pilotage.surveys.roles import ENTER_RESPONSES, MANAGE_SURVEYS, USE_SURVEYS


def can_use(actor: Any) -> bool:
    """Opens the survey pages at all (menu entry, home card)."""
    return scope_of(actor).allows(USE_SURVEYS)


def manages_somewhere(actor: Any) -> bool:
    """May create a survey (in a unit of their scope)."""
    return scope_of(actor).allows(MANAGE_SURVEYS)


def surveys_q(actor: Any) -> Q:
    """The surveys the actor sees: those they manage or enter answers for."""
    scope = scope_of(actor)
    return scope.q_for(MANAGE_SURVEYS, "org_unit__path") | scope.q_for(
        ENTER_RESPONSES, "org_unit__path"
    )


def can_see(actor: Any, survey: Survey) -> bool:
    return can_manage(actor, survey) or can_enter(actor, survey)


def can_manage(actor: Any, survey: Survey) -> bool:
    """Loads forms, draws samples, invites, reads results and exports."""
    return scope_of(actor).covers_for(MANAGE_SURVEYS, survey.org_unit.path)


def can_manage_unit(actor: Any, path: str) -> bool:
    """May create a survey for the unit at ``path``."""
    return scope_of(actor).covers_for(MANAGE_SURVEYS, path)


def can_enter(actor: Any, survey: Survey) -> bool:
    """Enters answers on a respondent's behalf."""
    return scope_of(actor).covers_for(ENTER_RESPONSES, survey.org_unit.path)
