"""The Django admin's changes to users and role assignments reach the audit log."""

from __future__ import annotations

from typing import Any

import pytest

from pilotage.accounts.models import RoleAssignment, User
from pilotage.accounts.roles import NATIONAL_ADMIN
from pilotage.accounts.tests.factories import UserFactory
from pilotage.core.models import AuditEntry
from pilotage.schooling.roles import PARENT, SCHOOL_HEAD

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(personas) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def _change_form(user: User, assignments: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    """The POST of the admin's change page of ``user``: their fields (``fields`` changed)
    and one inline row per entry of ``assignments`` (``id`` for an existing one)."""
    data: dict[str, Any] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": f"{user.date_joined:%Y-%m-%d}",
        "date_joined_1": f"{user.date_joined:%H:%M:%S}",
        "preferred_language": user.preferred_language,
        "assignments-TOTAL_FORMS": str(len(assignments)),
        "assignments-INITIAL_FORMS": str(sum(1 for a in assignments if "id" in a)),
        "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(assignments):
        data[f"assignments-{i}-user"] = str(user.pk)
        for key, value in row.items():
            data[f"assignments-{i}-{key}"] = value
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def _audit(object_type: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type=object_type).order_by("id"))


def _post(client, user: User, data: dict[str, Any]):  # type: ignore[no-untyped-def]
    return client.post(f"/admin/accounts/user/{user.pk}/change/", data)


def test_assignment_added_in_the_admin_is_audited(client, personas, superuser) -> None:  # type: ignore[no-untyped-def]
    teacher = personas.teacher_a1
    existing = teacher.assignments.get()
    client.force_login(superuser)
    before = AuditEntry.objects.count()
    response = _post(
        client,
        teacher,
        _change_form(
            teacher,
            [
                {"id": str(existing.pk), "role": existing.role, "org_unit": existing.org_unit_id},
                {"role": PARENT, "org_unit": str(personas.school_a.pk)},
            ],
        ),
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    added = teacher.assignments.get(role=PARENT)
    [entry] = AuditEntry.objects.order_by("id")[before:]
    assert (entry.actor, entry.action, entry.object_type, entry.object_id) == (
        superuser,
        "create",
        "accounts.roleassignment",
        str(added.pk),
    )
    assert entry.changes == {
        "org_unit": [None, "04101A"],
        "role": [None, "parent"],
        "user": [None, "teacher.a1"],
    }


def test_assignment_changed_in_the_admin_is_audited(client, personas, superuser) -> None:  # type: ignore[no-untyped-def]
    teacher = personas.teacher_a1
    existing = teacher.assignments.get()
    client.force_login(superuser)
    response = _post(
        client,
        teacher,
        _change_form(
            teacher,
            [{"id": str(existing.pk), "role": SCHOOL_HEAD, "org_unit": existing.org_unit_id}],
        ),
    )
    assert response.status_code == 302
    existing.refresh_from_db()
    assert existing.role == SCHOOL_HEAD
    [entry] = _audit("accounts.roleassignment")[-1:]
    assert (entry.actor, entry.action, entry.object_id) == (superuser, "update", str(existing.pk))
    assert entry.changes == {"role": ["teacher", "school_head"]}


def test_assignment_deleted_in_the_admin_is_audited(client, personas, superuser) -> None:  # type: ignore[no-untyped-def]
    teacher = personas.teacher_a1
    existing = teacher.assignments.get()
    client.force_login(superuser)
    response = _post(
        client,
        teacher,
        _change_form(
            teacher,
            [
                {
                    "id": str(existing.pk),
                    "role": existing.role,
                    "org_unit": existing.org_unit_id,
                    "DELETE": "on",
                }
            ],
        ),
    )
    assert response.status_code == 302
    assert not teacher.assignments.exists()
    [entry] = _audit("accounts.roleassignment")[-1:]
    assert (entry.actor, entry.action, entry.object_id) == (superuser, "delete", str(existing.pk))
    assert entry.changes == {
        "org_unit": ["04101A", None],
        "role": ["teacher", None],
        "user": ["teacher.a1", None],
    }


def test_staff_flag_set_in_the_admin_is_audited(client, personas, superuser) -> None:  # type: ignore[no-untyped-def]
    teacher = personas.teacher_a1
    existing = teacher.assignments.get()
    client.force_login(superuser)
    row = {"id": str(existing.pk), "role": existing.role, "org_unit": existing.org_unit_id}
    response = _post(client, teacher, _change_form(teacher, [row], is_staff="on"))
    assert response.status_code == 302
    [entry] = _audit("accounts.user")[-1:]
    assert (entry.actor, entry.action, entry.object_id) == (superuser, "update", str(teacher.pk))
    assert entry.changes == {"is_staff": [False, True]}
    assert not AuditEntry.objects.filter(object_type="accounts.roleassignment", actor=superuser)


def test_user_deleted_in_the_admin_is_audited_with_their_roles(client, personas, superuser) -> None:  # type: ignore[no-untyped-def]
    teacher = personas.teacher_a1
    assignment_pk = teacher.assignments.get().pk
    client.force_login(superuser)
    response = client.post(f"/admin/accounts/user/{teacher.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=teacher.pk).exists()
    revoked, deleted = AuditEntry.objects.order_by("-id")[:2][::-1]
    assert (revoked.action, revoked.object_id) == ("delete", str(assignment_pk))
    assert (deleted.actor, deleted.action, deleted.object_type) == (
        superuser,
        "delete",
        "accounts.user",
    )
    assert deleted.changes["username"] == ["teacher.a1", None]


def test_duplicate_assignment_in_the_admin_is_a_form_error(client, personas, superuser) -> None:  # type: ignore[no-untyped-def]
    teacher = personas.teacher_a1
    existing = teacher.assignments.get()
    client.force_login(superuser)
    before = (RoleAssignment.objects.count(), AuditEntry.objects.count())
    row = {"role": existing.role, "org_unit": existing.org_unit_id}
    response = _post(client, teacher, _change_form(teacher, [{"id": str(existing.pk), **row}, row]))
    assert response.status_code == 200
    assert (RoleAssignment.objects.count(), AuditEntry.objects.count()) == before


def test_the_admin_is_closed_to_non_staff(client, personas) -> None:  # type: ignore[no-untyped-def]
    head = personas.head_a
    teacher = personas.teacher_a1
    client.force_login(head)
    before = (RoleAssignment.objects.count(), AuditEntry.objects.count())
    response = _post(
        client,
        teacher,
        _change_form(teacher, [{"role": NATIONAL_ADMIN, "org_unit": str(personas.country.pk)}]),
    )
    assert response.status_code == 404
    assert (RoleAssignment.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/login/", "/admin/accounts/user/", "/admin/logout/", "/admin/nope/"]
)
def test_the_admin_does_not_exist_for_outsiders(client, personas, url) -> None:  # type: ignore[no-untyped-def]
    assert client.get(url).status_code == 404
    client.force_login(personas.national_admin)  # every role, but not staff
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def test_staff_log_in_through_the_sites_login_page(client, superuser) -> None:  # type: ignore[no-untyped-def]
    client.force_login(superuser)
    assert client.get("/admin/").status_code == 200
    response = client.get("/admin/login/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
