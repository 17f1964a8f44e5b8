"""The IATI Standard rules the export checks before it publishes (the schema says what the
file may contain; these rules, from the IATI Standard ruleset, say what a publishable
activity must carry). Each failure names the activity, the rule and what is wrong; an
export with failures is not published (``export.py``)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

import pycountry
from django.utils.translation import gettext as _

HUNDRED = Decimal("100")
# Characters the IATI guidance forbids in an activity identifier (they break URLs).
BAD_IDENTIFIER = re.compile(r"[\s/?&|#%]")

RULE_SECTOR = "sector"
RULE_START_DATE = "start-date"
RULE_DEFAULT_CURRENCY = "default-currency"
RULE_BUDGET_PERIOD = "budget-period"
RULE_PERCENTAGES = "percentages"
RULE_IDENTIFIER = "identifier"


@dataclass(frozen=True)
class Failure:
    identifier: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.identifier} · {self.rule} · {self.message}"


@dataclass
class Money:
    amount: Decimal
    currency: str
    value_date: dt.date


@dataclass
class Period:
    start: dt.date
    end: dt.date
    value: Money
    type: str = ""
    status: str = ""


@dataclass
class Org:
    ref: str
    type: str
    name: str


@dataclass
class TransactionData:
    type: str
    date: dt.date
    value: Money
    ref: str = ""
    description: str = ""
    provider: Org | None = None
    receiver: Org | None = None


@dataclass
class ActivityData:
    """One activity as the export writes it, read from the database once."""

    identifier: str
    hierarchy: int
    title_fr: str
    title_en: str
    description: str
    status: str
    start_date: dt.date | None
    end_date: dt.date | None
    default_currency: str
    participating: list[tuple[str, Org]] = field(default_factory=list)
    countries: list[tuple[str, Decimal]] = field(default_factory=list)
    sectors: list[tuple[str, Decimal]] = field(default_factory=list)
    budgets: list[Period] = field(default_factory=list)
    planned: list[Period] = field(default_factory=list)
    transactions: list[TransactionData] = field(default_factory=list)
    # (type, identifier): 1 parent, 2 child (IATI RelatedActivityType).
    related: list[tuple[str, str]] = field(default_factory=list)


def _total(shares: list[tuple[str, Decimal]]) -> Decimal:
    return sum((pct for _code, pct in shares), Decimal(0))


def _a_year_after(day: dt.date) -> dt.date:
    """The same date a year later (1 March after 29 February): a budget period ends before
    it (1 January–31 December is a year; to 1 January of the next year is a day more)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return dt.date(day.year + 1, 3, 1)


def check(activity: ActivityData, *, ref: str, today: dt.date) -> list[Failure]:
    """Every rule the activity breaks (an empty list when it may be published)."""
    failures: list[Failure] = []

    def fail(rule: str, message: str) -> None:
        failures.append(Failure(activity.identifier, rule, message))

    if not ref or BAD_IDENTIFIER.search(ref):
        fail(
            RULE_IDENTIFIER,
            _("L'identifiant de l'organisation déclarante « %(ref)s » est vide ou invalide.")
            % {"ref": ref[:60]},
        )
    elif not activity.identifier.startswith(f"{ref}-"):
        fail(
            RULE_IDENTIFIER,
            _("L'identifiant ne commence pas par celui de l'organisation déclarante (%(ref)s-).")
            % {"ref": ref},
        )
    elif BAD_IDENTIFIER.search(activity.identifier):
        fail(RULE_IDENTIFIER, _("L'identifiant contient un espace ou l'un des signes / ? & | # %."))

    if not activity.sectors:
        fail(
            RULE_SECTOR,
            _(
                "Aucun secteur CAD sur l'activité (ni sur son programme) : IATI demande un "
                "secteur sur l'activité ou sur chaque transaction."
            ),
        )

    if activity.start_date is None:
        fail(RULE_START_DATE, _("L'activité n'a pas de date de début."))
    elif activity.status not in ("1", "5") and activity.start_date > today:
        fail(
            RULE_START_DATE,
            _(
                "L'activité est déclarée commencée (statut %(status)s) mais sa date de début "
                "réelle, %(date)s, est dans le futur."
            )
            % {"status": activity.status, "date": activity.start_date.isoformat()},
        )

    if (
        not activity.default_currency
        or pycountry.currencies.get(alpha_3=activity.default_currency) is None
    ):
        fail(
            RULE_DEFAULT_CURRENCY,
            _("La devise par défaut « %(code)s » n'est pas un code ISO 4217.")
            % {"code": activity.default_currency[:10]},
        )

    for budget in activity.budgets:
        if budget.end >= _a_year_after(budget.start):
            fail(
                RULE_BUDGET_PERIOD,
                _("La période du budget %(start)s – %(end)s dépasse un an.")
                % {"start": budget.start.isoformat(), "end": budget.end.isoformat()},
            )

    for label, shares in ((_("pays"), activity.countries), (_("secteurs"), activity.sectors)):
        if shares and _total(shares) != HUNDRED:
            fail(
                RULE_PERCENTAGES,
                _("Les pourcentages des %(what)s font %(total)s %%, pas 100 %%.")
                % {"what": label, "total": f"{_total(shares).normalize():f}"},
            )
    return failures
