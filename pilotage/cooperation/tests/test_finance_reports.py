"""The financial report, the portfolio dashboard and the programme summary: worked
examples in a reporting currency, the rates used, burn rate and forecast, scope, and a
query count that does not grow with the portfolio."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection

from pilotage.cooperation.models import TransactionType
from pilotage.cooperation.money import MissingRate, Rates, round_money
from pilotage.cooperation.selectors.finance import (
    _dashboard_source,
    _dashboard_sums_python,
    dashboard_sums,
    finance_report,
    portfolio_dashboard,
    programme_finance_summary,
)
from pilotage.cooperation.services.finance import (
    RateRow,
    budget_create,
    rates_save,
    transaction_create,
)
from pilotage.cooperation.tests.factories import programme_with_countries

pytestmark = pytest.mark.django_db
D = Decimal
T = TransactionType


def _rates(coop):
    rates_save(
        actor=coop.finance,
        rows=[
            RateRow("MAD", dt.date(2025, 1, 1), D("10.80"), "BAM"),
            RateRow("USD", dt.date(2025, 1, 1), D("1.08"), "BCE"),
        ],
    )


def _tx(coop, project, kind, amount, currency, day):
    transaction_create(
        actor=coop.finance,
        project=project,
        type=kind,
        transaction_date=day,
        amount=D(amount),
        currency=currency,
    )


@pytest.fixture
def money(coop):
    _rates(coop)
    budget_create(
        actor=coop.finance,
        project=coop.project_sn,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        amount=D("120000"),
        currency="EUR",
    )
    _tx(coop, coop.project_sn, T.EXPENDITURE, "108000", "MAD", dt.date(2025, 3, 10))
    _tx(coop, coop.project_sn, T.EXPENDITURE, "1080", "USD", dt.date(2025, 3, 12))
    _tx(coop, coop.project_sn, T.DISBURSEMENT, "1000000", "XOF", dt.date(2025, 4, 1))
    _tx(coop, coop.project_ml, T.INCOMING_FUNDS, "5000", "EUR", dt.date(2025, 2, 1))
    return coop


def test_report_in_euro_per_project_with_the_rates_used(money):
    coop = money
    report = finance_report(
        coop.finance, currency="EUR", programme=coop.imagine, today=dt.date(2025, 6, 30)
    )
    rows = {r.key: r for r in report.rows}
    sn = rows[coop.project_sn.pk]
    # 108 000 MAD / 10.80 = 10 000 EUR; 1 080 USD / 1.08 = 1 000 EUR.
    assert sn.expenditure == D("11000.00")
    # 1 000 000 XOF / 655.957 = 1524.49 EUR.
    assert sn.disbursement == D("1524.49")
    assert sn.budget == D("120000.00")
    assert rows[coop.project_ml.pk].incoming_funds == D("5000.00")
    assert report.total.expenditure == D("11000.00")
    assert [(r.currency, r.units_per_eur) for r in report.rates_used] == [
        ("MAD", D("10.80000000")),
        ("USD", D("1.08000000")),
        ("XOF", D("655.957")),
    ]
    # Burn rate 11 000 / 120 000 = 9.2 %; the project started on 1 January 2025, so by
    # 30 June six months have elapsed: 11 000 / 6 = 1833.33 a month; 42 months remain
    # until 31 December 2028: forecast 11 000 + 1833.33 × 42 = 88 000 (rounded 87999.86).
    assert sn.burn_rate == D("9.2")
    assert sn.months_elapsed == 6
    assert sn.monthly_burn == D("1833.33")
    assert sn.months_remaining == 42
    assert sn.forecast == D("87999.86")


def test_report_in_a_fourth_currency(money):
    # In USD: 10 000 EUR of MAD × 1.08 = 10 800, and the USD amount stays 1 080: 11 880.
    report = finance_report(
        money.finance, currency="USD", group_by="country", today=dt.date(2025, 6, 30)
    )
    rows = {r.label: r for r in report.rows}
    assert rows["Sénégal"].expenditure == D("11880.00")
    # 1 000 000 XOF → 1524.4902 EUR × 1.08 = 1646.45 USD.
    assert rows["Sénégal"].disbursement == D("1646.45")


def test_report_per_year_and_partner(money):
    by_year = finance_report(money.finance, currency="EUR", group_by="year")
    assert [r.key for r in by_year.rows] == [2025]
    assert by_year.rows[0].expenditure == D("11000.00")
    by_partner = finance_report(money.finance, currency="EUR", group_by="partner")
    assert {r.label for r in by_partner.rows} >= {"UNESCO"}


def test_a_missing_rate_stops_the_report_naming_currency_and_date(money):
    _tx(money, money.project_sn, T.EXPENDITURE, "10", "GBP", dt.date(2025, 5, 3))
    with pytest.raises(MissingRate, match="GBP au 01/05/2025"):
        finance_report(money.finance, currency="EUR")


def test_a_coordinator_reads_their_country_only_and_a_partner_nothing(money):
    report = finance_report(money.coordinator_sn, currency="EUR")
    # The Senegal projects of both programmes, not Mali's.
    assert {r.key for r in report.rows} == {
        money.project_sn.pk,
        money.other.projects.get().pk,
    }
    assert finance_report(money.partner_user, currency="EUR").rows == []
    assert finance_report(money.consultant, currency="EUR").rows == []


def test_the_programme_summary_until_a_date(money):
    summary = programme_finance_summary(money.imagine, currency="EUR", until=dt.date(2025, 3, 31))
    rows = {r.key: r for r in summary.rows}
    assert rows[money.project_sn.pk].expenditure == D("11000.00")
    # The April disbursement is after the date.
    assert rows[money.project_sn.pk].disbursement == D("0")
    assert summary.total.incoming_funds == D("5000.00")


def test_dashboard_totals_per_year_and_country(money):
    data = portfolio_dashboard(money.finance, currency="EUR")
    assert data.per_year[2025]["4"] == D("11000.00")
    assert dict(data.countries)["Mali"]["1"] == D("5000.00")
    assert data.total["budget"] == D("120000.00")
    # The manager of ImaginEcole reads the project facts; the finance officer the country
    # facts: the same figures (ImaginEcole holds all the money here).
    mine = portfolio_dashboard(money.manager, currency="EUR")
    assert mine.per_year == data.per_year and mine.countries == data.countries


def _grow(coop, n):
    for i in range(n):
        programme = programme_with_countries([coop.senegal, coop.mali], code=f"grow-{n}-{i}")
        for project in programme.projects.all():
            _tx(coop, project, T.EXPENDITURE, "100", "MAD", dt.date(2025, 5, 1))
            _tx(coop, project, T.DISBURSEMENT, "100", "USD", dt.date(2026, 5, 1))


@pytest.mark.parametrize("extra", [0, 6])
def test_the_dashboard_query_count_does_not_grow_with_the_portfolio(
    money, extra, django_assert_num_queries
):
    rates_save(actor=money.finance, rows=[RateRow("MAD", dt.date(2026, 1, 1), D("10.9"))])
    _grow(money, extra)
    pg = connection.vendor == "postgresql"
    cache.clear()
    # Not cached: 1 the finance version, 2 the rates, (PostgreSQL: 3 the currency × months
    # present, 4 the sums converted in SQL; elsewhere: 3 the facts summed per year, month,
    # country, kind and currency), then the countries' names and the programmes counted
    # (the reader's scope was read before, by the fixture's writes, and is cached on the
    # user; the reach is a subquery).
    with django_assert_num_queries(6 if pg else 5):
        portfolio_dashboard(money.finance, currency="EUR")
    # Cached: the version, the countries' names, the programmes counted.
    with django_assert_num_queries(3):
        portfolio_dashboard(money.finance, currency="EUR")
    # The manager is not cached: the rates, the months present and the sums (or the facts),
    # the names, the count, and their role assignments read once more (first request).
    with django_assert_num_queries(6 if pg else 5):
        portfolio_dashboard(money.manager, currency="EUR")


def test_sql_conversion_equals_the_python_conversion(coop):
    """Worked example: four currencies, the dirham's rate changing on 1 July 2025.

    By hand, in EUR (1 EUR = 10.80 MAD until 30 June, 11.00 MAD from 1 July; 1.08 USD;
    655.957 XOF, the fixed parity): 1 080 MAD in March = 100.00; 1 100 MAD in August =
    100.00; 1 000 MAD in August = 90.909090… ; 540 USD in May = 500.00; 655 957 XOF in
    October = 1 000.00; 250 EUR = 250.00. Expenditure 2025: 100 + 100 + 90.909090… +
    1 000 = 1 290.91 (rounded once, at the end); disbursements 500 + 250 = 750.00."""
    rates_save(
        actor=coop.finance,
        rows=[
            RateRow("MAD", dt.date(2025, 1, 1), D("10.80")),
            RateRow("MAD", dt.date(2025, 7, 1), D("11.00")),
            RateRow("USD", dt.date(2025, 1, 1), D("1.08")),
        ],
    )
    sn, ml = coop.project_sn, coop.project_ml
    _tx(coop, sn, T.EXPENDITURE, "1080", "MAD", dt.date(2025, 3, 10))
    _tx(coop, sn, T.EXPENDITURE, "1100", "MAD", dt.date(2025, 8, 5))
    _tx(coop, ml, T.EXPENDITURE, "1000", "MAD", dt.date(2025, 8, 20))
    _tx(coop, ml, T.DISBURSEMENT, "540", "USD", dt.date(2025, 5, 2))
    _tx(coop, sn, T.EXPENDITURE, "655957", "XOF", dt.date(2025, 10, 1))
    _tx(coop, ml, T.DISBURSEMENT, "250", "EUR", dt.date(2025, 12, 31))
    for currency in ("EUR", "MAD", "USD", "XOF"):
        for everything in (True, False):
            reader = coop.finance if everything else coop.manager
            source = _dashboard_source(reader, everything=everything)
            reference = _dashboard_sums_python(source, currency, Rates.load())
            new = dashboard_sums(reader, currency=currency, everything=everything)

            def rounded(sums):
                return {
                    key: {k: round_money(v) for k, v in amounts.items()}
                    for key, amounts in sums.items()
                }

            assert rounded(new.sums) == rounded(reference.sums), (currency, everything)
            assert new.rates_used == reference.rates_used
    cache.clear()
    data = portfolio_dashboard(coop.finance, currency="EUR")
    assert data.per_year[2025][T.EXPENDITURE.value] == D("1290.91")
    assert data.per_year[2025][T.DISBURSEMENT.value] == D("750.00")
    assert dict(data.countries)["Mali"][T.EXPENDITURE.value] == D("90.91")
    assert [(r.currency, r.valid_from) for r in data.rates_used] == [
        ("MAD", dt.date(2025, 1, 1)),
        ("MAD", dt.date(2025, 7, 1)),
        ("USD", dt.date(2025, 1, 1)),
        ("XOF", dt.date(1999, 1, 1)),
    ]


def test_the_cached_dashboard_follows_writes_and_rate_changes(money):
    cache.clear()
    before = portfolio_dashboard(money.finance, currency="EUR")
    _tx(money, money.project_sn, T.EXPENDITURE, "1080", "MAD", dt.date(2025, 6, 1))
    after = portfolio_dashboard(money.finance, currency="EUR")
    assert after.per_year[2025]["4"] == before.per_year[2025]["4"] + D("100.00")
    # A new dirham rate from June: the same page, converted again.
    rates_save(actor=money.finance, rows=[RateRow("MAD", dt.date(2025, 6, 1), D("21.60"))])
    changed = portfolio_dashboard(money.finance, currency="EUR")
    assert changed.per_year[2025]["4"] == after.per_year[2025]["4"] - D("50.00")
