"""The API docs page (pilotage/api.py: PilotageDocs): Swagger UI inside the site's
layout, with the way back to the application and an introduction in the reader's
language."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from playwright.sync_api import Page, expect

from pilotage.accounts.tests.factories import PASSWORD
from pilotage.core.tests.browser import login, switch_language

LANGS = {"fr": "ltr", "ar": "rtl", "en": "ltr"}
INTRO = (
    "L'API REST de Pilotage donne accès, par programme, aux unités administratives, aux "
    "personnes et à leurs rôles, aux travaux en arrière-plan et à la vie scolaire (classes, "
    "élèves, feuilles de notes). Chaque appel ne renvoie que ce que votre rôle permet de voir, "
    "comme les pages du site."
)


def _translated(msgid: str, lang: str) -> str:
    with translation.override(lang):
        text = translation.gettext(msgid)
    if lang != "fr":
        assert text != msgid, f"no {lang} translation"
    return text


@pytest.mark.django_db
@pytest.mark.parametrize("lang", list(LANGS))
def test_the_docs_page_is_in_the_sites_layout_and_the_readers_language(lang) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{lang}" dir="{LANGS[lang]}"' in page
    assert 'class="topbar"' in page and 'class="brand" href="/"' in page
    intro = re.search(r'<section class="card api-intro" id="api-intro">(.*?)</section>', page, re.S)
    assert intro is not None
    assert _translated(INTRO, lang) in intro.group(1)
    assert 'href="/" data-way="home"' in intro.group(1)
    # Swagger UI still gets its settings, and the schema stays the schema.
    raw = re.search(
        r'<script type="application/json" id="swagger-settings">(.*?)</script>', page, re.S
    )
    assert raw is not None and json.loads(raw.group(1))["url"] == "/api/v1/openapi.json"
    # Swagger UI's labels are English and its layout is not mirrored: kept left-to-right.
    assert '<div id="swagger-ui" dir="ltr" lang="en"></div>' in page
    assert "/static/ninja/swagger-ui-init.js" in page
    # Anonymous: no link to a page that would only send them to the login form.
    assert "/accounts/tokens/" not in intro.group(1)


@pytest.mark.django_db
def test_a_signed_in_reader_finds_their_tokens_from_the_docs(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.provincial_a)
    page = client.get("/api/v1/docs").content.decode()
    assert 'href="/accounts/tokens/"' in page
    assert 'nav class="mainnav"' in page
    assert 'data-api-csrf="true"' in page  # Swagger's "Try it out" sends the session's token


@pytest.mark.browser
@pytest.mark.usefixtures("transactional_db")
@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_from_home_to_the_api_docs_and_back(page: Page, live_server, personas, lang) -> None:  # type: ignore[no-untyped-def]
    login(page, live_server, "dp.a", PASSWORD)
    if lang != "fr":
        switch_language(page, lang)
    page.locator('main a[href="/api/v1/docs"]').click()
    expect(page).to_have_url(f"{live_server.url}/api/v1/docs")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    expect(page.locator("#api-intro")).to_be_visible()
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    page.locator('#api-intro a[data-way="home"]').click()
    expect(page).to_have_url(f"{live_server.url}/")
    page.go_back()
    page.locator('header a.brand[href="/"]').click()
    expect(page).to_have_url(f"{live_server.url}/")
