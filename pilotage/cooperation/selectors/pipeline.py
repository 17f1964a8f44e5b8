"""Reading the opportunity pipeline: the list and the board by stage, the funnel (count
and amounts per stage, conversion from one stage to the next) and the weighted total per
year and currency.

The funnel and the weighted totals read the pipeline's rows once (one query of a few
columns) and add them up in ``Decimal``: a service's pipeline is dozens to hundreds of
opportunities, and summing in Python keeps every cent exact on SQLite too. Amounts are
never converted between currencies here: each currency is its own column."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from pilotage.cooperation.models import Opportunity, Partner, Stage
from pilotage.cooperation.models.pipeline import FUNNEL
from pilotage.cooperation.permissions import staff_sees_partners

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def opportunities_visible(actor: Any) -> QuerySet[Opportunity]:
    if not staff_sees_partners(actor):
        return Opportunity.objects.none()
    return Opportunity.objects.all()


def opportunities_list(
    actor: Any,
    *,
    stage: str = "",
    year: int | None = None,
    partner: Partner | None = None,
) -> QuerySet[Opportunity]:
    qs = opportunities_visible(actor).select_related("partner")
    if stage:
        qs = qs.filter(stage=stage)
    if year:
        qs = qs.filter(expected_year=year)
    if partner is not None:
        qs = qs.filter(partner=partner)
    return qs.order_by("expected_year", "stage", "title_fr", "pk")


def opportunity_get(actor: Any, pk: int) -> Opportunity:
    found = opportunities_visible(actor).select_related("partner").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def pipeline_board(actor: Any, *, year: int | None = None) -> list[dict[str, Any]]:
    """One column per stage, in stage order, each with its opportunities (one query)."""
    columns: dict[str, list[Opportunity]] = {s: [] for s in Stage.values}
    for opportunity in opportunities_list(actor, year=year):
        columns[opportunity.stage].append(opportunity)
    return [
        {"stage": s, "label": Stage(s).label, "opportunities": columns[s]} for s in Stage.values
    ]


def pipeline_years(actor: Any) -> list[int]:
    return list(
        opportunities_visible(actor)
        .values_list("expected_year", flat=True)
        .distinct()
        .order_by("expected_year")
    )


def weighted_amount(amount: Decimal | None, probability: Decimal, stage: str) -> Decimal:
    """What an opportunity weighs: its expected amount × probability / 100; a signed one
    counts in full, a dropped one (or one without an amount) for nothing. Not rounded."""
    if amount is None or stage == Stage.DROPPED:
        return Decimal("0")
    if stage == Stage.SIGNED:
        return amount
    return amount * probability / HUNDRED


@dataclass
class FunnelRow:
    stage: str
    label: str
    count: int = 0
    amounts: dict[str, Decimal] = field(default_factory=dict)
    # How many got at least this far (a dropped one counts up to where it got).
    reached: int = 0
    # Of those that reached the previous stage, the share that reached this one (%).
    conversion: Decimal | None = None
    # The amounts in the funnel's currency order (None where it has none), for the page.
    cells: list[Decimal | None] = field(default_factory=list)


@dataclass
class Funnel:
    rows: list[FunnelRow]
    currencies: list[str]
    dropped: FunnelRow


@dataclass
class WeightedTotals:
    years: list[int]
    currencies: list[str]
    # (year, currency) → Σ weighted amounts, rounded to the cent once summed.
    cells: dict[tuple[int, str], Decimal]
    by_currency: dict[str, Decimal]

    def table(self) -> list[tuple[int, list[Decimal | None]]]:
        return [(y, [self.cells.get((y, c)) for c in self.currencies]) for y in self.years]

    def totals(self) -> list[Decimal]:
        return [self.by_currency[c] for c in self.currencies]


def _rows(actor: Any, year: int | None) -> list[tuple[Any, ...]]:
    qs = opportunities_visible(actor)
    if year:
        qs = qs.filter(expected_year=year)
    return list(
        qs.values_list(
            "stage", "stage_reached", "currency", "expected_amount", "probability", "expected_year"
        )
    )


def pipeline_funnel(actor: Any, *, year: int | None = None) -> Funnel:
    """Count and amounts (per currency) of the opportunities now at each stage, how many
    reached each stage, and the conversion between consecutive stages (one query)."""
    rows = {s: FunnelRow(stage=s, label=str(Stage(s).label)) for s in Stage.values}
    rank = {s: i for i, s in enumerate(FUNNEL)}
    currencies: set[str] = set()
    for stage, reached, currency, amount, _probability, _year in _rows(actor, year):
        row = rows[stage]
        row.count += 1
        if amount is not None:
            currencies.add(currency)
            row.amounts[currency] = row.amounts.get(currency, Decimal("0")) + amount
        for s in FUNNEL[: rank.get(reached, 0) + 1]:
            rows[s].reached += 1
    ordered = sorted(currencies)
    for row in rows.values():
        row.cells = [row.amounts.get(c) for c in ordered]
    funnel = [rows[s] for s in FUNNEL]
    for before, after in zip(funnel, funnel[1:], strict=False):
        if before.reached:
            after.conversion = (Decimal(after.reached) * HUNDRED / before.reached).quantize(
                Decimal("0.1"), ROUND_HALF_UP
            )
    return Funnel(rows=funnel, currencies=ordered, dropped=rows[Stage.DROPPED])


def weighted_totals(actor: Any) -> WeightedTotals:
    """Σ expected_amount × probability / 100 per expected year and currency, over the
    opportunities not dropped (signed ones at 100 %); each cell rounded half-up to the
    cent after summing (one query)."""
    raw: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for stage, _reached, currency, amount, probability, year in _rows(actor, None):
        if amount is None or stage == Stage.DROPPED:
            continue
        raw[(year, currency)] += weighted_amount(amount, probability, stage)
    cells = {k: v.quantize(CENT, ROUND_HALF_UP) for k, v in raw.items()}
    currencies = sorted({c for _y, c in cells})
    by_currency = {
        c: sum((v for (_y, cur), v in raw.items() if cur == c), Decimal("0")).quantize(
            CENT, ROUND_HALF_UP
        )
        for c in currencies
    }
    return WeightedTotals(
        years=sorted({y for y, _c in cells}),
        currencies=currencies,
        cells=cells,
        by_currency=by_currency,
    )
