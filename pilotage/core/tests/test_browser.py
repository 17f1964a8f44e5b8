"""The main journeys of each role, in a real browser (Debian's Chromium through Playwright),
in French and in Arabic.

Checks that must hold whatever the language rely on addresses and data attributes; the
wording is checked in each language, the Arabic written out here as the reader sees it (not
looked up in the catalogue, so a missing translation fails).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from pilotage.accounts.models import RoleAssignment, User
from pilotage.accounts.tests.factories import PASSWORD
from pilotage.core.tests.browser import PageLog, login, open_as, switch_language

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

LANGS = ["fr", "ar"]


def menu_link(page: Page, href: str):
    return page.locator(f'nav.mainnav a[href="{href}"]')


# -- 1. Each role lands on its own home page, with its own menu ------------------------------

# The same words in Arabic, as the catalogue gives them (pilotage/locale/ar).
ARABIC = {
    "Administrateur national": "مشرف وطني على المنصة",
    "Responsable provincial (DP)": "مسؤول إقليمي (المديرية الإقليمية)",
    "Chef d'établissement": "مدير المؤسسة",
    "Enseignant": "أستاذ",
    "Parent / élève": "ولي الأمر / التلميذ",
    "Journal d'audit": "سجل التدقيق",
    "Unités": "الوحدات الإدارية",
}


def words(french: str, lang: str) -> str:
    return ARABIC[french] if lang == "ar" else french


ROLES = {
    # username: (role code, French label, menu links shown, menu links absent)
    "admin.national": (
        "national_admin",
        "Administrateur national",
        ["/", "/orgunits/", "/accounts/people/", "/audit/", "/accounts/tokens/"],
        [],
    ),
    "dp.a": (
        "provincial_officer",
        "Responsable provincial (DP)",
        # Officers and heads read the audit log of their own subtree.
        ["/", "/orgunits/", "/accounts/people/", "/audit/", "/accounts/tokens/"],
        [],
    ),
    "head.a": (
        "school_head",
        "Chef d'établissement",
        ["/", "/orgunits/", "/accounts/people/", "/audit/", "/accounts/tokens/"],
        [],
    ),
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("username", list(ROLES))
def test_each_role_lands_on_its_home_with_its_menu(
    page: Page, live_server, personas, username: str, lang: str
) -> None:
    role, label, shown, absent = ROLES[username]
    open_as(page, live_server, username, lang)

    grants = page.locator("ul.grants > li")
    expect(grants).to_have_count(1)
    expect(grants).to_have_attribute("data-role", role)
    expect(grants).to_contain_text(words(label, lang))
    for other, (_, other_label, _, _) in ROLES.items():
        if other != username:
            expect(page.locator("main")).not_to_contain_text(words(other_label, lang))
    for href in shown:
        expect(menu_link(page, href)).to_have_count(1)
    for href in absent:
        expect(menu_link(page, href)).to_have_count(0)
    expect(page.locator('main a[href="/audit/"]')).to_have_count(1 if "/audit/" in shown else 0)
    audit = page.locator("nav.mainnav").get_by_role("link", name=words("Journal d'audit", lang))
    expect(audit).to_have_count(1 if "/audit/" in shown else 0)


# -- 2. The language menu turns the whole interface right-to-left and back -------------------


def test_language_menu_switches_to_arabic_rtl_and_back(page: Page, live_server, personas) -> None:
    login(page, live_server, "dp.a", PASSWORD)
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "fr")
    expect(html).to_have_attribute("dir", "ltr")

    page.locator("select[name=language]").select_option("ar")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    expect(page.locator("body")).to_have_css("direction", "rtl")
    expect(page.locator("select[name=language]")).to_have_value("ar")
    assert page.url == f"{live_server.url}/"  # back on the page the menu was used from
    assert User.objects.get(username="dp.a").preferred_language == "ar"

    page.reload()  # the choice sticks
    expect(html).to_have_attribute("dir", "rtl")

    page.locator("select[name=language]").select_option("fr")
    expect(html).to_have_attribute("lang", "fr")
    expect(html).to_have_attribute("dir", "ltr")
    expect(page.locator("body")).to_have_css("direction", "ltr")
    assert User.objects.get(username="dp.a").preferred_language == "fr"


# -- 3. Provincial officer: find a school with the picker, stay inside the province ----------

BREADCRUMB = {
    "fr": ["Préfecture de Tanger-Assilah", "Commune de Gueznaia", "École primaire Ibn Battouta"],
    # The school has no Arabic name: it falls back to the French one.
    "ar": ["عمالة طنجة-أصيلة", "جماعة اكزناية", "École primaire Ibn Battouta"],
}


@pytest.mark.parametrize("lang", LANGS)
def test_provincial_officer_finds_a_school_and_not_another_province(
    page: Page, live_server, personas, lang: str
) -> None:
    open_as(page, live_server, "dp.a", lang)
    menu_link(page, "/orgunits/").click()
    expect(page).to_have_url(f"{live_server.url}/orgunits/")

    page.locator("#ou-search").press_sequentially("Ibn")
    result = page.locator("#ou-results a", has_text="École primaire Ibn Battouta")
    expect(result).to_have_count(1)
    expect(page.locator("#ou-results")).not_to_contain_text("Collège Al Massira")
    result.click()

    expect(page).to_have_url(f"{live_server.url}/orgunits/04101A/")
    crumbs = page.locator("nav.breadcrumb li")
    expect(crumbs).to_have_text(BREADCRUMB[lang])
    # An officer of province A sees neither the region nor the country above it.
    expect(page.locator("nav.breadcrumb")).not_to_contain_text("Maroc")
    expect(page.locator("nav.breadcrumb li").last.locator("[aria-current=page]")).to_have_count(1)

    response = page.goto(f"{live_server.url}/orgunits/MA-FES/")
    assert response is not None
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text("Préfecture de Fès")
    expect(page.locator("body")).not_to_contain_text("عمالة فاس")


# -- 4. School head: the people of the school ------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_school_head_sees_the_teachers_of_the_school(
    page: Page, live_server, personas, lang: str
) -> None:
    open_as(page, live_server, "head.a", lang)
    page.goto(f"{live_server.url}/accounts/people/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")

    usernames = page.locator("table.table tbody tr td:nth-child(2)")
    expect(usernames.filter(has_text="teacher.a1")).to_have_count(1)
    expect(usernames.filter(has_text="parent.a")).to_have_count(1)
    # School B's head and the province's officers are outside the school.
    expect(usernames.filter(has_text="head.b")).to_have_count(0)
    expect(usernames.filter(has_text="dp.a")).to_have_count(0)


# -- 5. National admin: audit log and API docs, all served by the site itself ----------------


def test_admin_reads_the_audit_log_and_api_docs_without_cdn(
    page: Page, live_server, personas, page_log: PageLog
) -> None:
    login(page, live_server, "admin.national", PASSWORD)
    expect(page.locator("ul.grants")).to_be_visible()
    menu_link(page, "/audit/").click()
    expect(page).to_have_url(f"{live_server.url}/audit/")
    rows = page.locator("table.table tbody tr")
    # Every role assignment of the personas was audited when it was made.
    assigned = RoleAssignment.objects.count()
    assert assigned == 9  # the personas, the contact agent among them
    expect(rows.filter(has_text="affectation de rôle")).to_have_count(assigned)
    expect(rows.filter(has_text="teacher.a1").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    own_pages = len(page_log.console_errors)

    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info")).to_contain_text("Pilotage API")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    page.wait_for_load_state("networkidle")

    foreign = [url for url in page_log.requests if not url.startswith(f"{live_server.url}/")]
    assert foreign == [], f"requests left the site: {foreign}"
    assert page_log.console_errors[:own_pages] == []
    assert page_log.page_errors == []
    # Swagger UI's own page is django-ninja's; what it logs is reported, not asserted.
    for message in page_log.console_errors[own_pages:]:
        print(f"API docs console: {message}")  # noqa: T201


def test_own_pages_log_no_console_error_or_csp_violation(
    page: Page, live_server, personas, page_log: PageLog
) -> None:
    login(page, live_server, "head.a", PASSWORD)
    # Without a declared icon the browser asks for /favicon.ico, which answers 404: an
    # error in the console and a warning in the server log on every first visit.
    icon = page.locator('head link[rel~="icon"]')
    expect(icon).to_have_count(1)
    switch_language(page, "ar")
    response = page.goto(f"{live_server.url}/orgunits/")
    assert response is not None
    # The policy these pages are held to (a violation is logged as a console error).
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator("#ou-search").press_sequentially("Ibn")
    expect(page.locator("#ou-results a")).to_have_count(1)
    # The units page opens its tree at once, the top of the reader's scope shown.
    expect(page.locator("details.ou-tree .tree")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert page_log.csp_violations() == []
    assert page_log.console_errors == []
    assert page_log.page_errors == []
    assert all(url.startswith(f"{live_server.url}/") for url in page_log.requests)


# -- 6. Teacher and parent ------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_teacher_and_parent_menus(page: Page, live_server, personas, lang: str) -> None:
    open_as(page, live_server, "teacher.a1", lang)
    expect(page.locator("ul.grants > li")).to_have_attribute("data-role", "teacher")
    expect(page.locator("ul.grants")).to_contain_text(words("Enseignant", lang))
    expect(menu_link(page, "/orgunits/")).to_have_count(1)
    expect(menu_link(page, "/accounts/people/")).to_have_count(0)
    expect(menu_link(page, "/audit/")).to_have_count(0)

    page.context.clear_cookies()
    open_as(page, live_server, "parent.a", lang)
    expect(page.locator("ul.grants > li")).to_have_attribute("data-role", "parent")
    expect(page.locator("ul.grants")).to_contain_text(words("Parent / élève", lang))
    expect(page.locator("nav.mainnav")).not_to_contain_text(words("Unités", lang))
    expect(menu_link(page, "/")).to_have_count(1)
    expect(menu_link(page, "/orgunits/")).to_have_count(0)
    expect(menu_link(page, "/accounts/people/")).to_have_count(0)
    expect(menu_link(page, "/audit/")).to_have_count(0)
    # The parent sees the school's name but no link into the tree.
    expect(page.locator("ul.grants a")).to_have_count(0)

    response = page.goto(f"{live_server.url}/orgunits/")
    assert response is not None
    assert response.status == 404
    response = page.goto(f"{live_server.url}/orgunits/04101A/")
    assert response is not None
    assert response.status == 404
