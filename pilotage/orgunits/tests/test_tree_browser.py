"""The tree of the units page in a real browser, in French and Arabic: it opens at the top
of the reader's scope, and its toggles lead, one level at a time, down to a school."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from pilotage.accounts.tests.factories import PASSWORD
from pilotage.core.tests.browser import login, switch_language

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def open_units(page: Page, live_server, username: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    login(page, live_server, username, PASSWORD)
    if lang != "fr":
        switch_language(page, lang)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    page.locator('nav.mainnav a[href="/orgunits/"]').click()


def node(page: Page, code: str):  # type: ignore[no-untyped-def]
    return page.locator(f'main .tree li.tree-node[data-code="{code}"]')


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_national_admin_opens_the_tree_down_to_a_school(
    page: Page, live_server, personas, lang: str
) -> None:  # type: ignore[no-untyped-def]
    open_units(page, live_server, "admin.national", lang)
    # The country is open at once: its regions are there without a click.
    expect(node(page, "MA-01").locator("> a")).to_be_visible()
    expect(node(page, "MA-03").locator("> a")).to_be_visible()
    expect(node(page, "MA").locator("> .tree-toggle")).to_have_attribute("aria-expanded", "true")
    for code in ("MA-01", "MA-TNG", "MA-TNG-C001"):
        toggle = node(page, code).locator("> .tree-toggle")
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
    school = node(page, "04101A").locator("> a")
    expect(school).to_be_visible()
    expect(node(page, "MA-FES")).to_have_count(0)  # the other region stayed closed
    # Closing a node hides what is under it.
    node(page, "MA-TNG-C001").locator("> .tree-toggle").click()
    expect(school).to_be_hidden()
    node(page, "MA-TNG-C001").locator("> .tree-toggle").click()
    school.click()
    expect(page.locator("h1")).to_contain_text("École primaire Ibn Battouta")
    expect(page).to_have_url(f"{live_server.url}/orgunits/04101A/")


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_provincial_officer_tree_starts_at_their_province(
    page: Page, live_server, personas, lang: str
) -> None:  # type: ignore[no-untyped-def]
    open_units(page, live_server, "dp.a", lang)
    expect(page.locator("main .tree > li.tree-node")).to_have_count(1)
    expect(node(page, "MA-TNG-C001").locator("> a")).to_be_visible()
    node(page, "MA-TNG-C001").locator("> .tree-toggle").click()
    expect(node(page, "04101A").locator("> a")).to_be_visible()
    expect(node(page, "MA")).to_have_count(0)
    expect(node(page, "MA-FES")).to_have_count(0)
