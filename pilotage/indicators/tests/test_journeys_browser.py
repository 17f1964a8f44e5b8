"""Performance steering's "done means" in a real browser, French and Arabic: a national, a
regional and a provincial officer each open their own dashboard and map, drill down to a
school keeping the year, set a target and see its status, open a corrective action on the
gap, read the data-quality violations and export the PDF report — every step reached by
clicking from the menu or the page, never by typing an address.

Each step runs even when an earlier one failed (a missing door is worked around through
the menu), and the test fails at the end listing every broken step, so one run tells all
that is wrong on the journey.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import pytest
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from pilotage.accounts.tests.factories import PASSWORD
from pilotage.conftest import Personas
from pilotage.core.tests.browser import login, open_topbar_menu, switch_language
from pilotage.indicators.models import Action, Target
from pilotage.indicators.tests.journeys_support import Journeys, journeys_setup
from pilotage.orgunits.models import OrgUnit

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def journeys(personas: Personas) -> Journeys:
    return journeys_setup(personas)


@dataclass
class Role:
    username: str
    top: str  # attribute of Personas: the unit the role's dashboard opens at
    other: str | None  # a unit of the same level outside the role's scope
    down: tuple[str, ...]  # the units clicked through from the top down to school A


ROLES = {
    "national": Role(
        "admin.national", "country", None, ("region_a", "province_a", "commune_a", "school_a")
    ),
    "regional": Role("region.a", "region_a", "region_b", ("province_a", "commune_a", "school_a")),
    "provincial": Role("dp.a", "province_a", "province_b", ("commune_a", "school_a")),
}


@dataclass
class Journey:
    """The browser page, and the problems met so far (each: step, page, what happened)."""

    page: Page
    lang: str
    problems: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # responses of 500 and above

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        try:
            yield
        except (AssertionError, PlaywrightError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            shown = self.page.locator(".errorlist, .msg-error").all_inner_texts()
            said = f"; the page says: {' | '.join(t.strip() for t in shown)}" if shown else ""
            self.problems.append(f"[{self.lang}] {name}: {first} (at {self.path()}){said}")

    def problem(self, name: str, text: str) -> None:
        self.problems.append(f"[{self.lang}] {name}: {text} (at {self.path()})")

    def path(self) -> str:
        return re.sub(r"^https?://[^/]+", "", self.page.url)

    def menu(self, href: str) -> None:
        """A link of the main menu or of the indicators' own tabs (on a phone the main
        menu is folded behind its button first)."""
        if self.page.locator(f'nav.appnav a[href="{href}"]').count() == 0:
            open_topbar_menu(self.page)
        self.page.locator(
            f'nav.mainnav a[href="{href}"], nav.appnav a[href="{href}"]'
        ).first.click()
        self.page.wait_for_load_state()

    def page_shape(self) -> None:
        """The language's direction, and a heading on the page."""
        html = self.page.locator("html")
        expect(html).to_have_attribute("lang", self.lang)
        expect(html).to_have_attribute("dir", "rtl" if self.lang == "ar" else "ltr")
        expect(self.page.locator("main h1")).not_to_be_empty()


def _name(unit: OrgUnit, lang: str) -> str:
    return (unit.name_ar if lang == "ar" and unit.name_ar else unit.name_fr) or unit.code


def _start(page: Page, live_server: Any, username: str, lang: str) -> Journey:
    journey = Journey(page, lang)
    page.on(
        "response",
        lambda r: journey.errors.append(f"{r.status} {r.url}") if r.status >= 500 else None,
    )
    login(page, live_server, username, PASSWORD)
    if lang != "fr":
        switch_language(page, lang)
    journey.page_shape()
    return journey


def _dashboard(j: Journey, p: Personas, role: Role) -> None:
    page = j.page
    with j.step("dashboard"):
        j.menu("/indicators/")
        j.page_shape()
        heading = page.locator("main h1")
        expect(heading).to_contain_text(_name(getattr(p, role.top), j.lang))
        if role.other:
            expect(heading).not_to_contain_text(_name(getattr(p, role.other), j.lang))
            expect(page.locator("main")).not_to_contain_text(getattr(p, role.other).code)
        else:  # the country, not one of its regions
            expect(heading).not_to_contain_text(_name(p.region_a, j.lang))
        expect(page.locator("table.key-indicators")).to_be_visible()
        expect(page.locator('[data-chart="chart-trend"] canvas')).to_be_visible()
        if j.lang == "ar":  # strings the Arabic catalogue already holds
            expect(page.locator('label[for="dash-year"]')).to_have_text("السنة الدراسية")
            expect(page.locator("main form.filters button[type=submit]")).to_have_text("عرض")
    with j.step("dashboard gaps"):
        # The fixture's off-track target on region A or province A, whichever is the top
        # unit or one of its children.
        gaps = page.locator('section[aria-labelledby="gaps-title"]')
        unit = p.region_a if role.top == "country" else p.province_a
        expect(gaps.locator("table")).to_contain_text(_name(unit, j.lang))
        expect(gaps.locator(".status-off_track").first).to_be_visible()


