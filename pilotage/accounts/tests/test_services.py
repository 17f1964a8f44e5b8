from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilotage.accounts.models import ApiToken, RoleAssignment, User
from pilotage.accounts.roles import NATIONAL_ADMIN
from pilotage.accounts.services import (
    NewUser,
    RoleGrant,
    person_create,
    role_assign,
    role_revoke,
    roles_grant_bulk,
    roles_revoke_bulk,
    token_authenticate,
    token_create,
    user_create,
    users_create_bulk,
)
from pilotage.accounts.tests.factories import UserFactory
from pilotage.core.models import AuditEntry
from pilotage.core.scope import scope_of
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


# --- Set-based services ----------------------------------------------------------------


def _counts() -> tuple[int, int, int]:
    return User.objects.count(), RoleAssignment.objects.count(), AuditEntry.objects.count()


def test_bulk_accounts_have_no_password_and_one_audit_row_each(personas) -> None:  # type: ignore[no-untyped-def]
    users = users_create_bulk(
        actor=personas.head_a,
        rows=[NewUser("1234567", "Nadia", "El Fassi", "n@example.ma"), NewUser("7654321")],
    )
    assert all(u.pk and not u.has_usable_password() for u in users)
    entries = AuditEntry.objects.filter(
        object_type="accounts.user", action="create", actor=personas.head_a
    )
    assert sorted(entries.values_list("object_id", flat=True)) == sorted(str(u.pk) for u in users)
    nadia = entries.get(object_id=str(users[0].pk))
    assert nadia.actor == personas.head_a
    assert nadia.changes["username"] == [None, "1234567"]
    assert nadia.changes["email"] == [None, "n@example.ma"]


def test_bulk_accounts_refused_together(personas) -> None:  # type: ignore[no-untyped-def]
    before = _counts()
    with pytest.raises(ValidationError):
        users_create_bulk(actor=None, rows=[NewUser("new.one"), NewUser("teacher.a1")])
    with pytest.raises(ValidationError):
        users_create_bulk(actor=None, rows=[NewUser("ok"), NewUser("bad", email="not-an-address")])
    assert _counts() == before


def test_bulk_grants_are_audited_one_by_one_and_reset_the_scopes(
    personas, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    first, second = UserFactory(), UserFactory()
    assert not scope_of(first).has_role(TEACHER)  # cached on the object
    scope_of(personas.head_a)
    grants = [
        RoleGrant(first, TEACHER, personas.school_a.pk),
        RoleGrant(second, TEACHER, personas.school_a.pk),
        RoleGrant(second, PARENT, personas.school_a.pk),
    ]
    # The service's transaction (a savepoint in the test's: 2), the units (1), the savepoint
    # around the insert (2), the insert (1), the audit rows (1): the same for any number.
    with django_assert_num_queries(7):
        assignments = roles_grant_bulk(actor=personas.head_a, grants=grants)
    assert len(assignments) == 3 and all(a.pk for a in assignments)
    assert scope_of(first).has_role(TEACHER)  # the stale scope was forgotten
    entries = AuditEntry.objects.filter(
        object_type="accounts.roleassignment", action="create", actor=personas.head_a
    )
    assert sorted(entries.values_list("object_id", flat=True)) == sorted(
        str(a.pk) for a in assignments
    )
    entry = entries.get(object_id=str(assignments[2].pk))
    assert entry.actor == personas.head_a
    assert entry.changes == {
        "org_unit": [None, personas.school_a.code],
        "role": [None, PARENT],
        "user": [None, second.username],
    }
    assert all(a.created_by == personas.head_a for a in assignments)


@pytest.mark.parametrize(
    ("actor", "role", "unit"),
    [
        ("head_a", TEACHER, "school_b"),  # other school
        ("head_a", SCHOOL_HEAD, "school_a"),  # its own rank
        ("provincial_a", SCHOOL_HEAD, "school_b"),  # other province
        ("teacher_a1", PARENT, "school_a"),  # teachers grant nothing
    ],
)
def test_denied_bulk_grants_write_nothing(personas, actor: str, role: str, unit: str) -> None:  # type: ignore[no-untyped-def]
    """One refused grant among allowed ones: nothing written, no audit row."""
    newcomer = UserFactory()
    before = _counts()
    grants = [
        RoleGrant(newcomer, PARENT, personas.school_a.pk),
        RoleGrant(newcomer, role, getattr(personas, unit).pk),
    ]
    with pytest.raises(PermissionDenied):
        roles_grant_bulk(actor=getattr(personas, actor), grants=grants)
    assert _counts() == before


def test_bulk_grant_of_a_role_already_held_writes_nothing(personas) -> None:  # type: ignore[no-untyped-def]
    newcomer = UserFactory()
    before = _counts()
    with pytest.raises(ValidationError, match="déjà ce rôle"):
        roles_grant_bulk(
            actor=personas.head_a,
            grants=[
                RoleGrant(newcomer, TEACHER, personas.school_a.pk),
                RoleGrant(personas.teacher_a1, TEACHER, personas.school_a.pk),
            ],
        )
    assert _counts() == before
    assert roles_grant_bulk(actor=personas.head_a, grants=[]) == []


def test_bulk_revokes_are_audited_and_denied_outside_scope(personas) -> None:  # type: ignore[no-untyped-def]
    assignment = RoleAssignment.objects.get(user=personas.teacher_a1)
    scope_of(personas.teacher_a1)
    assignment.user = personas.teacher_a1
    before = _counts()
    with pytest.raises(PermissionDenied):
        roles_revoke_bulk(actor=personas.head_b, assignments=[assignment])
    assert _counts() == before
    assert roles_revoke_bulk(actor=personas.head_a, assignments=[assignment]) == 1
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert not scope_of(personas.teacher_a1).has_role(TEACHER)
    entry = AuditEntry.objects.get(action="delete", object_type="accounts.roleassignment")
    assert entry.object_id == str(assignment.pk) and entry.actor == personas.head_a
    assert entry.changes["user"] == ["teacher.a1", None]
    assert roles_revoke_bulk(actor=personas.head_a, assignments=[]) == 0
