"""Every write to users, role assignments and API tokens. Each one is audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pilotage.accounts.models import ApiToken, RoleAssignment, User
from pilotage.accounts.permissions import can_assign_role
from pilotage.accounts.scope import forget_scope
from pilotage.core.audit import audit_record, diff, snapshot
from pilotage.core.db import save_or_refuse
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
        actor=actor, action="create", obj=user, changes=diff({}, snapshot(user, USER_FIELDS))
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
def user_set_language(*, actor: Any, user: User, language: str) -> None:
    before = snapshot(user, ("preferred_language",))
    user.preferred_language = language
    user.full_clean(exclude=["password"], validate_unique=False)
    changes = diff(before, snapshot(user, ("preferred_language",)))
    if changes:
        user.save(update_fields=["preferred_language"])
        audit_record(actor=actor, action="update", obj=user, changes=changes)


@transaction.atomic
def role_assign(*, actor: Any, user: User, role: str, org_unit: OrgUnit) -> RoleAssignment:
    """Give ``user`` the ``role`` over ``org_unit``'s subtree. The actor may only hand out
    the roles their own assignments allow, inside their own subtree."""
    if actor is not None and not can_assign_role(actor, role, org_unit):
        raise PermissionDenied(_("Vous ne pouvez pas attribuer ce rôle sur cette unité."))
    assignment = RoleAssignment(user=user, role=role, org_unit=org_unit, created_by=actor)
    assignment.full_clean(validate_unique=False, validate_constraints=False)
    save_or_refuse(
        assignment,
        _("Cette personne a déjà ce rôle sur cette unité."),
    )
    audit_record(
        actor=actor,
        action="create",
        obj=assignment,
        changes={
            "user": [None, user.username],
            "role": [None, role],
            "org_unit": [None, org_unit.code],
        },
    )
    forget_scope(user)
    return assignment


@transaction.atomic
def role_revoke(*, actor: Any, assignment: RoleAssignment) -> None:
    if actor is not None and not can_assign_role(actor, assignment.role, assignment.org_unit):
        raise PermissionDenied(_("Vous ne pouvez pas retirer ce rôle."))
    audit_record(
        actor=actor,
        action="delete",
        obj=assignment,
        changes={
            "user": [assignment.user.username, None],
            "role": [assignment.role, None],
            "org_unit": [assignment.org_unit.code, None],
        },
    )
    assignment.delete()
    forget_scope(assignment.user)


@transaction.atomic
def token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its raw value, which is shown once and never stored."""
    raw, prefix, digest = ApiToken.generate()
    token = ApiToken(user=actor, name=name.strip(), prefix=prefix, digest=digest)
    token.full_clean()
    token.save()
    audit_record(actor=actor, action="create", obj=token, changes={"name": [None, token.name]})
    return token, raw


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> None:
    audit_record(actor=actor, action="delete", obj=token, changes={"name": [token.name, None]})
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
