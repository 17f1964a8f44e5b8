"""Custom indicators as an actor reads them, where built-in ones are read: the API's
catalogue entries and values (registered in ``api.py``'s ``CATALOGUE`` and ``VALUES``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import Http404

from pilotage.indicators.custom import as_indicator, custom_engine_values, custom_indicator
from pilotage.indicators.engine import IndicatorError, Value
from pilotage.indicators.models import CustomIndicator
from pilotage.indicators.permissions import can_view_unit
from pilotage.indicators.selectors.values import ValuesQuery
from pilotage.indicators.targets import attach_targets


def custom_entries(actor: Any) -> Iterable[dict[str, Any]]:
    """The catalogue entries of the custom indicators (one query), as the API lists them."""
    for custom in CustomIndicator.objects.order_by("code"):
        indicator = as_indicator(custom)
        yield {
            "code": custom.code,
            "name": custom.name,
            "unit": custom.unit or indicator.unit.value,
            "formula": indicator.formula,
            "source": custom.description,
            "dimensions": [],
            "higher_is_better": custom.higher_is_better,
            "per_cycle": False,
            "kind": "custom",
        }


def is_custom(code: str) -> bool:
    return custom_indicator(code) is not None


def custom_values_for(actor: Any, query: ValuesQuery) -> list[Value]:
    """As ``values_for``: units out of the actor's scope are "not found"; Σ numerator /
    Σ denominator over each unit's subtree, targets and statuses attached. A custom
    indicator has neither disaggregation nor parity."""
    for unit in query.units:
        if not can_view_unit(actor, unit):
            raise Http404
    custom = custom_indicator(query.code)
    if custom is None:
        raise Http404
    if query.by or query.parity:
        raise IndicatorError(
            f"Custom indicator {query.code!r} has no disaggregation nor parity index"
        )
    values = custom_engine_values(custom, units=query.units, years=query.years)
    attach_targets(query.code, values)
    return values
