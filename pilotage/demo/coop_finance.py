"""Demo money of the cooperation programmes: monthly rates for MAD and USD over 2024–2026,
a budget per project and year, a few cash-flow plan revisions, and transactions in MAD,
EUR, USD and XOF (the West African projects pay in CFA francs), written set-based; the
aggregate is then rebuilt once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pilotage.cooperation.models import (
    Budget,
    BudgetLine,
    ExchangeRate,
    PlannedDisbursement,
    PlanRevision,
    Project,
    Transaction,
    TransactionType,
)
from pilotage.cooperation.services.finance import finance_facts_rebuild
from pilotage.demo.context import Context

XOF_COUNTRIES = {"SN", "ML", "CI", "BF", "NE", "BJ", "TG", "GW"}
T = TransactionType


def _rates(ctx: Context) -> None:
    rng = ctx.rng("coop_finance", "rates")
    rows = []
    mad, usd = Decimal("10.80"), Decimal("1.09")
    for year in (2024, 2025, 2026):
        for month in range(1, 13):
            mad = (mad * Decimal(str(1 + rng.uniform(-0.01, 0.01)))).quantize(Decimal("0.0001"))
            usd = (usd * Decimal(str(1 + rng.uniform(-0.015, 0.015)))).quantize(Decimal("0.0001"))
            day = dt.date(year, month, 1)
            rows.append(
                ExchangeRate(
                    currency="MAD", valid_from=day, units_per_eur=mad, source="Bank Al-Maghrib"
                )
            )
            rows.append(
                ExchangeRate(currency="USD", valid_from=day, units_per_eur=usd, source="BCE")
            )
    ExchangeRate.objects.bulk_create(rows)


def _currency(project: Project) -> str:
    if project.country and project.country.code in XOF_COUNTRIES:
        return "XOF"
    return project.default_currency


def create_finance(ctx: Context) -> None:
    _rates(ctx)
    rng = ctx.rng("coop_finance", "money")
    projects = list(Project.objects.select_related("country", "programme").order_by("code"))
    ctx.progress.total(len(projects))
    today = dt.date.today()  # noqa: DTZ011 - a calendar date for the demo
    txs: list[Transaction] = []
    for project in projects:
        currency = _currency(project)
        scale = (
            Decimal(655) if currency == "XOF" else Decimal(11) if currency == "MAD" else Decimal(1)
        )
        for year in range(project.start_date.year, project.end_date.year + 1):
            start = max(project.start_date, dt.date(year, 1, 1))
            end = min(project.end_date, dt.date(year, 12, 31))
            amount = (Decimal(rng.randint(80, 200)) * 1000 * scale).quantize(Decimal("1"))
            budget = Budget.objects.create(
                project=project,
                period_start=start,
                period_end=end,
                amount=amount,
                currency=currency,
                value_date=start,
            )
            BudgetLine.objects.bulk_create(
                [
                    BudgetLine(
                        budget=budget, code="FOR", label="Formation", amount=amount * Decimal("0.5")
                    ),
                    BudgetLine(
                        budget=budget,
                        code="RES",
                        label="Ressources éducatives",
                        amount=amount * Decimal("0.3"),
                    ),
                    BudgetLine(
                        budget=budget,
                        code="SUI",
                        label="Suivi et évaluation",
                        amount=amount * Decimal("0.2"),
                    ),
                ]
            )
            txs.append(
                Transaction(
                    project=project,
                    type=T.INCOMING_COMMITMENT,
                    transaction_date=start,
                    value_date=start,
                    amount=amount,
                    currency=currency,
                    reference=f"IC-{year}",
                )
            )
            for month in range(start.month, end.month + 1):
                day = dt.date(year, month, min(28, 5 + rng.randint(0, 20)))
                if day > today:
                    break
                monthly = (amount / 12).quantize(Decimal("0.01"))
                for kind, share, ref in (
                    (T.INCOMING_FUNDS, Decimal("1.0"), "IF"),
                    (T.DISBURSEMENT, Decimal(str(rng.uniform(0.7, 1.0))), "DB"),
                    (T.EXPENDITURE, Decimal(str(rng.uniform(0.5, 0.95))), "EX"),
                ):
                    # Some expenditure in USD or EUR: equipment bought abroad.
                    cur = currency
                    value = (monthly * share).quantize(Decimal("0.01"))
                    if kind == T.EXPENDITURE and month % 4 == 0:
                        cur = "USD"
                        value = (value / scale).quantize(Decimal("0.01"))
                    txs.append(
                        Transaction(
                            project=project,
                            type=kind,
                            transaction_date=day,
                            value_date=day,
                            amount=value,
                            currency=cur,
                            reference=f"{ref}-{year}-{month:02d}",
                        )
                    )
        for number in (1, 2, 3):
            revision = PlanRevision.objects.create(
                project=project, number=number, note=f"Révision de quinzaine {number}"
            )
            base = dt.date(2026, 1, 1)
            PlannedDisbursement.objects.bulk_create(
                PlannedDisbursement(
                    revision=revision,
                    period_start=dt.date(2026, q * 3 + 1, 1),
                    period_end=dt.date(2026, q * 3 + 3, 28),
                    amount=(Decimal(rng.randint(20, 40)) * 1000 * scale),
                    currency=currency,
                    value_date=base,
                )
                for q in range(4)
            )
        ctx.progress.advance(1, project.code)
    Transaction.objects.bulk_create(txs, batch_size=2000)
    finance_facts_rebuild()
