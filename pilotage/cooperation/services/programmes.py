"""Writing programmes, their projects, their team and their shares (countries, sectors,
locations). Each write checks the permission, runs in one transaction and is audited;
programmes and projects carry a version column (two people edit them)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pilotage.cooperation import sectors
from pilotage.cooperation.audit import MEMBER_ADD, MEMBER_REMOVE, SHARES_SET
from pilotage.cooperation.models import (
    MemberRole,
    Programme,
    ProgrammeCountry,
    ProgrammeMember,
    ProgrammeSector,
    Project,
    ProjectLocation,
    ProjectSector,
)
from pilotage.cooperation.permissions import (
    can_create_programme,
    can_edit_project,
    forget_memo,
    manages,
)
from pilotage.cooperation.services.common import locked, shares_check, versioned_update
from pilotage.core.audit import CREATE, audit_record, diff, snapshot
from pilotage.orgunits.models import OrgUnit

PROGRAMME_FIELDS = (
    "code",
    "title_fr",
    "title_ar",
    "title_en",
    "description",
    "status",
    "start_date",
    "end_date",
    "default_currency",
    "lead_partner",
)
PROGRAMME_EDITABLE = tuple(f for f in PROGRAMME_FIELDS if f != "code")
PROJECT_FIELDS = (
    "code",
    "title_fr",
    "title_ar",
    "title_en",
    "country",
    "description",
    "status",
    "start_date",
    "end_date",
    "default_currency",
)
PROJECT_EDITABLE = tuple(f for f in PROJECT_FIELDS if f not in ("code", "country"))


def _within_programme(project: Project, programme: Programme) -> None:
    if project.start_date < programme.start_date or project.end_date > programme.end_date:
        raise ValidationError(
            {
                "end_date": _(
                    "Un projet se déroule dans les dates de son programme (%(start)s – %(end)s)."
                )
                % {"start": programme.start_date, "end": programme.end_date}
            }
        )


@transaction.atomic
def programme_create(*, actor: Any, **fields: Any) -> Programme:
    """A new programme; its creator joins its team as manager."""
    if not can_create_programme(actor):
        raise PermissionDenied
    unknown = set(fields) - set(PROGRAMME_FIELDS)
    if unknown:
        raise TypeError(f"programme_create cannot set {', '.join(sorted(unknown))}")
    programme = Programme(**fields)
    programme.full_clean()
    programme.save()
    audit_record(
        actor=actor,
        action=CREATE,
        obj=programme,
        changes=diff({}, snapshot(programme, PROGRAMME_FIELDS)),
    )
    if actor is not None and actor.is_authenticated:
        ProgrammeMember.objects.create(programme=programme, user=actor, role=MemberRole.MANAGER)
        forget_memo(actor)
    return programme


@transaction.atomic
def programme_update(
    *, actor: Any, programme: Programme | int, version: int | None, **changes: Any
) -> Programme:
    return versioned_update(
        actor=actor,
        model=Programme,
        obj=programme,
        version=version,
        changes=changes,
        editable=PROGRAMME_EDITABLE,
        service="programme_update",
        allowed=lambda stored: manages(actor, stored),
    )


@transaction.atomic
def programme_member_add(
    *, actor: Any, programme: Programme, user: Any, role: str
) -> ProgrammeMember:
    if not manages(actor, programme):
        raise PermissionDenied
    member, created = ProgrammeMember.objects.get_or_create(
        programme=programme, user=user, role=role
    )
    forget_memo(user)
    if created:
        audit_record(
            actor=actor,
            action=MEMBER_ADD,
            obj=programme,
            changes={"member": [None, f"{user.get_username()} · {member.get_role_display()}"]},
        )
    return member


@transaction.atomic
def programme_member_remove(*, actor: Any, member: ProgrammeMember) -> None:
    programme = member.programme
    if not manages(actor, programme):
        raise PermissionDenied
    if (
        member.role == MemberRole.MANAGER
        and programme.members.filter(role=MemberRole.MANAGER).count() == 1
    ):
        raise ValidationError(_("Un programme garde au moins un chargé de programme."))
    label = f"{member.user.get_username()} · {member.get_role_display()}"
    member.delete()
    forget_memo(member.user)
    audit_record(
        actor=actor, action=MEMBER_REMOVE, obj=programme, changes={"member": [label, None]}
    )


@transaction.atomic
def programme_countries_set(
    *, actor: Any, programme: Programme, shares: list[tuple[OrgUnit, Decimal]]
) -> None:
    """The countries the programme covers and their shares (adding up to 100)."""
    stored = locked(Programme, programme)
    if not manages(actor, stored):
        raise PermissionDenied
    if any(country.depth != 1 for country, _share in shares):
        raise ValidationError({"countries": _("Seuls des pays peuvent être couverts.")})
    shares_check("countries", [(c.code, p) for c, p in shares])
    before = sorted(
        f"{code} {pct}" for code, pct in stored.countries.values_list("country__code", "percentage")
    )
    stored.countries.all().delete()
    ProgrammeCountry.objects.bulk_create(
        ProgrammeCountry(programme=stored, country=c, percentage=p) for c, p in shares
    )
    after = sorted(f"{c.code} {p}" for c, p in shares)
    if before != after:
        audit_record(
            actor=actor, action=SHARES_SET, obj=stored, changes={"countries": [before, after]}
        )


def _sector_rows(shares: list[tuple[str, Decimal]]) -> None:
    unknown = [code for code, _share in shares if not sectors.is_known(code)]
    if unknown:
        raise ValidationError(
            {
                "sectors": [
                    _("%(code)s n'est pas un code de secteur CAD de la liste.") % {"code": code}
                    for code in unknown
                ]
            }
        )
    shares_check("sectors", shares)


def _sectors_replace(
    actor: Any,
    owner: Programme | Project,
    shares: list[tuple[str, Decimal]],
    model: type[ProgrammeSector] | type[ProjectSector],
) -> None:
    """Replace a programme's or a project's sectors (checked first) and audit the change."""
    _sector_rows(shares)
    before = sorted(f"{c} {p}" for c, p in owner.sectors.values_list("code", "percentage"))
    owner.sectors.all().delete()
    key = "programme" if isinstance(owner, Programme) else "project"
    rows: list[Any] = [model(**{key: owner, "code": c, "percentage": p}) for c, p in shares]
    model._default_manager.bulk_create(rows)
    after = sorted(f"{c} {p}" for c, p in shares)
    if before != after:
        audit_record(
            actor=actor, action=SHARES_SET, obj=owner, changes={"sectors": [before, after]}
        )


@transaction.atomic
def programme_sectors_set(
    *, actor: Any, programme: Programme, shares: list[tuple[str, Decimal]]
) -> None:
    stored = locked(Programme, programme)
    if not manages(actor, stored):
        raise PermissionDenied
    _sectors_replace(actor, stored, shares, ProgrammeSector)


@transaction.atomic
def project_create(*, actor: Any, programme: Programme, **fields: Any) -> Project:
    """A project of ``programme``; its country must be one the programme covers."""
    if not manages(actor, programme):
        raise PermissionDenied
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"project_create cannot set {', '.join(sorted(unknown))}")
    project = Project(programme=programme, **fields)
    project.full_clean()
    country = fields.get("country")
    if country is not None and not programme.countries.filter(country=country).exists():
        raise ValidationError(
            {"country": _("%(country)s n'est pas couvert par le programme.") % {"country": country}}
        )
    _within_programme(project, programme)
    project.save()
    audit_record(
        actor=actor, action=CREATE, obj=project, changes=diff({}, snapshot(project, PROJECT_FIELDS))
    )
    return project


@transaction.atomic
def project_update(
    *, actor: Any, project: Project | int, version: int | None, **changes: Any
) -> Project:
    return versioned_update(
        actor=actor,
        model=Project,
        obj=project,
        version=version,
        changes=changes,
        editable=PROJECT_EDITABLE,
        service="project_update",
        allowed=lambda stored: can_edit_project(actor, stored),
        check=lambda stored: _within_programme(stored, stored.programme),
    )


@transaction.atomic
def project_sectors_set(*, actor: Any, project: Project, shares: list[tuple[str, Decimal]]) -> None:
    stored = locked(Project, project)
    if not can_edit_project(actor, stored):
        raise PermissionDenied
    _sectors_replace(actor, stored, shares, ProjectSector)


@transaction.atomic
def project_locations_set(
    *, actor: Any, project: Project, shares: list[tuple[OrgUnit, Decimal]]
) -> None:
    """Where in its country the project works; every place lies in the project's country."""
    stored = locked(Project, project)
    if not can_edit_project(actor, stored):
        raise PermissionDenied
    country = stored.country
    # Paths read afresh: adding a unit to the tree may have renumbered the callers' copies.
    fresh = OrgUnit.objects.in_bulk([u.pk for u, _share in shares])
    outside = [u for u, _share in shares if country is None or not country.covers(fresh[u.pk])]
    if outside:
        raise ValidationError(
            {
                "locations": [
                    _("%(unit)s n'est pas dans le pays du projet.") % {"unit": u.code}
                    for u in outside
                ]
            }
        )
    shares_check("locations", [(u.code, p) for u, p in shares])
    before = sorted(
        f"{code} {pct}"
        for code, pct in stored.locations.values_list("org_unit__code", "percentage")
    )
    stored.locations.all().delete()
    ProjectLocation.objects.bulk_create(
        ProjectLocation(project=stored, org_unit=u, percentage=p) for u, p in shares
    )
    after = sorted(f"{u.code} {p}" for u, p in shares)
    if before != after:
        audit_record(
            actor=actor, action=SHARES_SET, obj=stored, changes={"locations": [before, after]}
        )


