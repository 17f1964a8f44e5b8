"""Every write to users, role assignments and API tokens. Each one is audited."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pilotage.accounts.models import ApiToken, RoleAssignment, User
from pilotage.accounts.permissions import can_assign_role, grantable_roles_at
from pilotage.core.audit import (
    CREATE,
    DELETE,
    UPDATE,
    audit_record,
    audit_record_bulk,
    diff,
    snapshot,
)
from pilotage.core.db import bulk_create_or_refuse, save_or_refuse
from pilotage.core.roles import registry
from pilotage.core.scope import forget_scope
from pilotage.orgunits.models import OrgUnit

NO_EMAIL = gettext_lazy(
    "Adresse électronique obligatoire : le premier mot de passe se choisit par le lien "
    "envoyé à cette adresse, sans elle le compte ne pourrait jamais servir."
)
USER_FIELDS = ("username", "first_name", "last_name", "email", "preferred_language", "is_active")


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    preferred_language: str = "fr",
) -> User:
    """Without a password, the owner chooses one through the e-mailed link: such an account
    needs an address."""
    if not password and not email.strip():
        raise ValidationError({"email": [NO_EMAIL]})
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        preferred_language=preferred_language,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    audit_record(
        actor=actor, action=CREATE, obj=user, changes=diff({}, snapshot(user, USER_FIELDS))
    )
    return user


@transaction.atomic
def person_create(
    *,
    actor: Any,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    org_unit: OrgUnit,
) -> User:
    """A new account with its first role, both or neither. The account has no usable
    password until its owner sets one through the password-reset e-mail."""
    if not can_assign_role(actor, role, org_unit):
        raise PermissionDenied(_("Vous ne pouvez pas attribuer ce rôle sur cette unité."))
    user = user_create(
        actor=actor,
        username=username,
        password=None,
        first_name=first_name,
        last_name=last_name,
        email=email,
    )
    role_assign(actor=actor, user=user, role=role, org_unit=org_unit)
    return user


@transaction.atomic
def user_set_language(*, actor: Any, user: User, language: str, audited: bool = True) -> None:
    """``audited=False`` is for the sync at login, which copies the language the browser
    already speaks into the profile: a routine save, not a change a person made, and one
    that would otherwise add a row at many logins."""
    before = snapshot(user, ("preferred_language",))
    user.preferred_language = language
    user.full_clean(exclude=["password"], validate_unique=False)
    changes = diff(before, snapshot(user, ("preferred_language",)))
    if changes:
        user.save(update_fields=["preferred_language"])
        if audited:
            audit_record(actor=actor, action=UPDATE, obj=user, changes=changes)


def _assignment_values(assignment: RoleAssignment) -> dict[str, Any]:
    return {
        "user": assignment.user.username,
        "role": assignment.role,
        "org_unit": assignment.org_unit.code,
    }


def _check_grant(actor: Any, role: str, org_unit: OrgUnit, message: str, check: bool) -> None:
    """``check=False`` is for the Django admin, whose own permissions (staff with the model
    permission) decide there; the write is audited all the same."""
    if check and actor is not None and not can_assign_role(actor, role, org_unit):
        raise PermissionDenied(message)


@transaction.atomic
def role_assign(
    *, actor: Any, user: User, role: str, org_unit: OrgUnit, check: bool = True
) -> RoleAssignment:
    """Give ``user`` the ``role`` over ``org_unit``'s subtree. The actor may only hand out
    the roles their own assignments allow, inside their own subtree."""
    _check_grant(
        actor, role, org_unit, _("Vous ne pouvez pas attribuer ce rôle sur cette unité."), check
    )
    assignment = RoleAssignment(user=user, role=role, org_unit=org_unit, created_by=actor)
    assignment.full_clean(validate_unique=False, validate_constraints=False)
    save_or_refuse(
        assignment,
        _("Cette personne a déjà ce rôle sur cette unité."),
    )
    audit_record(
        actor=actor,
        action=CREATE,
        obj=assignment,
        changes=diff({}, _assignment_values(assignment)),
    )
    forget_scope(user)
    return assignment


@transaction.atomic
def role_change(
    *, actor: Any, assignment: RoleAssignment, role: str, org_unit: OrgUnit, check: bool = True
) -> None:
    """Move an assignment to another role or unit; the actor must be able to grant both
    the old and the new one."""
    current = RoleAssignment.objects.select_related("user", "org_unit").get(pk=assignment.pk)
    message = _("Vous ne pouvez pas attribuer ce rôle sur cette unité.")
    _check_grant(actor, current.role, current.org_unit, message, check)
    _check_grant(actor, role, org_unit, message, check)
    before = _assignment_values(current)
    current.role, current.org_unit = role, org_unit
    current.full_clean(validate_unique=False, validate_constraints=False)
    changes = diff(before, _assignment_values(current))
    if not changes:
        return
    save_or_refuse(
        current,
        _("Cette personne a déjà ce rôle sur cette unité."),
        update_fields=["role", "org_unit"],
    )
    audit_record(actor=actor, action=UPDATE, obj=current, changes=changes)
    assignment.role, assignment.org_unit = role, org_unit
    forget_scope(current.user)


@transaction.atomic
def role_revoke(*, actor: Any, assignment: RoleAssignment, check: bool = True) -> None:
    _check_grant(
        actor, assignment.role, assignment.org_unit, _("Vous ne pouvez pas retirer ce rôle."), check
    )
    audit_record(
        actor=actor,
        action=DELETE,
        obj=assignment,
        changes=diff(_assignment_values(assignment), {}),
    )
    assignment.delete()
    forget_scope(assignment.user)


# --- Set-based: the imports create accounts and hand out roles by the thousand -----------


@dataclass(frozen=True, slots=True)
class NewUser:
    username: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    preferred_language: str = "fr"


@dataclass(frozen=True, slots=True)
class RoleGrant:
    user: User
    role: str
    org_unit_id: int


@transaction.atomic
def users_create_bulk(*, actor: Any, rows: Sequence[NewUser]) -> list[User]:
    """Accounts without a usable password, one audit row each, in one INSERT per batch.

    For the school-records imports: a ministry file may carry no address yet, so unlike
    :func:`user_create` none is required; the owner gets in once one is known (the
    first-access e-mail). Fields are checked without a query per row; the unique
    username is the database's to enforce."""
    users = []
    for row in rows:
        user = User(
            username=row.username,
            first_name=row.first_name,
            last_name=row.last_name,
            email=row.email,
            preferred_language=row.preferred_language,
            password=make_password(None),
        )
        user.clean_fields(exclude=["password", "last_login", "date_joined"])
        users.append(user)
    bulk_create_or_refuse(User, users, _("Un de ces identifiants existe déjà."))
    audit_record_bulk(
        actor=actor,
        action="create",
        entries=[(u, diff({}, snapshot(u, USER_FIELDS))) for u in users],
    )
    return users


