from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilotage.accounts.models import ApiToken, RoleAssignment, User
from pilotage.accounts.roles import NATIONAL_ADMIN
from pilotage.accounts.services import (
    person_create,
    role_assign,
    role_revoke,
    token_authenticate,
    token_create,
    user_create,
)
from pilotage.accounts.tests.factories import UserFactory
from pilotage.core.models import AuditEntry
from pilotage.core.tests.support import unchanged
from pilotage.orgunits.roles import PROVINCIAL_OFFICER, REGIONAL_OFFICER
from pilotage.schooling.roles import PARENT, SCHOOL_HEAD, TEACHER

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("actor", "role", "unit"),
    [
        ("national_admin", REGIONAL_OFFICER, "region_b"),
        ("regional_officer", PROVINCIAL_OFFICER, "province_a"),
        ("provincial_a", SCHOOL_HEAD, "school_a"),
        ("head_a", TEACHER, "school_a"),
        ("head_a", PARENT, "school_a"),
    ],
)
def test_managers_grant_below_themselves(personas, actor: str, role: str, unit: str) -> None:  # type: ignore[no-untyped-def]
    newcomer = UserFactory()
    assignment = role_assign(
        actor=getattr(personas, actor), user=newcomer, role=role, org_unit=getattr(personas, unit)
    )
    entry = AuditEntry.objects.get(
        object_type="accounts.roleassignment", object_id=str(assignment.pk)
    )
    assert entry.actor == getattr(personas, actor)
    assert entry.changes["role"] == [None, role]


@pytest.mark.parametrize(
    ("actor", "role", "unit"),
    [
        ("regional_officer", PROVINCIAL_OFFICER, "province_b"),  # outside the region
        ("regional_officer", NATIONAL_ADMIN, "region_a"),  # above its own rank
        ("provincial_a", SCHOOL_HEAD, "school_b"),  # other province
        ("provincial_a", PROVINCIAL_OFFICER, "province_a"),  # its own rank
        ("head_a", SCHOOL_HEAD, "school_a"),
        ("head_a", TEACHER, "school_b"),
        ("teacher_a1", PARENT, "school_a"),  # teachers grant nothing
        ("parent_a", PARENT, "school_a"),
        ("agent", TEACHER, "school_a"),  # a person without a role hands out none
    ],
)
def test_denied_grants_change_nothing(personas, actor: str, role: str, unit: str) -> None:  # type: ignore[no-untyped-def]
    newcomer = UserFactory()
    assignments, audit = RoleAssignment.objects.count(), AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        role_assign(
            actor=getattr(personas, actor),
            user=newcomer,
            role=role,
            org_unit=getattr(personas, unit),
        )
    assert RoleAssignment.objects.count() == assignments
    assert AuditEntry.objects.count() == audit


def test_same_grant_twice_is_a_clear_error(personas) -> None:  # type: ignore[no-untyped-def]
    with unchanged(RoleAssignment), pytest.raises(ValidationError, match="déjà ce rôle"):
        role_assign(
            actor=personas.head_a,
            user=personas.teacher_a1,
            role=TEACHER,
            org_unit=personas.school_a,
        )


def test_revoke_is_audited_and_denied_outside_scope(personas) -> None:  # type: ignore[no-untyped-def]
    assignment = RoleAssignment.objects.get(user=personas.teacher_a1)
    with unchanged(RoleAssignment), pytest.raises(PermissionDenied):
        role_revoke(actor=personas.head_b, assignment=assignment)
    role_revoke(actor=personas.head_a, assignment=assignment)
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    entry = AuditEntry.objects.filter(action="delete", object_type="accounts.roleassignment").get()
    assert entry.changes["user"] == ["teacher.a1", None]


def test_tokens_store_only_a_digest(personas) -> None:  # type: ignore[no-untyped-def]
    token, raw = token_create(actor=personas.provincial_a, name="Tableur DP")
    assert raw.startswith("plt_") and raw not in token.digest
    assert not ApiToken.objects.filter(digest=raw).exists()
    assert token_authenticate(raw) == personas.provincial_a
    assert token_authenticate(raw + "x") is None
    personas.provincial_a.is_active = False
    personas.provincial_a.save(update_fields=["is_active"])
    assert token_authenticate(raw) is None


def _new_teacher(personas, email: str) -> User:  # type: ignore[no-untyped-def]
    return person_create(
        actor=personas.head_a,
        username="salma.tazi",
        first_name="Salma",
        last_name="Tazi",
        email=email,
        role=TEACHER,
        org_unit=personas.school_a,
    )


def test_person_without_email_is_refused_and_nothing_is_written(personas) -> None:  # type: ignore[no-untyped-def]
    users, audit = User.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        _new_teacher(personas, "")
    assert list(refused.value.message_dict) == ["email"]
    assert (User.objects.count(), AuditEntry.objects.count()) == (users, audit)


def test_person_with_email_gets_an_account_without_password(personas) -> None:  # type: ignore[no-untyped-def]
    user = _new_teacher(personas, "salma.tazi@example.ma")
    assert user.email == "salma.tazi@example.ma" and not user.has_usable_password()


def test_an_account_with_a_password_may_have_no_email(db) -> None:  # type: ignore[no-untyped-def]
    user = user_create(actor=None, username="kiosque", password="un-long-mot-de-passe")
    assert user.email == "" and user.has_usable_password()
