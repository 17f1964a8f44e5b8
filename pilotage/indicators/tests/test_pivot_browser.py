"""The pivot table in a real browser, on a phone, in French and in Arabic: a choice
refreshes the table without reloading the page, and only the table scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from pilotage.accounts.tests.factories import PASSWORD
from pilotage.core.tests.browser import login, switch_language
from pilotage.indicators.tests.test_pivot import build_facts

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

WIDE = "ind=survival_rate&ind=enrolment&rows=indicator&cols=period&year=2024-2025&year=2025-2026"


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_provincial_officer_pivots_on_a_phone(
    page: Page, live_server, personas, page_log, lang
) -> None:  # type: ignore[no-untyped-def]
    build_facts(personas)
    page.set_viewport_size({"width": 375, "height": 740})
    login(page, live_server, "dp.a", PASSWORD)
    if lang != "fr":
        switch_language(page, lang)
    page.goto(f"{live_server.url}/indicators/pivot/?{WIDE}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    table = page.locator("table.pivot")
    expect(table).to_contain_text("50")
    # The page itself never scrolls sideways; the table's own box does.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate(
        "(() => { const s = document.querySelector('.pivot-scroll');"
        " return s.scrollWidth > s.clientWidth; })()"
    )
    # A choice swaps the table in place: the page is not reloaded.
    page.evaluate("window.pivotMarker = 1")
    page.locator("select[name=sex]").select_option("F")
    expect(page.locator(".pivot-filters")).to_be_visible()
    expect(table).to_contain_text("30")  # school A's girls in 2025-2026
    assert page.evaluate("window.pivotMarker") == 1
    assert "sex=F" in page.url  # the table is a link one can send
    assert not page_log.csp_violations() and not page_log.page_errors
