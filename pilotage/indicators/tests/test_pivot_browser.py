"""The pivot table in a real browser, on a phone, in French and in Arabic: a choice
refreshes the table without reloading the page, and only the table scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from pilotage.accounts.tests.factories import PASSWORD
from pilotage.core.tests.browser import login, switch_language
from pilotage.indicators.tests.test_pivot import build_facts

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

# Elements of the page's content reaching past either edge, the scrolled table excepted.
OUTSIDE = """(() => {
  const bad = [];
  for (const e of document.querySelectorAll('main *')) {
    if (e.closest('.pivot-scroll table')) continue;
    const r = e.getBoundingClientRect();
    if (r.right > window.innerWidth + 0.5 || r.left < -0.5) bad.push(e.tagName + '.' + e.className);
  }
  return bad;
})()"""
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
    # Nothing of the page's content sticks out sideways; the table scrolls in its own box.
    # (The top bar is the base layout's: see the report of this branch.)
    assert page.evaluate(OUTSIDE) == []
    sign = -1 if lang == "ar" else 1  # a right-to-left box scrolls towards negative
    assert page.evaluate(
        "(sign) => { const s = document.querySelector('.pivot-scroll');"
        " s.scrollLeft = sign * 60; return Math.abs(s.scrollLeft) > 0; }",
        sign,
    )
    # A choice swaps the table in place: the page is not reloaded.
    page.evaluate("window.pivotMarker = 1")
    page.locator("select[name=sex]").select_option("F")
    expect(page.locator(".pivot-filters")).to_be_visible()
    expect(table).to_contain_text("30")  # school A's girls in 2025-2026
    assert page.evaluate("window.pivotMarker") == 1
    assert "sex=F" in page.url  # the table is a link one can send
    assert not page_log.csp_violations() and not page_log.page_errors