@transaction.atomic
def programme_projects_per_country(*, actor: Any, programme: Programme) -> list[Project]:
    """A project for each covered country that has none yet (a multi-country programme has
    a child per country): code ``<programme>-<country>``, the programme's titles, dates and
    currency followed by the country's name. Returns the projects created."""
    stored = locked(Programme, programme)
    if not manages(actor, stored):
        raise PermissionDenied
    have = set(stored.projects.exclude(country=None).values_list("country_id", flat=True))
    created = []
    for share in stored.countries.select_related("country").order_by("country__code"):
        country = share.country
        if country.pk in have:
            continue
        project = Project(
            programme=stored,
            code=f"{stored.code}-{country.code.lower()}"[:60],
            title_fr=f"{stored.title_fr} — {country.name_fr}"[:300],
            title_ar=f"{stored.title_ar} — {country.name_ar}"[:300] if stored.title_ar else "",
            title_en=(
                f"{stored.title_en} — {country.name_en or country.name_fr}"[:300]
                if stored.title_en
                else ""
            ),
            country=country,
            status=stored.status,
            start_date=stored.start_date,
            end_date=stored.end_date,
            default_currency=stored.default_currency,
        )
        project.full_clean()
        project.save()
        audit_record(
            actor=actor,
            action=CREATE,
            obj=project,
            changes=diff({}, snapshot(project, PROJECT_FIELDS)),
        )
        created.append(project)
    return created
