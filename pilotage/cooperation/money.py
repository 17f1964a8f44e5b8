"""Converting amounts with the dated exchange-rate table, the euro as pivot.

A rate row says how many units of a currency one euro buys from ``valid_from`` on; the
rate applied to an amount is the row of its currency with the latest ``valid_from`` on or
before the amount's value date. An amount in currency A becomes currency B through the
euro: ``amount / units_per_eur(A) * units_per_eur(B)``, computed exactly with ``Decimal``
and rounded once, at the end, half to even, to two places.

Built in, without rows: the euro (1) and the two CFA francs, XOF (BCEAO, West Africa) and
XAF (BEAC, Central Africa), whose parity with the euro is fixed at 655.957 francs per euro
since 1 January 1999 (the franc's parity of 100 CFA francs = 1 French franc carried over by
the Council decision 98/683/EC of 23 November 1998 at 1 EUR = 6.55957 FRF).

A missing rate is an error naming the currency and the date: an amount is never silently
converted at 1.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

EUR = "EUR"
CFA_PARITY = Decimal("655.957")
FIXED: dict[str, Decimal] = {EUR: Decimal(1), "XOF": CFA_PARITY, "XAF": CFA_PARITY}
FIXED_FROM = dt.date(1999, 1, 1)
FIXED_SOURCE = "parité fixe (BCEAO/BEAC, 1999)"
CENT = Decimal("0.01")


def currency_check(code: str) -> str:
    """The code, if ISO 4217 knows it (``pycountry.currencies``); else a ValidationError."""
    value = (code or "").strip().upper()
    if len(value) != 3 or pycountry.currencies.get(alpha_3=value) is None:
        raise ValidationError(
            _("« %(code)s » n'est pas un code de devise ISO 4217.") % {"code": code[:10]},
            code="currency",
        )
    return value


def round_money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


class MissingRate(ValidationError):
    def __init__(self, currency: str, on: dt.date):
        self.currency = currency
        self.on = on
        super().__init__(
            _("Aucun taux de change pour %(currency)s au %(date)s : saisissez-en un.")
            % {"currency": currency, "date": on.strftime("%d/%m/%Y")},
            code="missing_rate",
        )


@dataclass(frozen=True)
class RateUsed:
    currency: str
    valid_from: dt.date
    units_per_eur: Decimal
    source: str


@dataclass
class Rates:
    """The rate table, read once (``Rates.load``: one query); ``used`` lists every rate a
    conversion has applied, for the page to show."""

    _dates: dict[str, list[dt.date]] = field(default_factory=dict)
    _rows: dict[str, list[RateUsed]] = field(default_factory=dict)
    _used: dict[tuple[str, dt.date], RateUsed] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, dt.date, Decimal, str]]) -> Rates:
        rates = cls()
        for currency, valid_from, units, source in sorted(rows, key=lambda r: (r[0], r[1])):
            rates._dates.setdefault(currency, []).append(valid_from)
            rates._rows.setdefault(currency, []).append(
                RateUsed(currency, valid_from, Decimal(units), source)
            )
        return rates

    @classmethod
    def load(cls, currencies: Iterable[str] | None = None) -> Rates:
        from pilotage.cooperation.models import ExchangeRate

        rows = ExchangeRate.objects.all()
        if currencies is not None:
            rows = rows.filter(currency__in=list(currencies))
        return cls.from_rows(rows.values_list("currency", "valid_from", "units_per_eur", "source"))

    def rate(self, currency: str, on: dt.date) -> RateUsed:
        """The rate in force on ``on``; records it as used."""
        if currency in FIXED:
            used = RateUsed(currency, FIXED_FROM, FIXED[currency], FIXED_SOURCE)
            if currency != EUR:
                self._used[(currency, FIXED_FROM)] = used
            return used
        dates = self._dates.get(currency, [])
        i = bisect.bisect_right(dates, on)
        if i == 0:
            raise MissingRate(currency, on)
        used = self._rows[currency][i - 1]
        self._used[(currency, used.valid_from)] = used
        return used

    def factor(self, currency: str, to: str, on: dt.date) -> Decimal:
        """What one unit of ``currency`` is worth in ``to`` on ``on`` (unrounded)."""
        if currency == to:
            return Decimal(1)
        return self.rate(to, on).units_per_eur / self.rate(currency, on).units_per_eur

    def convert_exact(self, amount: Decimal, currency: str, to: str, on: dt.date) -> Decimal:
        if currency == to:
            return Decimal(amount)
        return (
            Decimal(amount)
            / self.rate(currency, on).units_per_eur
            * self.rate(to, on).units_per_eur
        )

    def convert(self, amount: Decimal, currency: str, to: str, on: dt.date) -> Decimal:
        """``amount`` of ``currency`` in ``to`` at the rates in force on ``on``, rounded
        half to even to the cent."""
        return round_money(self.convert_exact(amount, currency, to, on))

    @property
    def used(self) -> list[RateUsed]:
        return sorted(self._used.values(), key=lambda r: (r.currency, r.valid_from))
