"""The partner's journey through "who does what where", in a real browser: the UNESCO
contact adds an action in Senegal (Dakar), finds it in the table and on the map, drills
down from the map page to Senegal's table, is refused another partner's action (404),
exports the table as XLSX; the table reads in Arabic (right to left) too."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from pilotage.cooperation.models import PartnerAction
from pilotage.cooperation.tests.test_actions_services import make
from pilotage.core.tests.browser import open_as

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_partner_adds_an_action_and_finds_it_on_the_map_and_in_the_table(
    page, live_server, coop, page_log
):
    other = make(coop, partner=coop.oif, title="Cantines de l'OIF", reached=300)
    make(coop, partner=coop.oif, country=coop.mali, title="Au Mali")
    open_as(page, live_server, coop.partner_user.username, "fr")
    page.goto(f"{live_server.url}/cooperation/")
    page.get_by_role("link", name="Qui fait quoi où").first.click()
    expect(page.locator("h1")).to_have_text("Qui fait quoi où")
    expect(page.locator("#actions")).to_contain_text("Cantines de l'OIF")
    # Another partner's action: listed, without an edit link.
    expect(page.locator(f"#action-{other.pk}")).not_to_contain_text("Modifier")

    page.get_by_role("link", name="Nouvelle action").click()
    expect(page.locator("#id_partner")).to_be_disabled()
    page.select_option("#id_country", label="Sénégal")
    page.select_option("#id_subdivisions", label="SN-DK · Dakar")
    page.fill("#id_title", "Lecture à Dakar")
    page.select_option("#id_topic", "quality")
    page.select_option("#id_beneficiary_type", "pupils")
    page.fill("#id_planned", "3000")
    page.fill("#id_reached", "1200")
    page.fill("#id_start_date", "2026-02-01")
    page.select_option("#id_status", "ongoing")
    page.locator("#action-form button[type=submit]").click()
    expect(page.locator("#actions")).to_contain_text("Lecture à Dakar")
    expect(page.locator("#actions")).to_contain_text("Dakar")
    mine = PartnerAction.objects.get(title="Lecture à Dakar")
    assert mine.partner == coop.unesco and mine.updated_by == coop.partner_user

    page.get_by_role("link", name="Carte").first.click()
    expect(page.locator("#actions-map[data-drawn='1']")).to_be_visible()
    expect(page.locator("#country-SN td.num").first).to_have_text("2")
    expect(page.locator("#country-ML td.num").first).to_have_text("1")
    expect(page.locator(".map-attribution")).to_contain_text("Natural Earth")
    page.locator("#country-SN a").click()
    expect(page.locator("#actions")).to_contain_text("Lecture à Dakar")
    expect(page.locator("#actions")).not_to_contain_text("Au Mali")

    response = page.goto(f"{live_server.url}/cooperation/actions/{other.pk}/edit/")
    assert response is not None and response.status == 404

    page.goto(f"{live_server.url}/cooperation/actions/?country={coop.senegal.pk}")
    with page.expect_download() as download:
        page.locator("#actions-export").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True)
    titles = [row[4] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert sorted(titles) == ["Cantines de l'OIF", "Lecture à Dakar"]
    assert book.worksheets[1].cell(1, 1).value == "Partenaire"
    assert not page_log.page_errors and not page_log.csp_violations()


def test_the_table_reads_in_arabic(page, live_server, coop):
    make(coop, title="Lecture à Dakar")
    open_as(page, live_server, coop.partner_user.username, "ar")
    page.goto(f"{live_server.url}/cooperation/actions/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#actions")).to_contain_text("Lecture à Dakar")
    expect(page.locator("#actions")).to_contain_text("السنغال")
