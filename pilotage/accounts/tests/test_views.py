from __future__ import annotations

import re

import pytest

from pilotage.accounts.models import Role, RoleAssignment
from pilotage.accounts.tests.factories import PASSWORD, UserFactory
from pilotage.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_people_list_is_scoped(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.provincial_a)
    body = client.get("/accounts/people/").content.decode()
    assert "head.a" in body and "teacher.a1" in body
    assert "head.b" not in body and "dp.b" not in body and "admin.national" not in body


def test_people_list_query_count_is_fixed(client, personas, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.national_admin)
    # session, user, scope, count, page of users, their assignments (one prefetch),
    # menu checks: independent of the number of people.
    with django_assert_max_num_queries(8) as first:
        client.get("/accounts/people/")
    for _ in range(30):
        RoleAssignment.objects.create(
            user=UserFactory(), role=Role.TEACHER, org_unit=personas.school_b
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        body = client.get("/accounts/people/").content.decode()
    assert body.count("/accounts/people/") >= 30


@pytest.mark.parametrize("persona", ["teacher_a1", "parent_a", "agent"])
def test_people_pages_are_hidden_from_non_managers(client, personas, persona: str) -> None:  # type: ignore[no-untyped-def]
    client.force_login(getattr(personas, persona))
    assert client.get("/accounts/people/").status_code == 404
    assert client.get(f"/accounts/people/{personas.head_a.pk}/").status_code == 404


def test_person_outside_scope_is_404(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.provincial_a)
    assert client.get(f"/accounts/people/{personas.head_b.pk}/").status_code == 404
    assert client.get(f"/accounts/people/{personas.head_a.pk}/").status_code == 200


def test_grant_through_the_page(client, personas) -> None:  # type: ignore[no-untyped-def]
    newcomer = UserFactory(username="nouvelle.enseignante")
    RoleAssignment.objects.create(user=newcomer, role=Role.PARENT, org_unit=personas.school_a)
    client.force_login(personas.head_a)
    response = client.post(
        f"/accounts/people/{newcomer.pk}/", {"role": Role.TEACHER, "org_unit": "04101A"}
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=newcomer, role=Role.TEACHER).exists()


def test_grant_outside_scope_through_the_page_is_refused(client, personas) -> None:  # type: ignore[no-untyped-def]
    newcomer = UserFactory()
    RoleAssignment.objects.create(user=newcomer, role=Role.PARENT, org_unit=personas.school_a)
    client.force_login(personas.head_a)
    before = RoleAssignment.objects.count()
    response = client.post(
        f"/accounts/people/{newcomer.pk}/", {"role": Role.TEACHER, "org_unit": "03201B"}
    )
    assert response.status_code == 200
    assert "hors de votre périmètre" in response.content.decode()
    assert RoleAssignment.objects.count() == before


def test_revoke_outside_scope_is_404(client, personas) -> None:  # type: ignore[no-untyped-def]
    assignment = RoleAssignment.objects.get(user=personas.head_b)
    client.force_login(personas.head_a)
    assert client.post(f"/accounts/assignments/{assignment.pk}/revoke/").status_code == 404
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_tokens_page_shows_the_raw_token_once(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.teacher_a1)
    body = client.post("/accounts/tokens/", {"name": "Mon script"}).content.decode()
    raw = re.search(r'<code class="token">(plt_[\w-]+)</code>', body)
    assert raw is not None
    later = client.get("/accounts/tokens/").content.decode()
    assert "Mon script" in later and raw.group(1) not in later
    assert (
        client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw.group(1)}").json()["username"]
        == "teacher.a1"
    )


def test_someone_elses_token_cannot_be_revoked(client, personas) -> None:  # type: ignore[no-untyped-def]
    from pilotage.accounts.services import token_create

    token, _raw = token_create(actor=personas.head_b, name="x")
    client.force_login(personas.head_a)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert type(token).objects.filter(pk=token.pk).exists()


def test_login_and_language_preference(client, personas) -> None:  # type: ignore[no-untyped-def]
    user = personas.head_a
    user.preferred_language = "ar"
    user.save(update_fields=["preferred_language"])
    response = client.post("/accounts/login/", {"username": "head.a", "password": PASSWORD})
    assert response.status_code == 302
    page = client.get("/")
    assert '<html lang="ar" dir="rtl">' in page.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == "en"
    assert AuditEntry.objects.filter(
        object_type="accounts.user", object_id=str(user.pk), action="update"
    ).exists()
