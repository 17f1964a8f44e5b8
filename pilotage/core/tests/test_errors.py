"""The site's own error pages (core/errors.py): never Django's technical pages, in the
visitor's language, in the site's layout, with the way back."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.utils import translation

from pilotage.core import errors

pytestmark = pytest.mark.django_db

# What Django's technical 404 and 500 pages say, and its bare production pages.
DEBUG_PAGE_MARKS = ["Using the URLconf defined in", "Traceback", "technical_500", "Not Found</h1>"]
LANGS = {"fr": "ltr", "ar": "rtl", "en": "ltr"}
BASE_DIR = Path(settings.BASE_DIR)


def _page(response) -> str:  # type: ignore[no-untyped-def]
    body = response.content.decode()
    for mark in DEBUG_PAGE_MARKS:
        assert mark not in body, f"Django's own page: {mark!r}"
    return body


def _translated(msgid: str, lang: str) -> str:
    with translation.override(lang):
        text = translation.gettext(msgid)
    if lang != "fr":
        assert text != msgid, f"{msgid!r} has no {lang} translation"
    return text


def _client(lang: str, **kwargs) -> Client:  # type: ignore[no-untyped-def]
    client = Client(**kwargs)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


def _run_settings(env_changes: dict[str, str | None], code: str) -> str:
    env = {**os.environ}
    for name, value in env_changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    out = subprocess.run(
        [sys.executable, "-c", f"from pilotage import settings as s; print({code})"],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def test_debug_is_off_unless_asked_for_explicitly() -> None:
    """`make run` sets neither PILOTAGE_ENV nor DJANGO_DEBUG: Django's technical pages
    must stay off there too."""
    no_env = {"DJANGO_DEBUG": None, "PILOTAGE_ENV": None}
    assert _run_settings(no_env, "s.DEBUG") == "False"
    assert _run_settings({**no_env, "DJANGO_DEBUG": "1"}, "s.DEBUG") == "True"
    hosts = _run_settings({**no_env, "ALLOWED_HOSTS": None}, "s.ALLOWED_HOSTS").strip("[]")
    assert {"'127.0.0.1'", "'localhost'"} <= set(hosts.split(", "))


@pytest.mark.parametrize("lang", list(LANGS))
def test_an_unknown_address_is_the_sites_404_in_the_visitors_language(lang) -> None:  # type: ignore[no-untyped-def]
    response = _client(lang).get("/no-such-page/")
    assert response.status_code == 404
    body = _page(response)
    assert f'<html lang="{lang}" dir="{LANGS[lang]}"' in body
    assert 'class="topbar"' in body  # the site's layout
    assert 'data-status="404"' in body
    assert f"<h1>{_translated('Page introuvable', lang)}</h1>" in body
    assert 'href="/" data-way="home"' in body
    assert _translated("Retour à l'accueil", lang) in body


def test_the_404_of_a_signed_in_user_has_the_menu_and_the_way_back(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.provincial_b)
    # A page outside the officer's province answers 404, like one that does not exist.
    response = client.get("/orgunits/MA-TNG/", HTTP_REFERER="http://testserver/orgunits/")
    assert response.status_code == 404
    body = _page(response)
    assert 'nav class="mainnav"' in body
    assert 'href="http://testserver/orgunits/" data-way="back"' in body


@pytest.mark.parametrize(
    "referer", ["https://elsewhere.example/", "http://testserver/no-such-page/", ""]
)
def test_the_way_back_is_offered_only_to_a_page_of_the_site(referer) -> None:  # type: ignore[no-untyped-def]
    response = Client().get("/no-such-page/", HTTP_REFERER=referer)
    assert response.status_code == 404
    assert 'data-way="back"' not in _page(response)
    assert 'data-way="home"' in response.content.decode()


@pytest.mark.urls("pilotage.core.tests.error_urls")
@pytest.mark.parametrize("lang", list(LANGS))
def test_a_refusal_is_the_sites_403_in_the_visitors_language(lang) -> None:  # type: ignore[no-untyped-def]
    response = _client(lang).get("/test-forbidden/", HTTP_REFERER="http://testserver/")
    assert response.status_code == 403
    body = _page(response)
    assert f'<html lang="{lang}" dir="{LANGS[lang]}"' in body
    assert 'data-status="403"' in body
    assert f"<h1>{_translated('Accès refusé', lang)}</h1>" in body
    assert 'href="/" data-way="home"' in body
    assert 'href="http://testserver/" data-way="back"' in body


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_form_refused_by_the_csrf_check_is_the_sites_403(personas, lang) -> None:  # type: ignore[no-untyped-def]
    client = _client(lang, enforce_csrf_checks=True)
    client.force_login(personas.head_a)
    response = client.post("/accounts/tokens/", {"name": "x"})
    assert response.status_code == 403
    body = _page(response)
    assert f'<html lang="{lang}"' in body
    assert 'data-status="403" data-reason="csrf"' in body
    assert f"<h1>{_translated('Formulaire expiré', lang)}</h1>" in body


@pytest.mark.urls("pilotage.core.tests.error_urls")
@pytest.mark.parametrize("lang", list(LANGS))
def test_a_failing_view_is_the_sites_500_in_the_visitors_language(lang, personas) -> None:  # type: ignore[no-untyped-def]
    client = _client(lang, raise_request_exception=False)
    client.force_login(personas.national_admin)
    response = client.get("/test-boom/", HTTP_REFERER="http://testserver/orgunits/")
    assert response.status_code == 500
    body = _page(response)
    assert f'<html lang="{lang}" dir="{LANGS[lang]}"' in body
    assert 'data-status="500"' in body
    assert f"<h1>{_translated('Erreur du serveur', lang)}</h1>" in body
    assert 'href="/" data-way="home"' in body
    assert 'href="http://testserver/orgunits/" data-way="back"' in body
    # Rendered without the request's context: no menu, no user, no form without a token.
    assert "mainnav" not in body and "lang-switch" not in body and "topbar-logout" not in body


def test_the_500_page_reads_nothing_from_the_database(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    """The failure may be the database itself."""
    request = RequestFactory().get("/somewhere/")
    with django_assert_num_queries(0):
        response = errors.server_error(request)
    assert response.status_code == 500
    assert 'data-status="500"' in response.content.decode()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - a local URL
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode()


def test_make_run_serves_the_sites_pages_and_static_files_with_debug_off(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The command `make run` starts, with its environment (no DJANGO_DEBUG, no
    ALLOWED_HOSTS): static files come from whitenoise, errors are the site's pages."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    for name in ("DJANGO_DEBUG", "PILOTAGE_ENV", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                status, _body = _get(f"{base}/healthz")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        else:
            pytest.fail("runserver did not start")
        status, body = _get(f"{base}/static/pilotage/app.css")
        assert status == 200 and ".topbar" in body
        status, body = _get(f"{base}/no-such-page/")
        assert status == 404
        assert 'data-status="404"' in body and "Using the URLconf" not in body
    finally:
        server.terminate()
        server.wait(timeout=10)
