"""Finance writes: budgets (a year at most, no overlap, lines within), plan revisions,
transactions, rates; each keeps the aggregate; each denied path changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilotage.cooperation.models import (
    BUDGET_KIND,
    Budget,
    ExchangeRate,
    FinanceCountryFact,
    FinanceFact,
    PlanRevision,
    Transaction,
    TransactionType,
)
from pilotage.cooperation.services.finance import (
    PlannedRow,
    RateRow,
    budget_create,
    budget_line_save,
    budget_update,
    finance_facts_rebuild,
    plan_revision_create,
    planned_disbursements_set,
    rates_save,
    transaction_create,
)
from pilotage.core.models import AuditEntry

pytestmark = pytest.mark.django_db
D = Decimal


def _budget(coop, **kw):
    fields = {
        "period_start": dt.date(2025, 1, 1),
        "period_end": dt.date(2025, 12, 31),
        "amount": D("100000"),
        "currency": "EUR",
    }
    fields.update(kw)
    return budget_create(actor=coop.finance, project=coop.project_sn, **fields)


def _facts():
    return {
        (f.project_id, f.year, f.month, f.kind, f.currency): f.amount
        for f in FinanceFact.objects.all()
    }


def _country_facts():
    return {
        (f.country_key, f.year, f.month, f.kind, f.currency): f.amount
        for f in FinanceCountryFact.objects.all()
    }


def test_a_budget_of_more_than_a_year_is_refused_naming_the_period(coop):
    with pytest.raises(ValidationError) as exc:
        _budget(coop, period_end=dt.date(2026, 1, 1))
    assert "01/01/2025 au 01/01/2026" in str(exc.value)
    assert not Budget.objects.exists()


def test_budgets_of_the_same_type_do_not_overlap(coop):
    _budget(coop)
    with pytest.raises(ValidationError, match="chevauche"):
        _budget(coop, period_start=dt.date(2025, 6, 1), period_end=dt.date(2026, 5, 31))
    _budget(coop, type="2", period_start=dt.date(2025, 6, 1), period_end=dt.date(2026, 5, 31))
    assert Budget.objects.count() == 2


def test_lines_stay_within_the_budget(coop):
    budget = _budget(coop)
    budget_line_save(
        actor=coop.finance, budget=budget, code="A", label="Formation", amount=D("60000")
    )
    budget_line_save(
        actor=coop.finance, budget=budget, code="B", label="Impression", amount=D("40000")
    )
    with pytest.raises(ValidationError, match="plus que le budget"):
        budget_line_save(
            actor=coop.finance, budget=budget, code="C", label="Trop", amount=D("0.01")
        )
    # Changing a line counts the others only.
    budget_line_save(
        actor=coop.finance, budget=budget, code="A", label="Formation", amount=D("50000")
    )
    assert budget.lines.count() == 2


def test_budget_update_moves_its_fact_and_checks_the_version(coop):
    budget = _budget(coop)
    assert _facts() == {(coop.project_sn.pk, 2025, 1, BUDGET_KIND, "EUR"): D("100000.00")}
    budget_update(actor=coop.finance, budget=budget, version=1, amount=D("80000"))
    assert _facts() == {(coop.project_sn.pk, 2025, 1, BUDGET_KIND, "EUR"): D("80000.00")}
    with pytest.raises(ValidationError, match="Quelqu'un d'autre"):
        budget_update(actor=coop.finance, budget=budget, version=1, amount=D("1"))


def test_transactions_feed_the_aggregate_and_the_rebuild_agrees(coop):
    for amount, currency, day in (
        ("1000", "MAD", dt.date(2025, 3, 10)),
        ("500", "MAD", dt.date(2025, 3, 20)),
        ("200", "USD", dt.date(2025, 3, 20)),
        ("1000000", "XOF", dt.date(2025, 4, 2)),
    ):
        transaction_create(
            actor=coop.finance,
            project=coop.project_sn,
            type=TransactionType.EXPENDITURE,
            transaction_date=day,
            amount=D(amount),
            currency=currency,
        )
    _budget(coop)
    pk = coop.project_sn.pk
    expected = {
        (pk, 2025, 3, "4", "MAD"): D("1500.00"),
        (pk, 2025, 3, "4", "USD"): D("200.00"),
        (pk, 2025, 4, "4", "XOF"): D("1000000.00"),
        (pk, 2025, 1, BUDGET_KIND, "EUR"): D("100000.00"),
    }
    assert _facts() == expected
    sn = coop.senegal.pk
    by_country = {
        (sn, 2025, 3, "4", "MAD"): D("1500.00"),
        (sn, 2025, 3, "4", "USD"): D("200.00"),
        (sn, 2025, 4, "4", "XOF"): D("1000000.00"),
        (sn, 2025, 1, BUDGET_KIND, "EUR"): D("100000.00"),
    }
    assert _country_facts() == by_country
    assert finance_facts_rebuild() == 4
    assert _facts() == expected
    assert _country_facts() == by_country


def test_a_transaction_currency_must_be_iso_4217(coop):
    with pytest.raises(ValidationError, match="ISO 4217"):
        transaction_create(
            actor=coop.finance,
            project=coop.project_sn,
            type=TransactionType.DISBURSEMENT,
            transaction_date=dt.date(2025, 3, 1),
            amount=D("1"),
            currency="XYZ",
        )
    assert not Transaction.objects.exists() and not FinanceFact.objects.exists()


@pytest.mark.parametrize("who", ["coordinator_sn", "partner_user", "consultant", "manager_b"])
def test_only_finance_and_the_programme_team_write_money(coop, who):
    audits = AuditEntry.objects.count()
    actor = getattr(coop, who)
    with pytest.raises(PermissionDenied):
        transaction_create(
            actor=actor,
            project=coop.project_sn,
            type=TransactionType.DISBURSEMENT,
            transaction_date=dt.date(2025, 3, 1),
            amount=D("1"),
            currency="EUR",
        )
    with pytest.raises(PermissionDenied):
        _budget(coop) if False else budget_create(
            actor=actor,
            project=coop.project_sn,
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 12, 31),
            amount=D("1"),
            currency="EUR",
        )
    with pytest.raises(PermissionDenied):
        plan_revision_create(actor=actor, project=coop.project_sn)
    with pytest.raises(PermissionDenied):
        rates_save(actor=actor, rows=[RateRow("MAD", dt.date(2025, 1, 1), D("10.8"))])
    assert not Transaction.objects.exists()
    assert not Budget.objects.exists()
    assert not PlanRevision.objects.exists()
    assert not ExchangeRate.objects.exists()
    assert not FinanceFact.objects.exists()
    assert AuditEntry.objects.count() == audits


def test_the_programme_manager_writes_their_programme_money(coop):
    transaction_create(
        actor=coop.manager,
        project=coop.project_sn,
        type=TransactionType.DISBURSEMENT,
        transaction_date=dt.date(2025, 3, 1),
        amount=D("1"),
        currency="EUR",
    )
    assert Transaction.objects.count() == 1


def test_a_new_revision_copies_the_latest_and_earlier_ones_are_frozen(coop):
    first = plan_revision_create(actor=coop.finance, project=coop.project_sn, note="initial")
    planned_disbursements_set(
        actor=coop.finance,
        revision=first,
        rows=[
            PlannedRow(dt.date(2026, 1, 1), dt.date(2026, 3, 31), D("150000"), "MAD"),
            PlannedRow(dt.date(2026, 4, 1), dt.date(2026, 6, 30), D("90000"), "MAD"),
        ],
    )
    second = plan_revision_create(actor=coop.finance, project=coop.project_sn, note="revue")
    assert second.number == 2
    assert sorted(d.amount for d in second.disbursements.all()) == [D("90000"), D("150000")]
    with pytest.raises(ValidationError, match="figée"):
        planned_disbursements_set(actor=coop.finance, revision=first, rows=[])
    planned_disbursements_set(
        actor=coop.finance,
        revision=second,
        rows=[PlannedRow(dt.date(2026, 1, 1), dt.date(2026, 3, 31), D("120000"), "MAD")],
    )
    assert first.disbursements.count() == 2


def test_rates_save_is_idempotent_and_refuses_fixed_parities(coop):
    rows = [RateRow("MAD", dt.date(2025, 1, 1), D("10.8"), "BAM")]
    assert rates_save(actor=coop.finance, rows=rows) == {"created": 1, "updated": 0, "unchanged": 0}
    audits = AuditEntry.objects.count()
    assert rates_save(actor=coop.finance, rows=rows) == {"created": 0, "updated": 0, "unchanged": 1}
    assert AuditEntry.objects.count() == audits
    with pytest.raises(ValidationError, match="taux fixe"):
        rates_save(actor=coop.finance, rows=[RateRow("XOF", dt.date(2025, 1, 1), D("600"))])
