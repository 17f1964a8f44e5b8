from __future__ import annotations

import re

import pytest

from pilotage.accounts.models import RoleAssignment, User
from pilotage.accounts.tests.factories import PASSWORD, UserFactory
from pilotage.core.models import AuditEntry
from pilotage.core.tests.support import unchanged
from pilotage.schooling.roles import PARENT, SCHOOL_HEAD, TEACHER

pytestmark = pytest.mark.django_db


def _person_form(**fields: str) -> dict[str, str]:
    """The new-person form as a school head fills it in, with ``fields`` changed."""
    return {
        "last_name": "Tazi",
        "first_name": "Salma",
        "username": "salma.tazi",
        "email": "salma.tazi@example.ma",
        "role": TEACHER,
        "org_unit": "04101A",
        **fields,
    }


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
        RoleAssignment.objects.create(user=UserFactory(), role=TEACHER, org_unit=personas.school_b)
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
    RoleAssignment.objects.create(user=newcomer, role=PARENT, org_unit=personas.school_a)
    client.force_login(personas.head_a)
    response = client.post(
        f"/accounts/people/{newcomer.pk}/", {"role": TEACHER, "org_unit": "04101A"}
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=newcomer, role=TEACHER).exists()


def test_grant_outside_scope_through_the_page_is_refused(client, personas) -> None:  # type: ignore[no-untyped-def]
    newcomer = UserFactory()
    RoleAssignment.objects.create(user=newcomer, role=PARENT, org_unit=personas.school_a)
    client.force_login(personas.head_a)
    before = RoleAssignment.objects.count()
    with unchanged(RoleAssignment):
        response = client.post(
            f"/accounts/people/{newcomer.pk}/", {"role": TEACHER, "org_unit": "03201B"}
        )
    assert response.status_code == 200
    assert "hors de votre périmètre" in response.content.decode()
    assert RoleAssignment.objects.count() == before


def test_revoke_outside_scope_is_404(client, personas) -> None:  # type: ignore[no-untyped-def]
    assignment = RoleAssignment.objects.get(user=personas.head_b)
    client.force_login(personas.head_a)
    with unchanged(RoleAssignment):
        assert client.post(f"/accounts/assignments/{assignment.pk}/revoke/").status_code == 404


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
    with unchanged(type(token)):
        assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404


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


def test_school_head_creates_a_teacher_account(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.head_a)
    response = client.post(
        "/accounts/people/new/",
        _person_form(),
    )
    assert response.status_code == 302
    user = User.objects.get(username="salma.tazi")
    assert not user.has_usable_password()
    assert list(user.assignments.values_list("role", "org_unit__code")) == [(TEACHER, "04101A")]


@pytest.mark.parametrize(
    ("persona", "role", "unit"),
    [
        ("head_a", TEACHER, "03201B"),
        ("head_a", SCHOOL_HEAD, "04101A"),
        ("provincial_b", TEACHER, "04101A"),
    ],
)
def test_denied_account_creation_writes_nothing(client, personas, persona, role, unit) -> None:  # type: ignore[no-untyped-def]
    client.force_login(getattr(personas, persona))
    users, audit = User.objects.count(), AuditEntry.objects.count()
    response = client.post(
        "/accounts/people/new/",
        _person_form(username="intrus", role=role, org_unit=unit),
    )
    assert response.status_code == 200
    assert (User.objects.count(), AuditEntry.objects.count()) == (users, audit)


def test_duplicate_username_is_a_form_error(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.head_a)
    response = client.post(
        "/accounts/people/new/",
        _person_form(username="teacher.a1"),
    )
    assert response.status_code == 200
    assert "existe déjà" in response.content.decode()


@pytest.mark.parametrize("email", ["", "   "])
def test_account_without_email_is_a_form_error(client, personas, email) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.head_a)
    users, audit = User.objects.count(), AuditEntry.objects.count()
    response = client.post(
        "/accounts/people/new/",
        _person_form(email=email),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["email"] == [
        "Adresse électronique obligatoire : le premier mot de passe se choisit par le lien "
        "envoyé à cette adresse, sans elle le compte ne pourrait jamais servir."
    ]
    assert (User.objects.count(), AuditEntry.objects.count()) == (users, audit)


def test_non_managers_cannot_open_the_new_person_page(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.teacher_a1)
    assert client.get("/accounts/people/new/").status_code == 404


def test_first_access_through_the_password_email(client, personas, mailbox) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.head_a)
    client.post(
        "/accounts/people/new/",
        _person_form(),
    )
    client.logout()
    response = client.post("/accounts/password/reset/", {"email": "salma.tazi@example.ma"})
    assert response.status_code == 302
    [message] = mailbox.messages
    assert message["To"] == "salma.tazi@example.ma"
    body = message.get_content()
    assert "salma.tazi" in body
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Une-phrase-longue-2026", "new_password2": "Une-phrase-longue-2026"},
    )
    assert response.status_code == 302
    login = client.post(
        "/accounts/login/", {"username": "salma.tazi", "password": "Une-phrase-longue-2026"}
    )
    assert login.status_code == 302 and login["Location"] == "/"


@pytest.mark.parametrize(("seconds", "said"), [(3 * 86400, "3 jours"), (86400, "1 jour")])
def test_password_email_page_states_how_long_the_link_lasts(
    client, db, settings, seconds, said
) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_RESET_TIMEOUT = seconds
    response = client.get("/accounts/password/reset/sent/")
    assert response.status_code == 200
    assert f"Il est valable {said}." in response.content.decode()


def test_password_email_for_an_unknown_address_sends_nothing(client, db, mailbox) -> None:  # type: ignore[no-untyped-def]
    assert (
        client.post("/accounts/password/reset/", {"email": "personne@example.ma"}).status_code
        == 302
    )
    assert mailbox.messages == []


def test_language_chosen_on_the_login_page_is_kept(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.post("/i18n/setlang/", {"language": "ar", "next": "/accounts/login/"})
    client.post("/accounts/login/", {"username": "head.a", "password": PASSWORD})
    assert '<html lang="ar" dir="rtl">' in client.get("/").content.decode()
    personas.head_a.refresh_from_db()
    assert personas.head_a.preferred_language == "ar"


def test_surname_and_a_things_name_are_told_apart(client, personas) -> None:  # type: ignore[no-untyped-def]
    from django.utils import translation

    from pilotage.accounts.forms import PersonForm
    from pilotage.accounts.models import ApiToken

    with translation.override("en"):
        assert str(PersonForm().fields["last_name"].label) == "Last name"
        assert str(ApiToken._meta.get_field("name").verbose_name) == "name"
    with translation.override("ar"):
        assert str(PersonForm().fields["last_name"].label) == "الاسم العائلي"
        assert str(ApiToken._meta.get_field("name").verbose_name) == "الاسم"