def _map(j: Journey, p: Personas, role: Role) -> None:
    page = j.page
    with j.step("map"):
        j.menu("/indicators/")
        top = getattr(p, role.top)
        door = page.locator(f'main a[href^="/indicators/unit/{top.code}/map/"]')
        if door.count() == 0:
            j.problem(
                "map",
                f"the dashboard of {top.code} (level {top.level.code}) offers no map "
                "(no « Carte : … » link; map_levels() has no level below this unit)",
            )
            return
        door.first.click()
        page.wait_for_url(f"**/indicators/unit/{top.code}/map/**")
        j.page_shape()
        expect(page.locator(".chart-map canvas, .chart-map svg").first).to_be_visible()
        expect(page.locator(".map-attribution").first).to_contain_text("ODbL")
        expect(page.locator(".map-attribution").first).to_be_visible()


def _drill_down(j: Journey, p: Personas, role: Role, previous: str) -> None:
    page = j.page
    with j.step("drill-down"):
        j.menu("/indicators/")
        page.locator("#dash-year").select_option(previous)
        page.locator("main form.filters button[type=submit]").click()
        page.wait_for_url(f"**year={previous}**")
        top = getattr(p, role.top)
        page.locator(f'main a[href^="/indicators/unit/{top.code}/?year={previous}"]').first.click()
        page.wait_for_url(f"**/indicators/unit/{top.code}/**")
        for name in role.down:
            unit = getattr(p, name)
            page.locator(f'main table a[href^="/indicators/unit/{unit.code}/"]').first.click()
            page.wait_for_url(f"**/indicators/unit/{unit.code}/**")
            j.page_shape()
            expect(page.locator("main h1")).to_contain_text(unit.code)
            assert f"year={previous}" in page.url, f"{unit.code}'s page lost the year"
            expect(page.locator("#unit-year")).to_have_value(previous)
        expect(page.locator("main")).to_contain_text(previous)


def _target(j: Journey, p: Personas, year: str) -> Target | None:
    """From the school's drill-down page (where the drill-down left the page) to its
    targets; set one on enrolment far above the value: off track."""
    page = j.page
    school = p.school_a
    with j.step("target"):
        door = page.locator(f'main a[href^="/indicators/targets/?unit={school.code}"]')
        on_school = f"/indicators/unit/{school.code}/" in page.url
        if not on_school or door.count() == 0:
            j.problem(
                "target",
                f"the drill-down page of school {school.code} has no link to its targets "
                "(« Cibles » / « Fixer une cible »); went through the menu instead",
            )
            j.menu("/indicators/targets/")
            page.locator("main form.filters input[name=unit]").fill(school.code)
            page.locator("main form.filters select[name=year]").select_option(year)
            page.locator("main form.filters button[type=submit]").click()
            page.wait_for_url(f"**unit={school.code}**")
        else:
            door.first.click()
        j.page_shape()
        expect(page.locator("main h1")).to_contain_text(_name(school, j.lang))
        page.locator('main a[href^="/indicators/targets/new/"]').click()
        page.wait_for_url("**/indicators/targets/new/**")
        j.page_shape()
        form = page.locator("main form.form")
        form.locator("select[name=indicator]").select_option("enrolment")
        form.locator("input[name=target]").fill("50")
        form.locator("input[name=tolerance]").fill("0")
        if j.lang == "ar":
            expect(form.locator("button[type=submit]")).to_have_text("حفظ")
        form.locator("button[type=submit]").click()
        page.wait_for_url("**/indicators/targets/?**")
        expect(page.locator(".msg-success")).to_be_visible()
        # The year the drill-down kept (the page's link carries it), whichever it is.
        target = Target.objects.get(org_unit=school, indicator="enrolment")
        row = page.locator(f"#target-{target.pk}")
        expect(row.locator(".status-off_track")).to_be_visible()
        expect(row.locator(".status-off_track")).not_to_be_empty()
        return target
    return None


def _action(j: Journey, target: Target | None) -> None:
    page = j.page
    with j.step("corrective action"):
        assert target is not None, "no target was set, so no gap to act on"
        row = page.locator(f"#target-{target.pk}")
        row.locator('a[href^="/indicators/actions/new/?target="]').click()
        page.wait_for_url("**/indicators/actions/new/**")
        j.page_shape()
        form = page.locator("main form.form")
        form.locator("input[name=title]").fill("Campagne d'inscription")
        # The form starts the action today; it is due in three months.
        due = timezone.localdate() + dt.timedelta(days=90)
        form.locator("input[name=due_date]").fill(due.isoformat())
        form.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(r".*/indicators/actions/\d+/$"))
        j.page_shape()
        action = Action.objects.get(gap_target=target)
        assert action.org_unit_id == target.org_unit_id
        assert page.url.endswith(f"/indicators/actions/{action.pk}/")


