"""Who may see and change what in the cooperation programmes (roles in ``roles.py``).

Reach is computed here, once, and every page, API route, export and service asks these
functions. Two kinds of reach meet:

- **objects**: the head of the service sees every programme; a programme manager those
  whose team lists them (``ProgrammeMember``); a finance officer every programme's money;
  an external partner the agreements their organisation is a party to; a consultant their
  own contracts;
- **the tree**: a country coordinator's assignment at a country's unit covers the projects
  (and what hangs from them) of that country, with the kernel's path-prefix scope.

``programmes_q`` / ``projects_q`` turn that reach into query conditions; the ``can_*``
functions answer for one object. An object the actor cannot see is a 404 to them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from pilotage.cooperation.models import MemberRole, Programme, Project
from pilotage.cooperation.roles import (
    ACT_AS_CONSULTANT,
    ACT_AS_PARTNER,
    COORDINATE_COUNTRY,
    MANAGE_FINANCE,
    MANAGE_PARTNERS,
    MANAGE_PROGRAMMES,
    RUN_ALL,
    USE_COOPERATION,
)
from pilotage.core.scope import EVERYTHING, NOTHING, scope_of


def can_use(actor: Any) -> bool:
    """Opens the cooperation pages at all (menu entry, home cards)."""
    return scope_of(actor).allows(USE_COOPERATION)


def runs_all(actor: Any) -> bool:
    return scope_of(actor).allows(RUN_ALL)


def is_finance(actor: Any) -> bool:
    """Records and reads every programme's money."""
    return scope_of(actor).allows(MANAGE_FINANCE)


def is_partner(actor: Any) -> bool:
    return scope_of(actor).allows(ACT_AS_PARTNER)


def is_consultant(actor: Any) -> bool:
    return scope_of(actor).allows(ACT_AS_CONSULTANT)


def _member_q(actor: Any, roles: tuple[str, ...], prefix: str = "") -> Q:
    if not scope_of(actor).allows(MANAGE_PROGRAMMES):
        return NOTHING
    return Q(
        **{
            f"{prefix}members__user": actor,
            f"{prefix}members__role__in": roles,
        }
    )


def _country_q(actor: Any, field: str) -> Q:
    return scope_of(actor).q_for(COORDINATE_COUNTRY, field)


def programmes_q(actor: Any) -> Q:
    """Programmes the actor sees: all for the head and finance, their own for a manager or
    an observer of the team, those with a project in their country for a coordinator.
    Combine with ``.distinct()`` (the team and the projects are joins)."""
    if runs_all(actor) or is_finance(actor):
        return EVERYTHING
    return _member_q(actor, (MemberRole.MANAGER, MemberRole.FINANCE, MemberRole.OBSERVER)) | Q(
        pk__in=Project.objects.filter(_country_q(actor, "country__path")).values("programme")
    )


def projects_q(actor: Any) -> Q:
    """Projects the actor sees: every project of the programmes they see as a whole, and
    the projects of a coordinator's country."""
    if runs_all(actor) or is_finance(actor):
        return EVERYTHING
    team = Programme.objects.filter(
        _member_q(actor, (MemberRole.MANAGER, MemberRole.FINANCE, MemberRole.OBSERVER))
    )
    return Q(programme__in=team.values("pk")) | _country_q(actor, "country__path")


def manages(actor: Any, programme: Programme) -> bool:
    """Runs the programme: edits it, its projects, its results framework and work plan,
    approves reported results and reviews deliverables."""
    if runs_all(actor):
        return True
    if not scope_of(actor).allows(MANAGE_PROGRAMMES):
        return False
    return programme.members.filter(user=actor, role=MemberRole.MANAGER).exists()


def can_create_programme(actor: Any) -> bool:
    return scope_of(actor).allows(MANAGE_PROGRAMMES)


def can_view_programme(actor: Any, programme: Programme) -> bool:
    return Programme.objects.filter(programmes_q(actor), pk=programme.pk).exists()


def can_view_project(actor: Any, project: Project) -> bool:
    return Project.objects.filter(projects_q(actor), pk=project.pk).exists()


def coordinates(actor: Any, project: Project) -> bool:
    """A country coordinator whose assignment covers the project's country."""
    country = project.country
    return country is not None and scope_of(actor).covers_for(COORDINATE_COUNTRY, country.path)


def can_edit_project(actor: Any, project: Project) -> bool:
    """The programme's managers, and the coordinator of the project's country."""
    return manages(actor, project.programme) or coordinates(actor, project)


def can_report(actor: Any, project: Project) -> bool:
    """Reports results, trainings, print runs and work-plan progress for the project."""
    return can_edit_project(actor, project)


def can_manage_finance(actor: Any, programme: Programme) -> bool:
    """Records budgets, planned disbursements and transactions of the programme: the
    finance officers, and the programme's own finance member."""
    if is_finance(actor):
        return True
    if not scope_of(actor).allows(MANAGE_PROGRAMMES):
        return False
    return programme.members.filter(
        user=actor, role__in=(MemberRole.MANAGER, MemberRole.FINANCE)
    ).exists()


def can_manage_rates(actor: Any) -> bool:
    """The exchange-rate table is shared by every programme."""
    return is_finance(actor)


def can_manage_partners(actor: Any) -> bool:
    """The partners registry, the meeting log and the opportunity pipeline."""
    return scope_of(actor).allows(MANAGE_PARTNERS)


def staff_sees_partners(actor: Any) -> bool:
    """Reads the partners registry: staff of the service (not partners or consultants)."""
    return can_manage_partners(actor) or is_finance(actor)


# --- IATI export (iati part) -------------------------------------------------------------


def can_export_iati(actor: Any, programme: Programme) -> bool:
    """Publishes the programme's IATI file: the head of the service and the programme's
    managers (what the file says is theirs to answer for)."""
    return manages(actor, programme)
