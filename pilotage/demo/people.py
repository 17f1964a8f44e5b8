"""Demo accounts: one per role for someone trying the platform, and, at the larger scales,
one school head per school so that every school's pages have an owner.

Every account gets the same password, each hashed with its own salt: two accounts never
share a hash, so nothing in the table says which passwords are alike. Argon2 at the
production cost takes from a tenth of a second to a second a hash (measured: about 1 s on
a loaded two-core machine), far too slow for the tens of thousands of accounts of the larger
scales; the seed hashes with Argon2 at its lowest cost (about 0.2 ms a hash, so a second
for 5,000 accounts), and Django brings each hash to the configured cost at the account's
first login (the hasher's ``must_update``). The password is printed in the README: the low
cost protects nothing that is secret.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db.models import Q

from pilotage.accounts.models import RoleAssignment, User
from pilotage.accounts.roles import NATIONAL_ADMIN
from pilotage.accounts.services import role_assign, user_create
from pilotage.contact.roles import CONTACT_AGENT, CONTACT_SUPERVISOR
from pilotage.cooperation.roles import (
    CONSULTANT,
    COOPERATION_HEAD,
    COUNTRY_COORDINATOR,
    FINANCE_OFFICER,
    PARTNER,
    PROGRAMME_MANAGER,
)
from pilotage.core.audit import SEED, UPDATE, audit_record
from pilotage.demo.context import Context
from pilotage.demo.names import draw_sex, person_name
from pilotage.demo.orgunits import SCHOOL_DEPTH, provinces_in_scale
from pilotage.orgunits.models import OrgUnit, School
from pilotage.orgunits.roles import PROVINCIAL_OFFICER, REGIONAL_OFFICER
from pilotage.schooling.roles import PARENT, SCHOOL_HEAD, TEACHER
from pilotage.surveys.roles import ENUMERATOR, SURVEY_MANAGER

PASSWORD = "pilotage-demo"  # noqa: S105 (printed for everyone on purpose: demo data only)
EMAIL_DOMAIN = "pilotage.example"
SCHOOL_HEAD_PREFIX = "chef."
# Teachers made by the schooling step: "ens." and their PPR (staff number).
TEACHER_PREFIX = "ens."
# School heads are mostly men, more so than teachers; a rough figure for the demo only.
SCHOOL_HEADS_MEN_SHARE = 0.7

# Where an account's unit is not a fixed code.
FIRST_SCHOOL = "first-school-of-MA-TNG"
HOME_PROVINCE = "MA-TNG"
HOME_REGION = "MA-01"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    unit: str  # an org-unit code, or FIRST_SCHOOL
    superuser: bool = False


DEMO_ACCOUNTS: list[DemoAccount] = [
    DemoAccount("admin", NATIONAL_ADMIN, "MA", superuser=True),
    DemoAccount("region.tanger", REGIONAL_OFFICER, HOME_REGION),
    DemoAccount("dp.tanger", PROVINCIAL_OFFICER, HOME_PROVINCE),
    # A second province outside the home region, to show that provinces do not see each
    # other: Fès when it is loaded, otherwise the first one outside MA-01.
    DemoAccount("dp.fes", PROVINCIAL_OFFICER, "MA-FES"),
    DemoAccount("directeur", SCHOOL_HEAD, FIRST_SCHOOL),
    DemoAccount("enseignant", TEACHER, FIRST_SCHOOL),
    DemoAccount("parent", PARENT, FIRST_SCHOOL),
    # The cooperation service (see demo/cooperation.py): its head, a programme manager, a
    # finance officer, the coordinator of one country, a consultant there and a partner.
    DemoAccount("coop.chef", COOPERATION_HEAD, "MA"),
    DemoAccount("coop.programme", PROGRAMME_MANAGER, "MA"),
    DemoAccount("coop.finance", FINANCE_OFFICER, "MA"),
    DemoAccount("coord.senegal", COUNTRY_COORDINATOR, "SN"),
    DemoAccount("consultant.senegal", CONSULTANT, "SN"),
    DemoAccount("partenaire.unesco", PARTNER, "MA"),
    # The contact centre (see demo/contact.py): its supervisor, an agent for the whole
    # country and one posted at the Fès-Meknès academy.
    DemoAccount("superviseur.contact", CONTACT_SUPERVISOR, "MA"),
    DemoAccount("agent.contact", CONTACT_AGENT, "MA"),
    DemoAccount("agent.fes", CONTACT_AGENT, "MA-03"),
    # The surveys (see demo/surveys.py): the national survey manager and an enumerator of
    # the home region.
    DemoAccount("enquetes", SURVEY_MANAGER, "MA"),
    DemoAccount("enqueteur.tanger", ENUMERATOR, HOME_REGION),
]
DEMO_USERNAMES = [a.username for a in DEMO_ACCOUNTS]


def first_school() -> OrgUnit | None:
    province = OrgUnit.objects.filter(code=HOME_PROVINCE).first()
    if province is None:
        return None
    return (
        OrgUnit.objects.filter(depth=SCHOOL_DEPTH, path__startswith=province.path)
        .order_by("path")
        .first()
    )


def _other_province() -> OrgUnit | None:
    fes = OrgUnit.objects.filter(code="MA-FES", depth=3).first()
    if fes is not None:
        return fes
    region = OrgUnit.objects.filter(code=HOME_REGION).first()
    others = OrgUnit.objects.filter(depth=3).order_by("code")
    if region is not None:
        others = others.exclude(path__startswith=region.path)
    return others.first()


def _unit_for(account: DemoAccount) -> OrgUnit:
    if account.unit == FIRST_SCHOOL:
        unit = first_school()
    elif account.unit == "MA-FES":
        unit = _other_province()
    else:
        unit = OrgUnit.objects.filter(code=account.unit).first()
    if unit is None:
        raise LookupError(f"no org unit for the demo account {account.username}")
    return unit


def _email(username: str) -> str:
    return f"{username}@{EMAIL_DOMAIN}"


class _SeedHasher(Argon2PasswordHasher):
    """Argon2 at its lowest cost, under the production hasher's name so that a login
    verifies it and then re-hashes at full cost."""

    time_cost = 1
    memory_cost = 8
    parallelism = 1


_SEED_HASHER = _SeedHasher()


def password_hash() -> str:
    """A hash of :data:`PASSWORD` with a fresh 128-bit salt, for one account."""
    return _SEED_HASHER.encode(PASSWORD, secrets.token_hex(16))


def create_demo_accounts(ctx: Context) -> None:
    """Through the account services, so these few get the same validation and audit as
    accounts made in the application."""
    ctx.progress.total(len(DEMO_ACCOUNTS))
    rng = ctx.rng("people", "accounts")
    for account in DEMO_ACCOUNTS:
        name = person_name(rng, draw_sex(rng, 0.5))
        user = user_create(
            actor=None,
            username=account.username,
            password=None,
            first_name=name.first_name,
            last_name=name.last_name,
            email=_email(account.username),
        )
        user.password = password_hash()
        fields = ["password"]
        if account.superuser:
            user.is_staff = user.is_superuser = True
            fields += ["is_staff", "is_superuser"]
            audit_record(
                actor=None,
                action=UPDATE,
                obj=user,
                changes={"is_staff": [False, True], "is_superuser": [False, True]},
            )
        user.save(update_fields=fields)
        role_assign(actor=None, user=user, role=account.role, org_unit=_unit_for(account))
        ctx.progress.advance(1, account.username)


def create_school_heads(ctx: Context) -> None:
    """One ``chef.<school code>`` per school, inserted in bulk province by province."""
    if not ctx.scale.school_heads:
        ctx.progress.total(0)
        return
    provinces = provinces_in_scale(ctx.scale)
    in_scale = Q()
    for province in provinces:
        in_scale |= Q(org_unit__path__startswith=province.path)
    ctx.progress.total(School.objects.filter(in_scale).count())
    for province in provinces:
        province_unit = OrgUnit.objects.get(code=province.code)
        rng = ctx.rng("people", "school-heads", province.code)
        schools = list(
            School.objects.filter(org_unit__path__startswith=province.path)
            .order_by("org_unit__path")
            .values_list("org_unit_id", "school_code")
        )
        for start in range(0, len(schools), ctx.batch_size):
            batch = schools[start : start + ctx.batch_size]
            users = []
            for _unit_id, code in batch:
                name = person_name(rng, draw_sex(rng, SCHOOL_HEADS_MEN_SHARE))
                username = f"{SCHOOL_HEAD_PREFIX}{code.lower()}"
                users.append(
                    User(
                        username=username,
                        password=password_hash(),
                        first_name=name.first_name,
                        last_name=name.last_name,
                        email=_email(username),
                    )
                )
            User.objects.bulk_create(users)
            if any(user.pk is None for user in users):
                raise RuntimeError("this database backend does not return ids from bulk inserts")
            RoleAssignment.objects.bulk_create(
                RoleAssignment(user_id=user.pk, role=SCHOOL_HEAD, org_unit_id=unit_id)
                for user, (unit_id, _code) in zip(users, batch, strict=True)
            )
            audit_record(
                actor=None,
                action=SEED,
                obj=province_unit,
                changes={"school_heads": [None, len(users)], "seed": [None, ctx.seed]},
            )
            ctx.progress.advance(len(users), province.code)