def _quality(j: Journey, p: Personas, role: Role) -> None:
    page = j.page
    with j.step("data quality"):
        j.menu("/indicators/quality/")
        j.page_shape()
        page.locator('main a[href^="/indicators/quality/validation/"]').click()
        page.wait_for_url("**/indicators/quality/validation/**")
        j.page_shape()
        table = page.locator("#violations")
        expect(table).to_contain_text(p.school_a.code)
        expect(table).to_contain_text("profs-eleves")
        if role.other:
            expect(table).not_to_contain_text(p.school_b.code)
        else:
            expect(table).to_contain_text(p.school_b.code)


def _report(j: Journey, p: Personas, role: Role, year: str, run_jobs: Callable[[], None]) -> None:
    page = j.page
    with j.step("PDF report"):
        j.menu("/indicators/reports/")
        j.page_shape()
        form = page.locator("main form.filters")
        expect(form.locator("input[name=unit]")).to_have_value(getattr(p, role.top).code)
        form.locator("select[name=year]").select_option(year)
        expect(form.locator("select[name=lang]")).to_have_value(j.lang)
        form.locator("button[type=submit]").click()
        expect(page.locator("#report-job .job-progress")).to_be_attached()
        run_jobs()
        link = page.locator("#report-job a.button")
        expect(link).to_be_visible()
        if j.lang == "ar":
            expect(link).to_have_text("تنزيل")  # "Télécharger", already translated
        href = link.get_attribute("href")
        assert href, "the finished job offers no download"
        response = page.request.get(urljoin(page.url, href))
        assert response.status == 200, f"download answered {response.status}"
        assert response.headers["content-type"] == "application/pdf"
        assert response.body()[:5] == b"%PDF-"


def _journey(
    page: Page,
    live_server: Any,
    journeys: Journeys,
    run_jobs: Callable[[], None],
    key: str,
    lang: str,
) -> None:
    role = ROLES[key]
    p = journeys.p
    j = _start(page, live_server, role.username, lang)
    _dashboard(j, p, role)
    _map(j, p, role)
    _drill_down(j, p, role, journeys.previous.code)
    target = _target(j, p, journeys.year.code)
    _action(j, target)
    _quality(j, p, role)
    _report(j, p, role, journeys.year.code, run_jobs)
    problems = j.problems + [f"[{lang}] answered {e}" for e in j.errors]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_national_officer_journey(
    page: Page, live_server: Any, journeys: Journeys, run_jobs: Callable[[], None], lang: str
) -> None:
    _journey(page, live_server, journeys, run_jobs, "national", lang)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_regional_officer_journey(
    page: Page, live_server: Any, journeys: Journeys, run_jobs: Callable[[], None], lang: str
) -> None:
    _journey(page, live_server, journeys, run_jobs, "regional", lang)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_provincial_officer_journey(
    page: Page, live_server: Any, journeys: Journeys, run_jobs: Callable[[], None], lang: str
) -> None:
    _journey(page, live_server, journeys, run_jobs, "provincial", lang)


# The outermost elements sticking out of the viewport (either side: Arabic lays out from the
# right), leaving out what a scrolling box clips and a skip link parked off screen, to name
# the culprit in the failure message.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const clipped = el => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') return true;
    }
    return false;
  };
  const out = [...document.querySelectorAll('body *')].filter(el => {
    const box = el.getBoundingClientRect();
    const hiddenAside = getComputedStyle(el).position === 'absolute'
      && (box.right <= 0 || box.left >= width);  // a skip link waiting off screen
    return box.width > 0 && (box.right > width + 1 || box.left < -1) && !hiddenAside
      && !clipped(el);
  });
  return out.filter(el => !out.includes(el.parentElement)).slice(0, 5).map(el => {
    const box = el.getBoundingClientRect();
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().replace(/ +/g, '.') : '');
    return `${name} [${Math.round(box.left)}..${Math.round(box.right)}]`;
  });
}"""


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_provincial_dashboard_fits_a_phone(
    page: Page, live_server: Any, journeys: Journeys, lang: str
) -> None:
    # The top bar shows the full name: a long one, as the factory's names vary with the order
    # tests run in.
    officer = journeys.p.provincial_a
    officer.first_name, officer.last_name = "Fatima Zahra", "Benjelloun"
    officer.save(update_fields=["first_name", "last_name"])
    page.set_viewport_size({"width": 390, "height": 844})
    j = _start(page, live_server, "dp.a", lang)
    j.menu("/indicators/")
    j.page_shape()
    expect(page.locator("main h1")).to_contain_text(_name(journeys.p.province_a, lang))
    expect(page.locator('[data-chart="chart-trend"] canvas')).to_be_visible()
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1] + 1, (
        f"the page scrolls sideways: {widths[0]} > {widths[1]} px; "
        f"out of the viewport: {page.evaluate(OVERFLOWING)}"
    )
    assert j.errors == []
