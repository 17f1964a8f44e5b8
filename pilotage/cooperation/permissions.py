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

from collections.abc import Callable
from typing import Any

from django.db.models import Q

from pilotage.cooperation.models import (
    MemberRole,
    Partner,
    PartnerAction,
    PartnerContact,
    Programme,
    Project,
)
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
from pilotage.orgunits.models import OrgUnit


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


def _memo(actor: Any, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """A per-request answer kept on the user object (as the kernel keeps the scope): a
    programme's pages ask the same questions for each of their tabs and links."""
    cache = actor.__dict__.setdefault("_cooperation_memo", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def forget_memo(user: Any) -> None:
    """After a change of the user's team roles: the next question reads them again."""
    user.__dict__.pop("_cooperation_memo", None)


def member_roles(actor: Any, programme: Programme) -> frozenset[str]:
    """The actor's roles in the programme's team (one query per programme and request)."""
    if not getattr(actor, "is_authenticated", False) or not scope_of(actor).allows(
        MANAGE_PROGRAMMES
    ):
        return frozenset()
    return _memo(
        actor,
        ("member_roles", programme.pk),
        lambda: frozenset(programme.members.filter(user=actor).values_list("role", flat=True)),
    )


def manages(actor: Any, programme: Programme) -> bool:
    """Runs the programme: edits it, its projects, its results framework and work plan,
    approves reported results and reviews deliverables."""
    if runs_all(actor):
        return True
    return MemberRole.MANAGER in member_roles(actor, programme)


def can_create_programme(actor: Any) -> bool:
    return scope_of(actor).allows(MANAGE_PROGRAMMES)


def can_view_programme(actor: Any, programme: Programme) -> bool:
    if runs_all(actor) or is_finance(actor) or member_roles(actor, programme):
        return True
    if not getattr(actor, "is_authenticated", False):
        return False
    return _memo(
        actor,
        ("view_programme", programme.pk),
        lambda: Programme.objects.filter(programmes_q(actor), pk=programme.pk).exists(),
    )


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
    return bool(member_roles(actor, programme) & {MemberRole.MANAGER, MemberRole.FINANCE})


def can_manage_rates(actor: Any) -> bool:
    """The exchange-rate table is shared by every programme."""
    return is_finance(actor)


def can_manage_partners(actor: Any) -> bool:
    """The partners registry, the meeting log and the opportunity pipeline."""
    return scope_of(actor).allows(MANAGE_PARTNERS)


def staff_sees_partners(actor: Any) -> bool:
    """Reads the partners registry: staff of the service (not partners or consultants)."""
    return can_manage_partners(actor) or is_finance(actor)


# --- Partner actions ("who does what where") ---------------------------------------------------
#
# Coordination is the point of the table and the map, so everyone who opens the cooperation
# pages (staff, coordinators, partners, consultants) sees every partner's actions in every
# country. Changing one is narrower:
#
# - the head of the service and the programme managers create and edit any action;
# - a country coordinator those of the countries their assignment covers;
# - an external partner's account (``PartnerContact.user``) those of its own organisation
#   only, in any country; an import by a partner is forced to its own organisation;
# - finance officers and consultants read only; school roles and strangers get a 404.


def partner_of(actor: Any) -> Partner | None:
    """The organisation an external partner's account speaks for (None for staff)."""
    if not getattr(actor, "is_authenticated", False) or not is_partner(actor):
        return None
    # Read once per user object (a request's): a page asks several times.
    if not hasattr(actor, "_cooperation_partner"):
        contact = PartnerContact.objects.select_related("partner").filter(user=actor).first()
        actor._cooperation_partner = contact.partner if contact else None
    return actor._cooperation_partner


def can_view_actions(actor: Any) -> bool:
    return can_use(actor)


def _runs_actions(actor: Any) -> bool:
    return scope_of(actor).allows(MANAGE_PROGRAMMES)


def can_add_actions(actor: Any) -> bool:
    """Creates actions somewhere: staff, a coordinator, a partner with its organisation."""
    return (
        _runs_actions(actor)
        or scope_of(actor).allows(COORDINATE_COUNTRY)
        or partner_of(actor) is not None
    )


def can_write_action(actor: Any, partner: Partner, country: OrgUnit) -> bool:
    """May record an action of ``partner`` in ``country`` (the rule above)."""
    if _runs_actions(actor):
        return True
    if scope_of(actor).covers_for(COORDINATE_COUNTRY, country.path):
        return True
    own = partner_of(actor)
    return own is not None and own.pk == partner.pk


def can_edit_action(actor: Any, action: PartnerAction) -> bool:
    return can_write_action(actor, action.partner, action.country)


def can_import_actions(actor: Any) -> bool:
    return can_add_actions(actor)


def action_edit_rule(actor: Any) -> Callable[[PartnerAction], bool]:
    """``can_edit_action`` for the rows of a list, without a query per row (the rows carry
    their country): the actor's reach is read once."""
    if _runs_actions(actor):
        return lambda action: True
    scope = scope_of(actor)
    own = partner_of(actor)

    def rule(action: PartnerAction) -> bool:
        if own is not None and action.partner_id == own.pk:
            return True
        return scope.covers_for(COORDINATE_COUNTRY, action.country.path)

    return rule


# --- agreements -------------------------------------------------------------------------


def partner_ids(actor: Any) -> list[int]:
    """The partners whose contact the actor's account is (an external partner's account)."""
    if not getattr(actor, "is_authenticated", False) or not is_partner(actor):
        return []
    from pilotage.cooperation.models import PartnerContact

    return list(PartnerContact.objects.filter(user=actor).values_list("partner_id", flat=True))


def agreements_q(actor: Any) -> Q:
    """Agreements the actor sees: every one for the head and finance; those of the
    programmes they see for the staff (managers, observers) and coordinators (read-only);
    for an external partner, only those their organisation is a party to. Combine with
    ``.distinct()`` when joined further."""
    if runs_all(actor) or is_finance(actor):
        return EVERYTHING
    from pilotage.cooperation.models import AgreementParty

    seen = Q(programme__in=Programme.objects.filter(programmes_q(actor)).values("pk"))
    partners = partner_ids(actor)
    if partners:
        seen |= Q(pk__in=AgreementParty.objects.filter(partner__in=partners).values("agreement"))
    return seen


def can_view_agreement(actor: Any, agreement: Any) -> bool:
    from pilotage.cooperation.models import Agreement

    return Agreement.objects.filter(agreements_q(actor), pk=agreement.pk).exists()


def can_create_agreement(actor: Any, programme: Programme | None) -> bool:
    """The head for any programme (or none); a manager for their own programmes."""
    if runs_all(actor):
        return True
    return programme is not None and manages(actor, programme)


def can_edit_agreement(actor: Any, agreement: Any) -> bool:
    """The agreement itself, its parties, documents, obligations and amendments: the head,
    and the managers of the agreement's programme. Partners never edit it."""
    if runs_all(actor):
        return True
    return agreement.programme_id is not None and manages(actor, agreement.programme)


def can_submit_obligation(actor: Any, obligation: Any) -> bool:
    """Hands in the document that fulfils the obligation: those who edit the agreement,
    and the accounts of the responsible party (their own reporting)."""
    if can_edit_agreement(actor, obligation.agreement):
        return True
    return (
        obligation.responsible_party_id is not None
        and obligation.responsible_party_id in partner_ids(actor)
        and can_view_agreement(actor, obligation.agreement)
    )


# --- Capacity building (trainings) and educational resources ------------------------------


def can_record_training(actor: Any, project: Project) -> bool:
    """Creates and edits the project's training sessions and their attendance: the
    programme's managers, the head, and the coordinator of the project's country."""
    return can_report(actor, project)


def can_view_resources(actor: Any, programme: Programme) -> bool:
    """The resources bank, print runs and distributions of a programme: whoever sees it."""
    return can_view_programme(actor, programme)


def can_add_resource(actor: Any, programme: Programme) -> bool:
    """Adds a resource to the programme's bank: its managers and its coordinators."""
    if manages(actor, programme):
        return True
    return any(coordinates(actor, p) for p in programme.projects.select_related("country"))


def can_record_print_run(actor: Any, programme: Programme, country: Any) -> bool:
    """Records print runs and distributions in ``country``: the programme's managers, and
    the coordinator of that country when the programme has a project there."""
    if manages(actor, programme):
        return True
    if country is None or not programme.projects.filter(country=country).exists():
        return False
    return scope_of(actor).covers_for(COORDINATE_COUNTRY, country.path)


# --- Partners registry, meeting log, opportunity pipeline ------------------------------


def can_reopen_opportunity(actor: Any) -> bool:
    """Signed and dropped opportunities are final; only the head of the service reopens."""
    return runs_all(actor)


def can_mark_followup_done(actor: Any, action: Any) -> bool:
    """The action's owner, or anyone who keeps the meeting log."""
    return can_manage_partners(actor) or (
        getattr(actor, "is_authenticated", False) and action.owner_id == actor.pk
    )


def can_see_followups(actor: Any) -> bool:
    """The "my follow-ups" page: any cooperation user may own an action."""
    return can_use(actor)


# --- Finance (budgets, plans, transactions, rates, reports) ----------------------------------


def finance_projects_q(actor: Any) -> Q:
    """Projects whose money the actor reads: the head, finance officers and the programme's
    team read all of a programme's; a country coordinator their country's (read-only);
    partners and consultants none."""
    if is_partner(actor) and not (runs_all(actor) or is_finance(actor)):
        return NOTHING
    return projects_q(actor)


def can_view_finance(actor: Any, programme: Programme) -> bool:
    if runs_all(actor) or is_finance(actor):
        return True
    if is_partner(actor) and not member_roles(actor, programme):
        return False
    if member_roles(actor, programme):
        return True
    return _memo(
        actor,
        ("view_finance", programme.pk),
        lambda: Project.objects.filter(finance_projects_q(actor), programme=programme).exists(),
    )


def can_manage_project_finance(actor: Any, project: Project) -> bool:
    return can_manage_finance(actor, project.programme)


def reads_portfolio_finance(actor: Any) -> bool:
    """The portfolio's finance section: the head, finance officers and programme managers
    (each sees the programmes they reach)."""
    return runs_all(actor) or is_finance(actor) or scope_of(actor).allows(MANAGE_PROGRAMMES)


# --- Results framework (logframe, indicators, targets, reported updates) -----------------


def can_edit_results(actor: Any, programme: Programme) -> bool:
    """Nodes, indicators and targets: the programme's managers."""
    return manages(actor, programme)


def can_approve_update(actor: Any, update: Any) -> bool:
    """A manager of the programme approves or returns a submitted update, but never one
    they submitted themselves (four eyes: a manager who reports for a country has another
    manager, or the head of the service, approve it)."""
    if not manages(actor, update.project.programme):
        return False
    return update.submitted_by_id is None or update.submitted_by_id != actor.pk


# --- Work plans and consultants ------------------------------------------------------------
# A programme's team and the head see its whole work plan; a coordinator the activities of
# their country's projects (and updates their progress); a consultant only their contracts,
# their deliverables and reports, and the activities they are responsible for. The
# programme's managers (and the head) review deliverables and reports.


def activities_q(actor: Any) -> Q:
    """Activities the actor sees. Combine with ``.distinct()`` (the team is a join)."""
    if runs_all(actor) or is_finance(actor):
        return EVERYTHING
    team = Programme.objects.filter(
        _member_q(actor, (MemberRole.MANAGER, MemberRole.FINANCE, MemberRole.OBSERVER))
    )
    reach = Q(programme__in=team.values("pk")) | _country_q(actor, "project__country__path")
    if is_consultant(actor):
        reach |= Q(responsible=actor)
    return reach


def sees_whole_workplan(actor: Any, programme: Programme) -> bool:
    """Sees every activity of the programme (not only their country's or their own)."""
    if runs_all(actor) or is_finance(actor):
        return True
    return bool(member_roles(actor, programme))


def can_view_workplan(actor: Any, programme: Programme) -> bool:
    """The programme's "Plan de travail" tab: whoever sees the programme."""
    return can_view_programme(actor, programme)


def can_edit_workplan(actor: Any, programme: Programme) -> bool:
    """Adds and edits activities, takes revisions: the programme's managers."""
    return manages(actor, programme)


def can_update_progress(actor: Any, activity: Any) -> bool:
    """The programme's managers, the coordinator of the activity's country, and the person
    responsible for it."""
    if manages(actor, activity.programme):
        return True
    if activity.project_id is not None and coordinates(actor, activity.project):
        return True
    return actor.is_authenticated and activity.responsible_id == actor.pk


def contracts_q(actor: Any) -> Q:
    """Contracts the actor sees: all for the head and finance; those of the programmes
    whose team lists them; a consultant's own."""
    if runs_all(actor) or is_finance(actor):
        return EVERYTHING
    team = Programme.objects.filter(
        _member_q(actor, (MemberRole.MANAGER, MemberRole.FINANCE, MemberRole.OBSERVER))
    )
    reach = Q(programme__in=team.values("pk"))
    if is_consultant(actor):
        reach |= Q(consultant__user=actor)
    return reach


def can_view_consultants(actor: Any) -> bool:
    """The consultants registry: the programme managers and the head."""
    return scope_of(actor).allows(MANAGE_PROGRAMMES) or is_finance(actor)


def can_manage_consultants(actor: Any) -> bool:
    return scope_of(actor).allows(MANAGE_PROGRAMMES)


def can_review_contract(actor: Any, contract: Any) -> bool:
    """Reviews the contract's deliverables and reads its activity reports; adds
    deliverables to it: the managers of its programme."""
    return manages(actor, contract.programme)


def is_contract_holder(actor: Any, contract: Any) -> bool:
    """The consultant of the contract (submits its deliverables and reports)."""
    return (
        actor.is_authenticated and is_consultant(actor) and contract.consultant.user_id == actor.pk
    )


# --- IATI export (iati part) -------------------------------------------------------------


def can_export_iati(actor: Any, programme: Programme) -> bool:
    """Publishes the programme's IATI file: the head of the service and the programme's
    managers (what the file says is theirs to answer for)."""
    return manages(actor, programme)
