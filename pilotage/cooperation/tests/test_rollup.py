"""The roll-up rules of ``results_rollup.py`` on worked examples, each written out.

Source of the percentage rule: a rate of a group is the ratio of its totals (UNESCO UIS,
"Gross enrolment ratio" and every rate of its glossary: Σ enrolment / Σ population, never
an average of national rates); OECD DAC results-based management guidance asks the same of
logframe indicators aggregated across countries.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from pilotage.cooperation import results_rollup as r

Y24 = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
Y25 = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
Q1 = (dt.date(2025, 1, 1), dt.date(2025, 3, 31))
Q2 = (dt.date(2025, 4, 1), dt.date(2025, 6, 30))


def unit(loc, period, value, status=r.APPROVED):
    return r.Entry(loc, *period, value=D(value), status=status)


def pct(loc, period, num, den, status=r.APPROVED):
    return r.Entry(loc, *period, numerator=D(num), denominator=D(den), status=status)


PCT = r.Spec(r.PERCENTAGE)
COUNT = r.Spec(r.UNIT)


def test_percentage_is_ratio_of_sums_across_countries():
    # Senegal 30/60 = 50 %, Mali 45/50 = 90 %.
    # (30 + 45) / (60 + 50) = 75 / 110 = 68.18 %; the mean of the rates would be 70 %.
    got = r.achieved([pct("SN", Y25, 30, 60), pct("ML", Y25, 45, 50)], PCT)
    assert (got.numerator, got.denominator) == (D(75), D(110))
    assert r.rounded(got.value) == D("68.18")


def test_percentage_over_periods_is_ratio_of_sums_too():
    # One country, two quarters: 10/40 then 30/40 → 40/80 = 50 %, not (25 % + 75 %) / 2
    # (that happens to be 50 % too), so uneven denominators: 10/20 and 30/80 → 40/100 = 40 %
    # where the mean of 50 % and 37.5 % is 43.75 %.
    got = r.achieved([pct("SN", Q1, 10, 20), pct("SN", Q2, 30, 80)], PCT)
    assert got.value == D(40)


def test_counts_sum_across_countries_and_periods():
    # Teachers trained: SN 120 in Q1 + 80 in Q2 = 200; ML 150 → 350.
    entries = [unit("SN", Q1, 120), unit("SN", Q2, 80), unit("ML", Q1, 150)]
    assert r.achieved(entries, COUNT).value == D(350)


def test_only_approved_updates_count():
    # SN approved 100, submitted 50, returned 40, draft 30 → 100 only.
    entries = [
        unit("SN", Q1, 100),
        unit("SN", Q2, 50, "submitted"),
        unit("ML", Q1, 40, "returned"),
        unit("ML", Q2, 30, "draft"),
    ]
    got = r.achieved(entries, COUNT)
    assert got.value == D(100)
    assert got.count == 1


def test_nothing_approved_is_no_figure_not_zero():
    got = r.achieved([unit("SN", Q1, 100, "submitted")], COUNT)
    assert got.value is None
    assert got.empty


def test_cumulative_takes_latest_per_country_then_sums():
    # Schools equipped, reported as running totals: SN 10 (2024) then 25 (2025) → 25;
    # ML 7 (2024) only → 7. Programme: 25 + 7 = 32, not 10 + 25 + 7 = 42.
    spec = r.Spec(r.UNIT, cumulative=True)
    entries = [unit("SN", Y24, 10), unit("SN", Y25, 25), unit("ML", Y24, 7)]
    assert r.achieved(entries, spec).value == D(32)


def test_cumulative_percentage_takes_latest_period():
    spec = r.Spec(r.PERCENTAGE, cumulative=True)
    entries = [pct("SN", Y24, 10, 100), pct("SN", Y25, 40, 100), pct("ML", Y25, 45, 50)]
    # SN latest 40/100, ML 45/50 → 85/150 = 56.67 %.
    assert r.rounded(r.achieved(entries, spec).value) == D("56.67")


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        # SN periods 4 and 8, ML periods 6.
        (r.SUM, D(18)),  # (4 + 8) + 6
        (r.AVERAGE, D(12)),  # SN (4 + 8) / 2 = 6, ML 6; the countries then add: 12
        (r.MAXIMUM, D(14)),  # max(4, 8) + 6
        (r.LATEST, D(14)),  # latest 8 + 6
    ],
)
def test_period_aggregations(how, expected):
    spec = r.Spec(r.UNIT, period_aggregation=how)
    entries = [unit("SN", Q1, 4), unit("SN", Q2, 8), unit("ML", Q1, 6)]
    assert r.achieved(entries, spec).value == expected


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        (r.SUM, D(150)),  # 100 + 50
        (r.AVERAGE, D(75)),  # (100 + 50) / 2
        (r.MAXIMUM, D(100)),
        (r.LATEST, D(50)),  # ML reported last (Q2)
    ],
)
def test_location_aggregations(how, expected):
    spec = r.Spec(r.UNIT, location_aggregation=how)
    entries = [unit("SN", Q1, 100), unit("ML", Q2, 50)]
    assert r.achieved(entries, spec).value == expected


def test_percentage_ignores_a_location_average():
    # Even if asked for an average, a percentage stays Σnum/Σden (the database refuses the
    # setting; the engine does not depend on that).
    spec = r.Spec(r.PERCENTAGE, location_aggregation=r.AVERAGE)
    got = r.achieved([pct("SN", Y25, 30, 60), pct("ML", Y25, 45, 50)], spec)
    assert r.rounded(got.value) == D("68.18")


def test_until_leaves_later_periods_out():
    entries = [unit("SN", Y24, 10), unit("SN", Y25, 25)]
    assert r.achieved(entries, COUNT, until=dt.date(2024, 12, 31)).value == D(10)


def test_period_actual_collects_the_periods_inside_the_target():
    # 2025 target; Q1 40 + Q2 60 = 100; the 2024 update is outside.
    entries = [unit("SN", Y24, 500), unit("SN", Q1, 40), unit("SN", Q2, 60)]
    assert r.in_period(entries, COUNT, start=Y25[0], end=Y25[1]).value == D(100)


def test_achievement_against_target():
    # 350 trained of a target of 500 → 70 %.
    assert r.achievement(D(350), D(500)) == D(70)
    assert r.achievement(None, D(500)) is None
    assert r.achievement(D(5), D(0)) is None


def test_zero_denominator_has_no_rate():
    got = r.achieved([pct("SN", Y25, 0, 0)], PCT)
    assert got.value is None
    assert got.count == 1


def test_qualitative_has_no_figure():
    spec = r.Spec(r.QUALITATIVE)
    got = r.achieved([r.Entry("SN", *Y25)], spec)
    assert got.value is None
