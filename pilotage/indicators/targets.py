"""Targets and statuses of indicator values.

A target is set for one indicator × org unit × academic year × disaggregation (``{}`` for
the total, or ``{"sex": "F"}``, ``{"cycle": "primaire", "sex": "F"}``…), with a baseline
(value and year), the target value, a tolerance band and a direction. All figures are in
the indicator's own unit (percentage points for a rate, pupils for a count, marks out of
20 for a mean mark).

**Status rule.** For an indicator where higher is better, with value *v*, target *T* and
tolerance *t* ≥ 0:

- *v* ≥ *T* → **on track** (``on_track``);
- *T* − *t* ≤ *v* < *T* → **at risk** (``at_risk``);
- *v* < *T* − *t* → **off track** (``off_track``).

Where lower is better (repetition, dropout, absence, pupils per teacher…), the mirror:
*v* ≤ *T* → on track; *T* < *v* ≤ *T* + *t* → at risk; *v* > *T* + *t* → off track. The
boundaries belong to the better status (a value exactly at the target is on track, exactly
at the edge of the band is at risk). With a tolerance of 0 a value is on track or off
track. No value (no data, or a denominator of zero) → no status.

The direction of a target defaults to the indicator's (``Indicator.higher_is_better``); it
may be set the other way for a unit that must bring a figure down (e.g. a count).

**Gap** = value − target, in the indicator's unit: positive when the value is above the
target. So a positive gap is good where higher is better and bad where lower is better;
pages show it with its sign and the status says which.

A target's disaggregation is matched exactly against a value's ``dims``: the target for
``{"sex": "F"}`` applies to the girls' value, not to the total. Per-cycle indicators
(gross and net enrolment ratios…) always carry a cycle, so their targets name one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from pilotage.indicators import custom
from pilotage.indicators.catalogue import DIMENSIONS, Indicator
from pilotage.indicators.engine import Value
from pilotage.indicators.models import Direction, Status, Target
from pilotage.orgunits.models import Cycle, Milieu, Sector

Number = int | float | Decimal


def indicator_of(code: str) -> Indicator | None:
    """The indicator a target may name: a built-in one or a custom one (without
    disaggregation, its direction its ``higher_is_better``)."""
    return custom.indicator_of(code)


def default_direction(indicator: Indicator) -> str:
    return Direction.HIGHER if indicator.higher_is_better else Direction.LOWER


def status_of(
    value: Number | None, target: Number, tolerance: Number = 0, direction: str = Direction.HIGHER
) -> str | None:
    """The status of ``value`` against ``target`` by the rule of this module's docstring."""
    if value is None:
        return None
    v, t, band = Decimal(str(value)), Decimal(str(target)), abs(Decimal(str(tolerance)))
    if direction == Direction.LOWER:
        v, t = -v, -t
    if v >= t:
        return Status.ON_TRACK
    if v >= t - band:
        return Status.AT_RISK
    return Status.OFF_TRACK


def gap_of(value: Number | None, target: Number) -> float | None:
    """value − target (positive: above the target), ``None`` without a value."""
    if value is None:
        return None
    return float(Decimal(str(value)) - Decimal(str(target)))


# -- disaggregations ---------------------------------------------------------------------


def dims_key(dims: Mapping[str, Any]) -> str:
    """The canonical text of a disaggregation: ``sex=F;cycle=primaire`` (DIMENSIONS order)."""
    return ";".join(f"{d}={dims[d]}" for d in DIMENSIONS if d in dims)


def parse_dims(text: str) -> dict[str, str]:
    """``sex=F``, ``sex=F;cycle=primaire`` (``,`` also separates); empty → ``{}``.
    Raises ``ValueError`` with a readable reason."""
    out: dict[str, str] = {}
    for part in text.replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        name, sep, value = part.partition("=")
        name, value = name.strip().lower(), value.strip()
        if not sep or not name or not value:
            raise ValueError(_("attendu : dimension=valeur, par ex. sex=F"))
        if name in out:
            raise ValueError(_("dimension en double : %(dim)s") % {"dim": name})
        out[name] = value
    return out


def _allowed_values(dim: str) -> set[str] | None:
    if dim == "sex":
        return {"F", "M"}
    if dim == "milieu":
        return set(Milieu.values)
    if dim == "sector":
        return set(Sector.values)
    if dim == "cycle":
        return set(Cycle.values)
    return None


def check_dims(indicator: Indicator, dims: Mapping[str, str], grades: set[str]) -> dict[str, str]:
    """The disaggregation checked against the indicator's dimensions and each dimension's
    values (``grades``: the grade codes that exist); returns it in canonical order. Raises
    ``ValueError`` with the reason."""
    for dim, value in dims.items():
        if dim not in DIMENSIONS:
            raise ValueError(
                _("dimension inconnue « %(dim)s » (connues : %(known)s)")
                % {"dim": dim, "known": ", ".join(DIMENSIONS)}
            )
        if dim not in indicator.dimensions:
            allowed = ", ".join(d for d in DIMENSIONS if d in indicator.dimensions) or "—"
            raise ValueError(
                _("l'indicateur %(code)s ne se ventile pas par %(dim)s (possibles : %(allowed)s)")
                % {"code": indicator.code, "dim": dim, "allowed": allowed}
            )
        known = grades if dim == "grade" else _allowed_values(dim)
        if known is not None and value not in known:
            raise ValueError(
                _("valeur inconnue pour %(dim)s : %(value)s (connues : %(known)s)")
                % {"dim": dim, "value": value, "known": ", ".join(sorted(known))}
            )
    if indicator.per_cycle and "cycle" not in dims:
        raise ValueError(
            _("l'indicateur %(code)s se calcule par cycle : précisez cycle=…")
            % {"code": indicator.code}
        )
    return {d: dims[d] for d in DIMENSIONS if d in dims}


# -- attaching targets to the engine's values ----------------------------------------------


def attach_targets(code: str, values: Sequence[Value]) -> None:
    """Set ``target`` and ``status`` on each value whose (unit, year, dims) has a target:
    one query for the whole list (none for an empty list)."""
    if not values:
        return
    units = {v.unit for v in values}
    periods = {v.period for v in values}
    rows = Target.objects.filter(
        indicator=code, org_unit__code__in=units, academic_year__code__in=periods
    ).values_list(
        "org_unit__code", "academic_year__code", "dims_key", "target", "tolerance", "direction"
    )
    found = {(u, p, k): (t, tol, d) for u, p, k, t, tol, d in rows}
    if not found:
        return
    for value in values:
        hit = found.get((value.unit, value.period, dims_key(value.dims)))
        if hit is None:
            continue
        target, tolerance, direction = hit
        value.target = float(target)
        value.status = status_of(value.value, target, tolerance, direction)
