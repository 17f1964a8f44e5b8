"""The results journey in a real browser: the Senegal coordinator reports teachers trained
with a breakdown by sex and submits it; the manager returns it with a comment; the
coordinator corrects it (in Arabic) and resubmits; the manager approves; the
target-vs-actual table counts it. Every page is reached by clicking from the programme."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from pilotage.cooperation.models import IndicatorTarget, ResultUpdate, UpdateStatus
from pilotage.cooperation.tests.results_support import logframe_build
from pilotage.core.tests.browser import open_as

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def _to_results(page: Page, live_server, programme) -> None:
    page.goto(f"{live_server.url}/cooperation/")
    page.locator(f"#programme-{programme.pk} a").first.click()
    page.locator("nav.appnav a[href$='/results/']").click()
    expect(page.locator("#logframe")).to_be_visible()


def test_report_return_correct_approve(page: Page, live_server, coop, page_log) -> None:
    lf = logframe_build(coop)
    IndicatorTarget.objects.create(
        indicator=lf.trained,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        value=Decimal(500),
    )

    # The coordinator reports 120 teachers trained in 2025 (70 women, 50 men) and submits.
    open_as(page, live_server, coop.coordinator_sn.username, "fr")
    _to_results(page, live_server, coop.imagine)
    page.locator("#results-subnav a[href$='/to-report/']").click()
    page.locator("#report-indicators a", has_text="1.1.1.a").click()
    page.locator("#id_period_start").fill("2025-01-01")
    page.locator("#id_period_end").fill("2025-12-31")
    page.locator("#id_value").fill("120")
    page.locator("#id_cell_sex_F").fill("70")
    page.locator("#id_cell_sex_M").fill("40")
    page.locator("#update-form button[type=submit]").click()
    # 70 + 40 is not 120: the form says so and keeps what was typed.
    expect(page.locator("#update-form")).to_contain_text("totalise 110 au lieu de 120")
    page.locator("#id_cell_sex_M").fill("50")
    page.locator("#update-form button[type=submit]").click()
    expect(page.locator("#update-status")).to_have_text("Brouillon")
    page.locator("button[value=submit]").click()
    expect(page.locator("#update-status")).to_have_text("Soumis")
    update = ResultUpdate.objects.get()

    # The manager returns it with a comment.
    open_as(page, live_server, coop.manager.username, "fr")
    _to_results(page, live_server, coop.imagine)
    page.locator("#results-subnav a[href$='/to-approve/']").click()
    page.locator(f"#update-{update.pk} a").click()
    page.locator("button[value=return]").click()
    expect(page.locator("#decision-form")).to_contain_text("commentaire est requis")
    page.locator("#id_comment").fill("Le chiffre des femmes ne correspond pas aux listes.")
    page.locator("button[value=return]").click()
    expect(page.locator("#update-status")).to_have_text("Renvoyé pour révision")

    # The coordinator, in Arabic, reads the comment, corrects and resubmits.
    open_as(page, live_server, coop.coordinator_sn.username, "ar")
    _to_results(page, live_server, coop.imagine)
    page.locator("#results-subnav a[href$='/to-report/']").click()
    page.locator(f"#update-{update.pk} a").click()
    expect(page.locator("#comments")).to_contain_text("ne correspond pas aux listes")
    page.locator("#edit-link").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator("#id_value").fill("125")
    page.locator("#id_cell_sex_F").fill("75")
    page.locator("#update-form button[type=submit]").click()
    page.locator("button[value=submit]").click()
    expect(page.locator("#update-figure")).to_contain_text("125")
    update.refresh_from_db()
    assert update.status == UpdateStatus.SUBMITTED

    # The manager approves; the table counts 125 of the 500 targeted for 2025 (25 %).
    open_as(page, live_server, coop.manager.username, "fr")
    _to_results(page, live_server, coop.imagine)
    page.locator("#results-subnav a[href$='/to-approve/']").click()
    page.locator(f"#update-{update.pk} a").click()
    page.locator("button[value=approve]").click()
    expect(page.locator("#update-status")).to_have_text("Approuvé")
    page.locator("#results-subnav a[href$='/table/']").click()
    row = page.locator("#target-actual tr[data-indicator='1.1.1.a']").first
    expect(row.locator("td.actual")).to_have_text("125")
    expect(row).to_contain_text("25 %")
    with page.expect_download() as download:
        page.locator("#xlsx-link").click()
    assert download.value.suggested_filename == "resultats-imagine.xlsx"
    assert not page_log.page_errors
