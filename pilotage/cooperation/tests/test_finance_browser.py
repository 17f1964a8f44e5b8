"""The finance officer's journey in a real browser: records transactions in MAD, USD and
XOF for an ImaginEcole project, reaching every page by clicking, and reads the programme's
financial report in EUR with the rates used shown (French); then the report in Arabic."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from pilotage.cooperation.models import Transaction
from pilotage.cooperation.services.finance import RateRow, rates_save
from pilotage.core.tests.browser import open_as

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def _record(page: Page, kind: str, day: str, amount: str, currency: str) -> None:
    page.get_by_role("link", name="Nouvelle transaction").click()
    page.locator("#id_type").select_option(kind)
    page.locator("#id_transaction_date").fill(day)
    page.locator("#id_amount").fill(amount)
    page.locator("#id_currency").fill(currency)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#transactions")).to_contain_text(currency)


def test_finance_officer_records_three_currencies_and_reads_the_report_in_a_fourth(
    page: Page, live_server, coop
):
    rates_save(
        actor=coop.finance,
        rows=[
            RateRow("MAD", dt.date(2025, 1, 1), Decimal("10.80"), "Bank Al-Maghrib"),
            RateRow("USD", dt.date(2025, 1, 1), Decimal("1.08"), "BCE"),
        ],
    )
    open_as(page, live_server, coop.finance.username, "fr")
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Coopération").first.click()
    page.get_by_role("link", name="ImaginEcole").first.click()
    page.get_by_role("link", name="Finances").last.click()
    page.get_by_role("link", name=coop.project_sn.code).click()
    _record(page, "4", "2025-03-10", "108000", "MAD")
    _record(page, "4", "2025-03-12", "1080", "USD")
    _record(page, "3", "2025-04-01", "1000000", "XOF")
    assert Transaction.objects.count() == 3
    # The programme's "Finances" tab (the app's own "Finances" section is the portfolio).
    page.locator(f"a[href$='/programmes/{coop.imagine.pk}/finance/']").first.click()
    page.locator("#id_currency").fill("EUR")
    page.get_by_role("button", name="Afficher").click()
    report = page.locator("#finance-report")
    # 108 000 MAD / 10.80 + 1 080 USD / 1.08 = 11 000 EUR; 1 000 000 XOF / 655.957 = 1 524.49.
    expect(report).to_contain_text("11")
    expect(report).to_contain_text("524,49")
    rates = page.locator("#rates-used")
    for text in ("MAD", "USD", "XOF", "655,957", "10,8", "Bank Al-Maghrib"):
        expect(rates).to_contain_text(text)
    url = page.url

    open_as(page, live_server, coop.finance.username, "ar")
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#finance-report")).to_be_visible()
    expect(page.locator("#rates-used")).to_contain_text("XOF")
