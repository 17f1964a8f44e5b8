"""The demo's money step on the test programmes: budgets per project and year, three plan
revisions, transactions in the four currencies, and a report in EUR that finds every
rate it needs."""

from __future__ import annotations

import pytest

from pilotage.cooperation.models import Budget, PlanRevision, Transaction
from pilotage.cooperation.selectors.finance import finance_report
from pilotage.demo.context import SCALES, Context
from pilotage.demo.coop_finance import create_finance

pytestmark = pytest.mark.django_db


def test_the_demo_money_converts_with_its_own_rates(coop):
    create_finance(Context(scale=SCALES["small"], seed=1))
    assert Budget.objects.count() == 3 * 4  # three projects × 2025–2028
    assert set(Transaction.objects.values_list("currency", flat=True)) >= {"XOF", "USD"}
    assert PlanRevision.objects.filter(project=coop.project_sn).count() == 3
    report = finance_report(coop.finance, currency="EUR")
    assert report.total.expenditure > 0
    assert {r.currency for r in report.rates_used} >= {"USD", "XOF"}
