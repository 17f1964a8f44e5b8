from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.contrib.auth.hashers import check_password, make_password

from pilotage.accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    encoded = make_password("s3cret-pass")
    assert encoded.startswith("argon2$argon2id$")
    assert check_password("s3cret-pass", encoded)


def test_production_settings_default_to_argon2() -> None:
    from django.conf import global_settings

    from pilotage import settings as project

    assert project.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert project.PASSWORD_HASHERS != global_settings.PASSWORD_HASHERS


def test_login_is_throttled_after_five_wrong_passwords(client, personas) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "head.a", "password": "wrong"})
    assert response.status_code == 429
    # Locked out: even the right password is refused now.
    response = client.post("/accounts/login/", {"username": "head.a", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another user from the same address is not locked.
    response = client.post("/accounts/login/", {"username": "head.b", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("cooloff_hours", "said"), [(0.5, "Réessayez dans 30 minutes"), (2, "Réessayez dans 2 heures")]
)
def test_lockout_page_states_the_real_wait(client, personas, settings, cooloff_hours, said) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_COOLOFF_TIME = cooloff_hours
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "head.a", "password": "wrong"})
    assert response.status_code == 429
    assert said in response.content.decode()


def test_lockout_page_in_arabic_uses_the_plural_forms(client, personas, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_COOLOFF_TIME = 3  # hours: the Arabic "few" form
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "head.a", "password": "wrong"})
    assert "3 ساعات" in response.content.decode()


def test_strict_headers(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.head_a)
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert (
        "default-src 'self'" in csp
        and "script-src 'self'" in csp
        and "frame-ancestors 'none'" in csp
    )
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_production_settings_are_secure() -> None:
    code = (
        "from pilotage import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.DEBUG,"
        " s.LANGUAGE_COOKIE_SECURE)"
    )
    env = {**os.environ, "PILOTAGE_ENV": "production", "SECRET_KEY": "x" * 50}
    env.pop("DJANGO_DEBUG", None)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["True", "True", "True", "False", "True"]
    env.pop("SECRET_KEY")
    refused = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert refused.returncode != 0 and "SECRET_KEY" in refused.stderr


@pytest.mark.parametrize("how", ["login", "switch"])
def test_the_language_cookie_follows_the_cookie_settings(client, personas, settings, how) -> None:  # type: ignore[no-untyped-def]
    """Production sets LANGUAGE_COOKIE_SECURE like SESSION_COOKIE_SECURE; both ways the
    cookie is written must honour it."""
    settings.LANGUAGE_COOKIE_SECURE = True
    if how == "login":
        client.post(
            "/accounts/login/", {"username": personas.head_a.username, "password": PASSWORD}
        )
    else:
        client.post("/i18n/setlang/", {"language": "ar", "next": "/accounts/login/"})
    cookie = client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
