"""The dashboards in a real browser, French and Arabic, at a phone's width: the charts and
the map are drawn (ECharts from the json_script data, the TopoJSON decoded by maps.js),
nothing breaks the CSP, nothing overflows the page, and a bar leads to the drill-down."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from pilotage.accounts.tests.factories import PASSWORD
from pilotage.core.tests.browser import login, switch_language
from pilotage.indicators.tests.test_dashboards import data  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db", "data")]


def _open(page: Page, live_server, lang: str) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, "admin.national", PASSWORD)
    if lang != "fr":
        switch_language(page, lang)


def _fits(page: Page) -> bool:
    return page.evaluate(
        "() => { const m = document.querySelector('main'); return m.scrollWidth <= m.clientWidth + 1; }"
    )


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_dashboard_and_drill_down_draw_their_charts(
    page: Page, live_server, page_log, lang
) -> None:  # type: ignore[no-untyped-def]
    _open(page, live_server, lang)
    page.goto(f"{live_server.url}/indicators/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    expect(page.locator('[data-chart="chart-trend"] canvas')).to_be_visible()
    expect(page.locator('[data-chart="chart-bars"] canvas')).to_be_visible()
    assert _fits(page)
    page.goto(f"{live_server.url}/indicators/unit/MA-01/?indicator=enrolment&by=sex")
    expect(page.locator('[data-chart="chart-trend"] canvas')).to_be_visible()
    expect(page.locator("main")).to_contain_text("MA-TNG")
    assert _fits(page)
    assert page_log.page_errors == []
    assert page_log.csp_violations() == []


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_map_is_drawn_with_its_attribution(page: Page, live_server, page_log, lang) -> None:  # type: ignore[no-untyped-def]
    _open(page, live_server, lang)
    page.goto(f"{live_server.url}/indicators/unit/MA/map/?level=province")
    expect(page.locator(".chart-map canvas")).to_be_visible()
    expect(page.locator(".map-attribution").first).to_contain_text(
        "© OpenStreetMap contributors / morocco-map, ODbL"
    )
    assert any(r.endswith("vendor/morocco-map/provinces.json") for r in page_log.requests)
    assert _fits(page)
    assert page_log.page_errors == []
    assert page_log.csp_violations() == []


def test_without_javascript_the_tables_remain(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    login(page, live_server, "admin.national", PASSWORD)
    page.goto(f"{live_server.url}/indicators/")
    expect(page.locator("main table").first).to_be_visible()
    expect(page.locator('[data-chart="chart-trend"]')).to_be_hidden()
    context.close()


def test_clicking_a_region_drills_down(page: Page, live_server) -> None:  # type: ignore[no-untyped-def]
    _open(page, live_server, "fr")
    page.goto(f"{live_server.url}/indicators/unit/MA/map/?level=region&indicator=enrolment")
    expect(page.locator(".chart-map canvas")).to_be_visible()
    page.locator(".chart-map").scroll_into_view_if_needed()  # the click is in the viewport
    # Where Tétouan lies (region MA-01) on the drawn map, asked of ECharts itself.
    x, y = page.evaluate(
        """() => {
          const el = document.querySelector('.chart-map');
          const chart = echarts.getInstanceByDom(el);
          const [px, py] = chart.convertToPixel({seriesIndex: 0}, [-5.37, 35.57]);
          const box = el.getBoundingClientRect();
          return [box.left + px, box.top + py];
        }"""
    )
    page.mouse.click(x, y)
    page.wait_for_url("**/indicators/unit/MA-01/**")
    assert page.url.endswith("/indicators/unit/MA-01/?year=2025-2026&indicator=enrolment")
