"""Conversion through the euro with dated rates (``cooperation/money.py``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from pilotage.cooperation.money import MissingRate, Rates, currency_check, round_money

D = Decimal
RATES = Rates.from_rows(
    [
        ("MAD", dt.date(2025, 1, 1), D("10.80"), "BAM"),
        ("MAD", dt.date(2025, 7, 1), D("10.95"), "BAM"),
        ("USD", dt.date(2025, 1, 1), D("1.08"), "BCE"),
        ("USD", dt.date(2025, 7, 1), D("1.17"), "BCE"),
    ]
)


def test_xof_to_eur_at_the_fixed_parity():
    # The CFA franc's parity, fixed since 1 January 1999 (BCEAO): 1 EUR = 655.957 XOF.
    # 1 000 000 / 655.957 = 1524.4902…, rounded to the cent: 1524.49.
    rates = Rates()
    assert rates.convert(D("1000000"), "XOF", "EUR", dt.date(2025, 3, 1)) == D("1524.49")
    assert rates.convert(D("1000000"), "XAF", "EUR", dt.date(2025, 3, 1)) == D("1524.49")
    assert {(r.currency, r.units_per_eur) for r in rates.used} == {
        ("XOF", D("655.957")),
        ("XAF", D("655.957")),
    }


def test_xof_to_xaf_is_one_to_one():
    assert Rates().convert(D("5000"), "XOF", "XAF", dt.date(2025, 3, 1)) == D("5000.00")


def test_mad_to_usd_through_the_euro_with_the_rate_in_force():
    # 10 000 MAD on 15 March 2025: rates valid from 1 January (MAD 10.80, USD 1.08)
    # 10 000 / 10.80 = 925.9259… EUR; × 1.08 = 1000.00 USD.
    assert RATES.convert(D("10000"), "MAD", "USD", dt.date(2025, 3, 15)) == D("1000.00")
    # On 1 July the new rates apply: 10 000 / 10.95 × 1.17 = 1068.4931… → 1068.49.
    assert RATES.convert(D("10000"), "MAD", "USD", dt.date(2025, 7, 1)) == D("1068.49")
    # The day before, still the January rates.
    assert RATES.convert(D("10000"), "MAD", "USD", dt.date(2025, 6, 30)) == D("1000.00")


def test_the_rates_used_are_listed():
    rates = Rates.from_rows([("MAD", dt.date(2025, 1, 1), D("10.80"), "BAM")])
    rates.convert(D("1"), "MAD", "EUR", dt.date(2025, 2, 1))
    rates.convert(D("1"), "XOF", "EUR", dt.date(2025, 2, 1))
    assert [(r.currency, r.valid_from, r.units_per_eur, r.source) for r in rates.used] == [
        ("MAD", dt.date(2025, 1, 1), D("10.80"), "BAM"),
        ("XOF", dt.date(1999, 1, 1), D("655.957"), "parité fixe (BCEAO/BEAC, 1999)"),
    ]


def test_a_missing_rate_names_the_currency_and_the_date():
    with pytest.raises(MissingRate) as exc:
        RATES.convert(D("100"), "MAD", "EUR", dt.date(2024, 12, 31))
    assert "MAD" in exc.value.messages[0] and "31/12/2024" in exc.value.messages[0]
    with pytest.raises(MissingRate, match="GBP"):
        RATES.convert(D("100"), "GBP", "EUR", dt.date(2025, 3, 1))


def test_rounding_half_even_once_at_the_end():
    # 2.345 → 2.34 and 2.355 → 2.36 (half to even), not 2.35 both.
    assert round_money(D("2.345")) == D("2.34")
    assert round_money(D("2.355")) == D("2.36")
    # Rounded at the end only: 1 / 3 EUR in MAD at 10.80 is 3.6 exactly, not 0.33 × 10.80.
    rates = Rates.from_rows([("MAD", dt.date(2025, 1, 1), D("10.80"), "")])
    assert rates.convert(D(1) / 3, "EUR", "MAD", dt.date(2025, 1, 1)) == D("3.60")


def test_currencies_are_iso_4217():
    assert currency_check("mad") == "MAD"
    with pytest.raises(ValidationError):
        currency_check("ABC")
    with pytest.raises(ValidationError):
        currency_check("EURO")
