"""The top bar (base.html, app.css, app.js) on a desktop and on a phone, in French and in
Arabic, for the national administrator, who has the longest menu: nothing sticks out
sideways, "Se déconnecter" is always in the bar, and below 720 px a menu button folds the
menu and the user block away (and without JavaScript the menu stays open).

Assertions use addresses, ids and attributes, not the Arabic words of new strings."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from pilotage.accounts.tests.factories import PASSWORD
from pilotage.core.tests.browser import CHROMIUM, TIMEOUT_MS, login, switch_language
from pilotage.core.tests.support import require

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
# The national administrator's menu, the platform's "Administration" included.
MENU = ["/", "/orgunits/", "/accounts/people/", "/audit/", "/accounts/tokens/", "/admin/"]


@pytest.fixture
def admin(personas):  # type: ignore[no-untyped-def]
    """The national administrator as the demo makes them: a superuser (staff) who also
    holds the national role on the country."""
    user = personas.national_admin
    user.is_staff = user.is_superuser = True
    user.first_name, user.last_name = "Fatima Zahra", "Benjelloun-Alaoui"
    user.save(update_fields=["is_staff", "is_superuser", "first_name", "last_name"])
    return user


def _fits(page: Page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"


def _open(page: Page, live_server, lang: str, viewport: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(viewport)
    login(page, live_server, "admin.national", PASSWORD)
    if lang != "fr":
        switch_language(page, lang)  # on a phone, through the folded menu; the new page folds it
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")


def _x(page: Page, selector: str) -> float:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not laid out"
    return box["x"]


def _menu_links(page: Page):  # type: ignore[no-untyped-def]
    return [page.locator(f'nav.mainnav a[href="{href}"]') for href in MENU]


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_bar_fits_a_desktop_in_one_band(page: Page, live_server, admin, lang) -> None:  # type: ignore[no-untyped-def]
    _open(page, live_server, lang, DESKTOP)
    expect(page.locator("[data-menu-toggle]")).to_be_hidden()
    for link in _menu_links(page):
        expect(link).to_be_visible()
    logout = page.locator("form.topbar-logout button")
    expect(logout).to_be_visible()
    expect(page.locator("header .whoami")).to_be_visible()
    _fits(page)
    # One band: the menu may wrap inside its column, never push the user block under it.
    bar = page.locator("header.topbar").bounding_box()
    assert bar is not None and bar["height"] < 100, bar
    # The bar mirrors in Arabic: the brand at the reading start, the way out at its end.
    brand, out = _x(page, "header .brand"), _x(page, "form.topbar-logout")
    assert (brand > out) if lang == "ar" else (brand < out)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_on_a_phone_a_menu_button_folds_the_menu_and_the_way_out_stays(
    page: Page, live_server, admin, lang
) -> None:  # type: ignore[no-untyped-def]
    _open(page, live_server, lang, PHONE)
    toggle = page.locator("header [data-menu-toggle]")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-controls", "topbar-menu")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    assert toggle.evaluate("el => el.tagName") == "BUTTON"
    for link in _menu_links(page):
        expect(link).to_be_hidden()
    expect(page.locator("#lang-select")).to_be_hidden()
    expect(page.locator("form.topbar-logout button")).to_be_visible()
    _fits(page)
    bar = page.locator("header.topbar").bounding_box()
    assert bar is not None and bar["height"] < 80, bar
    brand, button = _x(page, "header .brand"), _x(page, "header [data-menu-toggle]")
    assert (brand > button) if lang == "ar" else (brand < button)

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    for link in _menu_links(page):
        expect(link).to_be_visible()
    expect(page.locator("#lang-select")).to_be_visible()
    expect(page.locator("header .whoami")).to_be_visible()
    expect(page.locator("form.topbar-logout button")).to_be_visible()
    _fits(page)
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator('nav.mainnav a[href="/orgunits/"]')).to_be_hidden()
    expect(toggle).to_be_focused()

    # A user goes on through the menu.
    toggle.click()
    page.locator('nav.mainnav a[href="/orgunits/"]').click()
    expect(page).to_have_url(f"{live_server.url}/orgunits/")
    expect(page.locator('nav.mainnav a[href="/orgunits/"]')).to_be_hidden()
    _fits(page)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_without_javascript_the_phone_menu_stays_open(browser, live_server, admin, lang) -> None:  # type: ignore[no-untyped-def]
    require(CHROMIUM.exists(), "Debian's chromium is not installed")
    context = browser.new_context(
        java_script_enabled=False, viewport=PHONE, locale="fr-FR", timezone_id="Africa/Casablanca"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        login(page, live_server, "admin.national", PASSWORD)
        if lang != "fr":
            # No JavaScript: the language form's own button.
            page.locator("select[name=language]").select_option(lang)
            page.locator("form.lang-switch button[type=submit]").click()
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.locator("header [data-menu-toggle]")).to_be_hidden()
        for link in _menu_links(page):
            expect(link).to_be_visible()
        expect(page.locator("form.topbar-logout button")).to_be_visible()
        _fits(page)
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_administrators_role_is_listed_once_with_its_separators(
    page: Page, live_server, admin, lang
) -> None:  # type: ignore[no-untyped-def]
    _open(page, live_server, lang, DESKTOP)
    grants = page.locator("ul.grants > li")
    expect(grants).to_have_count(1)
    expect(grants).to_have_attribute("data-role", "national_admin")
    expect(grants.locator('a[href="/orgunits/MA/"]')).to_have_count(1)
    # " — " between the role and its unit, spaces included.
    assert re.search(r"\S \u2014 \S", grants.inner_text()), grants.inner_text()
    # The menu's entries are words apart in the text too (what a screen reader, a copy
    # or a page without its style sheet gives), not run together.
    text = page.locator("nav.mainnav").text_content() or ""
    labels = page.locator("nav.mainnav a").all_text_contents()
    assert " ".join(text.split()) == " ".join(label.strip() for label in labels)
    # The way out and the name are apart from the language menu.
    bar = " ".join((page.locator("header.topbar").text_content() or "").split())
    assert re.search(r"Benjelloun-Alaoui \S", bar), bar
