"""Playwright fixtures for the browser tests of every app (registered as a pytest plugin
by the root conftest.py): Debian's Chromium, headless, one fresh
browser context (cookies, storage) per test, and a recorder of what each page asked for
and complained about."""

from __future__ import annotations

import os
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

from pilotage.core.tests.support import require

CHROMIUM = Path("/usr/bin/chromium")
# Chromium otherwise phones Google (component updates, sync, QUIC probes); this machine's
# closed network refuses those connections and the noise hides real failures.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
TIMEOUT_MS = 10_000


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    # Lets the page fixture know, at teardown, whether the test body failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser() -> Generator:
    require(CHROMIUM.exists(), "Debian's chromium is not installed (make test installs it as root)")
    from playwright.sync_api import sync_playwright

    # The sync API keeps an asyncio loop in the test thread; Django then refuses ORM calls
    # from that thread (SynchronousOnlyOperation) although nothing runs concurrently there.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class PageLog:
    """Every request URL, console error and uncaught exception of one browser context."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return [m for m in self.console_errors if "Content Security Policy" in m]


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def page(browser, page_log: PageLog, request: pytest.FixtureRequest) -> Generator:
    context = browser.new_context(locale="fr-FR", timezone_id="Africa/Casablanca")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("request", lambda r: page_log.requests.append(r.url))
    page.on(
        "console",
        lambda m: (
            page_log.console_errors.append(f"{page.url}: {m.text}") if m.type == "error" else None
        ),
    )
    page.on("pageerror", lambda e: page_log.page_errors.append(f"{page.url}: {e}"))
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


def login(page, live_server, username: str, password: str) -> None:
    """Fill the login form and wait for the home page."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")


def open_as(page, live_server, username: str, lang: str, password: str | None = None) -> None:
    """Sign in as ``username`` (the test accounts' password unless given) in a fresh
    session, and switch to ``lang`` through the top bar, as a user would."""
    from playwright.sync_api import expect

    from pilotage.accounts.tests.factories import PASSWORD

    page.context.clear_cookies()
    login(page, live_server, username, password or PASSWORD)
    if lang != "fr":
        switch_language(page, lang)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")


def open_topbar_menu(page) -> None:
    """Below 720 px the top bar folds its menu behind a button: open it, as a user would.
    Does nothing where the menu is not folded."""
    toggle = page.locator("header.topbar [data-menu-toggle]")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()


def switch_language(page, language: str) -> None:
    """Choose a language in the top bar's menu, as a user would (app.js submits it). On a
    phone-sized page the menu button opens the folded menu first."""
    open_topbar_menu(page)
    page.locator("select[name=language]").select_option(language)
    page.locator(f"html[lang={language}]").wait_for(state="attached")