@transaction.atomic
def roles_grant_bulk(
    *, actor: Any, grants: Sequence[RoleGrant], check: bool = True
) -> list[RoleAssignment]:
    """:func:`role_assign` for many at once: all granted, or none (a refused one raises
    PermissionDenied before anything is written). The units are read with one query and
    the actor's reach with at most one; the assignments and their audit rows are bulk
    inserted. ``check=False`` is for callers that decided the grant themselves."""
    if not grants:
        return []
    unknown = {g.role for g in grants} - set(registry().roles)
    if unknown:
        raise ValidationError(_("Rôle inconnu : %(role)s") % {"role": ", ".join(sorted(unknown))})
    units = OrgUnit.objects.only("id", "path", "code").in_bulk({g.org_unit_id for g in grants})
    if len(units) != len({g.org_unit_id for g in grants}):
        raise ValidationError(_("Unité inconnue."))
    if check and actor is not None:
        for role, unit_id in {(g.role, g.org_unit_id) for g in grants}:
            if role not in grantable_roles_at(actor, units[unit_id].path):
                raise PermissionDenied(_("Vous ne pouvez pas attribuer ce rôle sur cette unité."))
    assignments = [
        RoleAssignment(user=g.user, role=g.role, org_unit=units[g.org_unit_id], created_by=actor)
        for g in grants
    ]
    bulk_create_or_refuse(
        RoleAssignment, assignments, _("Cette personne a déjà ce rôle sur cette unité.")
    )
    audit_record_bulk(
        actor=actor,
        action="create",
        entries=[(a, diff({}, _assignment_values(a))) for a in assignments],
    )
    _forget_scopes(g.user for g in grants)
    return assignments


@transaction.atomic
def roles_revoke_bulk(
    *, actor: Any, assignments: Iterable[RoleAssignment], check: bool = True
) -> int:
    """:func:`role_revoke` for many at once: all revoked, or none. The assignments are read
    again with their user and unit in one query (what the audit rows name, and what the
    check needs); returns how many were revoked."""
    given = list(assignments)
    if not given:
        return 0
    current = list(
        RoleAssignment.objects.select_related("user", "org_unit")
        .filter(pk__in=[a.pk for a in given])
        .order_by("pk")
    )
    if check and actor is not None:
        for a in current:
            if a.role not in grantable_roles_at(actor, a.org_unit.path):
                raise PermissionDenied(_("Vous ne pouvez pas retirer ce rôle."))
    audit_record_bulk(
        actor=actor,
        action="delete",
        entries=[(a, diff(_assignment_values(a), {})) for a in current],
    )
    RoleAssignment.objects.filter(pk__in=[a.pk for a in current]).delete()
    # The callers' user objects may hold a scope read before: forget it there too.
    _forget_scopes(
        [a.user for a in current]
        + [a._state.fields_cache["user"] for a in given if "user" in a._state.fields_cache]
    )
    return len(current)


def _forget_scopes(users: Iterable[Any]) -> None:
    for user in users:
        forget_scope(user)


@transaction.atomic
def token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its raw value, which is shown once and never stored."""
    raw, prefix, digest = ApiToken.generate()
    token = ApiToken(user=actor, name=name.strip(), prefix=prefix, digest=digest)
    token.full_clean()
    token.save()
    audit_record(actor=actor, action=CREATE, obj=token, changes={"name": [None, token.name]})
    return token, raw


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> None:
    audit_record(actor=actor, action=DELETE, obj=token, changes={"name": [token.name, None]})
    token.delete()


def token_authenticate(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.digest_of(raw), user__is_active=True)
        .first()
    )
    if token is None or (token.expires_at and token.expires_at < timezone.now()):
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
