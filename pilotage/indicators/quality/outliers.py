"""Outliers among the units below a unit: the values of one data element (and option) for a
period, or of one indicator for a year (the schools of a province for ``pupils_per_class``).

Three methods, the threshold a parameter of the page:

- *z-score*: (x − mean) / s, with s the sample standard deviation; flagged when |z| > 3 by
  default.
- *modified z-score*: 0.6745 (x − median) / MAD, with MAD the median of the absolute
  deviations from the median; flagged when |M| > 3.5 by default. Median and MAD are not
  dragged by the outliers themselves, so it finds them in small groups where the z-score
  cannot. The factor 0.6745 (the 0.75 quantile of the standard normal) makes M comparable
  to a z-score for normal data; the 3.5 cut-off is the one Iglewicz and Hoaglin recommend
  (B. Iglewicz and D. C. Hoaglin, *How to Detect and Handle Outliers*, ASQC Quality Press,
  1993).
- *min–max bounds*: flagged when x < min or x > max; the score is how far outside.

Everything is computed with :mod:`statistics`; a group with fewer than three values, or
whose spread is zero, has no outlier by the first two methods.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from pilotage.core.scope import scope_of
from pilotage.indicators.catalogue import builtin
from pilotage.indicators.engine import compute
from pilotage.indicators.models import DataValue
from pilotage.indicators.roles import VIEW_INDICATORS
from pilotage.orgunits.models import AcademicYear, OrgUnit, OrgUnitLevel, Period

MAD_FACTOR = 0.6745
MIN_GROUP = 3


class Method(TextChoices):
    Z_SCORE = "z", _("Score z")
    MODIFIED_Z = "modified_z", _("Score z modifié (médiane, MAD)")
    MIN_MAX = "min_max", _("Bornes min–max")


DEFAULT_THRESHOLD = {Method.Z_SCORE: 3.0, Method.MODIFIED_Z: 3.5}


def z_scores(values: Sequence[float]) -> list[float | None]:
    if len(values) < MIN_GROUP:
        return [None] * len(values)
    mean, spread = statistics.mean(values), statistics.stdev(values)
    if spread == 0:
        return [None] * len(values)
    return [(x - mean) / spread for x in values]


def modified_z_scores(values: Sequence[float]) -> list[float | None]:
    if len(values) < MIN_GROUP:
        return [None] * len(values)
    middle = statistics.median(values)
    mad = statistics.median([abs(x - middle) for x in values])
    if mad == 0:
        return [None] * len(values)
    return [MAD_FACTOR * (x - middle) / mad for x in values]


def bound_scores(values: Sequence[float], low: float | None, high: float | None) -> list[float]:
    """How far outside the bounds each value lies (0 inside)."""
    out = []
    for x in values:
        if low is not None and x < low:
            out.append(x - low)
        elif high is not None and x > high:
            out.append(x - high)
        else:
            out.append(0.0)
    return out


@dataclass(frozen=True)
class Outlier:
    unit_code: str
    unit_name: str
    label: str
    value: float
    score: float
    center: float | None  # the group's mean or median, for the reader


def _flag(
    items: Sequence[tuple[str, str, float]],
    label: str,
    method: str,
    threshold: float,
    low: float | None,
    high: float | None,
) -> list[Outlier]:
    values = [v for _c, _n, v in items]
    center: float | None = None
    scores: Sequence[float | None]
    if method == Method.MIN_MAX:
        scores = bound_scores(values, low, high)
        flagged = [s is not None and s != 0 for s in scores]
    else:
        if method == Method.Z_SCORE:
            scores = z_scores(values)
            center = statistics.mean(values) if values else None
        else:
            scores = modified_z_scores(values)
            center = statistics.median(values) if values else None
        flagged = [s is not None and abs(s) > threshold for s in scores]
    return [
        Outlier(code, name, label, value, float(score), center)
        for (code, name, value), score, hit in zip(items, scores, flagged, strict=True)
        if hit and score is not None
    ]


def element_outliers(
    actor: Any,
    *,
    unit: OrgUnit,
    period: Period,
    method: str = Method.MODIFIED_Z,
    threshold: float | None = None,
    low: float | None = None,
    high: float | None = None,
) -> list[Outlier]:
    """Per data element × option, the values of the units of ``unit``'s subtree for the
    period that stand out from the others. One query."""
    threshold = DEFAULT_THRESHOLD.get(Method(method), 0.0) if threshold is None else threshold
    groups: dict[tuple[str, str], list[tuple[str, str, float]]] = defaultdict(list)
    rows = (
        DataValue.objects.filter(
            scope_of(actor).q_for(VIEW_INDICATORS),
            period=period,
            path__startswith=unit.path,
        )
        .select_related("data_element", "category_option", "org_unit")
        .order_by("data_element__code", "category_option__order", "path")
    )
    for row in rows:
        label = f"{row.data_element.name} · {row.category_option.name}"
        groups[(row.data_element.code, label)].append(
            (row.org_unit.code, row.org_unit.name, float(row.value))
        )
    found: list[Outlier] = []
    for (_code, label), items in groups.items():
        found += _flag(items, label, method, threshold, low, high)
    return sorted(found, key=lambda o: -abs(o.score))


def indicator_outliers(
    actor: Any,
    *,
    unit: OrgUnit,
    code: str,
    year: AcademicYear,
    level: OrgUnitLevel,
    method: str = Method.MODIFIED_Z,
    threshold: float | None = None,
    low: float | None = None,
    high: float | None = None,
) -> list[Outlier]:
    """The units of ``level`` below ``unit`` whose value of indicator ``code`` for the year
    stands out from the others (the engine's values, total only). Raises the engine's
    IndicatorError for an unknown indicator."""
    threshold = DEFAULT_THRESHOLD.get(Method(method), 0.0) if threshold is None else threshold
    units = list(
        OrgUnit.objects.filter(
            scope_of(actor).q_for(VIEW_INDICATORS),
            path__startswith=unit.path,
            level=level,
            is_active=True,
        ).order_by("path")
    )
    names = {u.code: u.name for u in units}
    values = compute(code, units=units, years=[year])
    items = [
        (v.unit, names.get(v.unit, v.unit), float(v.value))
        for v in values
        if v.value is not None and not v.dims
    ]
    indicator = builtin(code)
    label = str(indicator.name) if indicator is not None else code
    found = _flag(items, label, method, threshold, low, high)
    return sorted(found, key=lambda o: -abs(o.score))


def as_float(value: str | None) -> float | None:
    """A number typed on the page (decimal comma accepted), or None."""
    if value is None or not value.strip():
        return None
    try:
        return float(Decimal(value.strip().replace(",", ".")))
    except ArithmeticError:
        return None
