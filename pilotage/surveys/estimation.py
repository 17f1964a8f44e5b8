"""Design-based estimates from survey submissions: weighted proportions, means, totals and
cross-tabs with their standard errors and confidence intervals, for a sample drawn
with stratified (or simple) random sampling, with the finite population correction.

The data are plain Python values, so the database layer, a test or a benchmark can feed
them alike. A :class:`Sample` holds them by column (one sequence per variable, aligned
with the weights and the strata): a 100 000-row cross-tab is then one pass of ``zip``
over four sequences into a dictionary of a few hundred accumulators, and every variance
follows from those sums (see the weighted-analysis part of ``docs/surveys.md``). Only
the standard library is used.

Every estimator here is a ratio of two weighted totals (a proportion, a mean, a share
within a domain) or a total, and its variance is the Taylor-linearised variance of that
ratio under stratified sampling with the finite population correction. With equal
weights inside each stratum it reduces exactly to the textbook stratified formula
V(ȳ_st) = Σ W_h² (1 − f_h) s_h² / n_h, and without strata to the SRS formula
(1 − f) s² / n. The docs give the formulas and their sources.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist
from typing import Literal

Stratum = str | tuple[str, ...]
Value = str | float | int | None
Critical = Literal["z", "t"]
IntervalMethod = Literal["wald", "wilson"]

# Below these unweighted counts the normal approximation behind the interval is not
# trusted: fewer than 30 respondents in the base of an estimate, or, for a proportion,
# fewer than 5 respondents in the category or fewer than 5 outside it (the np ≥ 5 and
# n(1 − p) ≥ 5 rule of thumb, applied to the unweighted counts). The figures are still
# returned, flagged, so a page can grey them out rather than hide them.
MIN_RESPONDENTS = 30
MIN_CELL = 5

# The one stratum of a sample built without strata (simple random sampling).
SINGLE_STRATUM: Stratum = ""


@dataclass(frozen=True, slots=True)
class Observation:
    """One submission: its stratum, its design weight (1 / inclusion probability, possibly
    adjusted) and its answers by variable name. A select_multiple answer is the chosen
    option names separated by spaces, as ODK stores it."""

    stratum: Stratum
    weight: float
    values: Mapping[str, Value]


@dataclass(frozen=True, slots=True)
class Estimate:
    """One figure with its uncertainty.

    ``n`` and ``weighted_total`` are the unweighted count and the sum of weights of the
    respondents the figure is about: for a proportion, those in the category (the
    numerator); for a mean or a total, those who answered. ``lower``/``upper`` bound the
    confidence interval. The values are NaN when the base has no respondent at all.
    """

    estimate: float
    se: float
    lower: float
    upper: float
    n: int
    weighted_total: float
    small_sample: bool


@dataclass(frozen=True, slots=True)
class Proportions:
    """The share of each category (select_one) or option (select_multiple) among the
    respondents who answered; ``n`` and ``weighted_total`` are that base. Options of a
    select_multiple do not sum to 1."""

    variable: str
    categories: dict[str, Estimate]
    n: int
    weighted_total: float
    missing: int
    missing_weighted: float
    fpc: bool
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NumericResult:
    """A mean or a total of a numeric variable. ``missing`` counts the respondents (of
    the domain, when there is one) who did not answer."""

    variable: str
    estimate: Estimate
    missing: int
    missing_weighted: float
    fpc: bool
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of a cross-tab. ``row`` is the share of the column category within the
    row (the row percentage is 100 × ``row.estimate``), estimated with the row as a
    domain; ``column`` is the share of the row category within the column."""

    n: int
    weighted_count: float
    row: Estimate
    column: Estimate


@dataclass(frozen=True, slots=True)
class CrossTab:
    """A weighted cross-tab. Respondents missing either variable are left out and
    counted in ``missing``. With ``multiple`` columns a respondent counts in every option
    chosen, so the row shares need not sum to 1."""

    row_variable: str
    column_variable: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: dict[tuple[str, str], Cell]
    row_totals: dict[str, float]
    column_totals: dict[str, float]
    row_n: dict[str, int]
    n: int
    weighted_total: float
    missing: int
    missing_weighted: float
    fpc: bool
    notes: tuple[str, ...]


# --- the sample ------------------------------------------------------------------------


def _cut(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _label(value: object, limit: int = 40) -> str:
    """A value quoted for a message, cut to a readable length."""
    return _cut(repr(value), limit)


class Sample:
    """Submissions by column, with the stratum of each and, when known, the population
    size N_h of each stratum (needed for the finite population correction).

    The sequences are copied once into tuples and validated here (positive finite
    weights, equal lengths, population sizes), so the estimators can run their loops
    without re-checking. ``strata=None`` is a simple random sample: one stratum, and
    ``population`` is then N itself.
    """

    __slots__ = (
        "_codes",
        "_columns",
        "_designs",
        "_groups",
        "_n_h",
        "_population",
        "_post",
        "_post_keys",
        "_post_variable",
        "_strata",
        "_weights",
    )

    def __init__(
        self,
        weights: Sequence[float],
        columns: Mapping[str, Sequence[Value]],
        *,
        strata: Sequence[Stratum] | None = None,
        population: Mapping[Stratum, float] | float | None = None,
    ) -> None:
        self._weights = _checked_weights(weights)
        size = len(self._weights)
        self._columns: dict[str, tuple[Value, ...]] = {}
        for name, column in columns.items():
            if not isinstance(name, str) or not name:
                raise ValueError(f"variable names must be non-empty text, got {_label(name)}")
            if len(column) != size:
                raise ValueError(
                    f"variable {name!r} has {len(column)} values for {size} weights: "
                    "every column must have one value per submission"
                )
            self._columns[name] = tuple(column)
        if strata is None:
            keys: list[Stratum] = [SINGLE_STRATUM]
            codes: tuple[int, ...] = (0,) * size
            if population is not None and not isinstance(population, Mapping):
                population = {SINGLE_STRATUM: population}
        else:
            if len(strata) != size:
                raise ValueError(f"{len(strata)} strata for {size} weights: one per submission")
            index: dict[Stratum, int] = {}
            try:
                codes = tuple(index.setdefault(s, len(index)) for s in strata)
            except TypeError:
                raise ValueError("a stratum must be text or a tuple of text") from None
            keys = list(index)
            if population is not None and not isinstance(population, Mapping):
                raise ValueError(
                    "population must map each stratum to its size N_h when there are strata"
                )
        self._strata: tuple[Stratum, ...] = tuple(keys)
        self._codes = codes
        n_h = [0] * len(keys)
        for code in codes:
            n_h[code] += 1
        self._n_h = tuple(n_h)
        self._population = _checked_population(population)
        self._post: tuple[int, ...] | None = None
        # The post-stratum code of each submission, all 0 when not post-stratified, so
        # the loops zip the same sequences either way.
        self._groups: tuple[int, ...] = (0,) * size
        self._post_keys: tuple[str, ...] = ()
        self._post_variable: str | None = None
        self._designs: dict[bool, _Design] = {}

    @classmethod
    def from_observations(
        cls,
        observations: Iterable[Observation],
        *,
        population: Mapping[Stratum, float] | None = None,
    ) -> Sample:
        """Columns from row objects; a variable absent from a submission's answers is
        missing there (a question it never reached)."""
        rows = list(observations)
        names: dict[str, None] = {}
        for row in rows:
            names.update(dict.fromkeys(row.values))
        columns = {name: [row.values.get(name) for row in rows] for name in names}
        return cls(
            [row.weight for row in rows],
            columns,
            strata=[row.stratum for row in rows],
            population=population,
        )

    def __len__(self) -> int:
        return len(self._weights)

    @property
    def weights(self) -> tuple[float, ...]:
        return self._weights

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(self._columns)

    @property
    def strata(self) -> tuple[Stratum, ...]:
        return self._strata

    @property
    def stratum_sizes(self) -> dict[Stratum, int]:
        """n_h: the submissions of each stratum."""
        return dict(zip(self._strata, self._n_h, strict=True))

    @property
    def poststratified_by(self) -> str | None:
        return self._post_variable

    def column(self, variable: str) -> tuple[Value, ...]:
        try:
            return self._columns[variable]
        except KeyError:
            known = ", ".join(sorted(self._columns)) or "none"
            raise ValueError(
                f"unknown variable {_label(variable)}; the sample has: {_cut(known)}"
            ) from None

    def _design(self, fpc: bool) -> _Design:
        """The per-stratum factors of the variance, computed once per sample and fpc
        choice (they do not depend on the variable)."""
        design = self._designs.get(fpc)
        if design is None:
            design = self._designs[fpc] = _build_design(self, fpc)
        return design


def _checked_weights(weights: Sequence[float]) -> tuple[float, ...]:
    try:
        values = tuple(float(w) for w in weights)
    except (TypeError, ValueError):
        for i, w in enumerate(weights):
            try:
                float(w)
            except (TypeError, ValueError):
                raise ValueError(f"weight of submission {i} is not a number: {_label(w)}") from None
        raise
    for i, w in enumerate(values):
        if not 0.0 < w < math.inf:
            kind = "negative" if w < 0 else "zero" if w == 0 else "not finite"
            raise ValueError(
                f"weight of submission {i} is {kind} ({w!r}): a design weight is 1 / the "
                "inclusion probability, a positive finite number"
            )
    return values


def _checked_population(
    population: Mapping[Stratum, float] | None,
) -> dict[Stratum, float] | None:
    if population is None:
        return None
    checked: dict[Stratum, float] = {}
    for stratum, size in population.items():
        try:
            value = float(size)
        except (TypeError, ValueError):
            raise ValueError(
                f"population size of stratum {_label(stratum)} is not a number: {_label(size)}"
            ) from None
        if not 0.0 < value < math.inf:
            raise ValueError(
                f"population size of stratum {_label(stratum)} must be positive, got {value!r}"
            )
        checked[stratum] = value
    return checked


# --- design factors --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Design:
    """What the variance needs besides the variable's own sums.

    ``c_h`` is (1 − f_h) · n_h / (n_h − 1) for each stratum (0 for a stratum of one
    submission, which has no within-stratum variance to estimate). ``hg`` holds, for
    every (stratum, post-stratum) pair, the count, Σw and Σw² over all its submissions;
    ``g_sw`` the Σw of each post-stratum (``None`` when not post-stratified).
    """

    n_h: tuple[int, ...]
    c_h: tuple[float, ...]
    hg: dict[tuple[int, int], tuple[int, float, float]]
    g_sw: tuple[float, ...] | None
    fpc: bool
    df: int
    notes: tuple[str, ...]


def _build_design(sample: Sample, fpc: bool) -> _Design:
    notes: list[str] = []
    population = sample._population if fpc else None
    if fpc and population is None:
        notes.append("no finite population correction: the design gives no population sizes N_h")
    c_h: list[float] = []
    for stratum, n in zip(sample._strata, sample._n_h, strict=True):
        one_minus_f = 1.0
        if population is not None:
            if stratum not in population:
                raise ValueError(
                    f"stratum {_label(stratum)} has no population size N_h: give every "
                    "stratum's size, or ask for no finite population correction (fpc=False)"
                )
            big_n = population[stratum]
            if n > big_n:
                raise ValueError(
                    f"stratum {_label(stratum)} has {n} submissions but a population of "
                    f"{big_n:g}: n_h cannot exceed N_h"
                )
            one_minus_f = 1.0 - n / big_n
        if n < 2:
            notes.append(
                f"stratum {_label(stratum)} has a single submission: its variance cannot be "
                "estimated and counts as 0, so the standard errors are too small"
            )
            c_h.append(0.0)
        else:
            c_h.append(one_minus_f * n / (n - 1))
    if population is not None:
        present = set(sample._strata)
        absent = [s for s in population if s not in present]
        if absent:
            notes.append(
                "strata without any submission (the estimates do not cover them): "
                + _cut(", ".join(map(str, absent)))
            )
    hg: dict[tuple[int, int], list[float]] = {}
    for h, g, w in zip(sample._codes, sample._groups, sample._weights, strict=True):
        acc = hg.get((h, g))
        if acc is None:
            hg[(h, g)] = [1, w, w * w]
        else:
            acc[0] += 1
            acc[1] += w
            acc[2] += w * w
    g_sw: tuple[float, ...] | None = None
    if sample._post is not None:
        sums = [0.0] * len(sample._post_keys)
        for (_, g), acc in hg.items():
            sums[g] += acc[1]
        g_sw = tuple(sums)
    return _Design(
        n_h=sample._n_h,
        c_h=tuple(c_h),
        hg={k: (int(a[0]), a[1], a[2]) for k, a in hg.items()},
        g_sw=g_sw,
        fpc=population is not None,
        df=max(1, len(sample) - len(sample._strata)),
        notes=tuple(notes),
    )


# --- critical values and intervals -----------------------------------------------------


def _t_two_sided_cdf(t: float, df: int) -> float:
    """P(|T| ≤ t) for Student's t with integer df, by the finite series of Abramowitz &
    Stegun (1964) §26.7 (exact, no special function needed)."""
    theta = math.atan(t / math.sqrt(df))
    sin, cos = math.sin(theta), math.cos(theta)
    cos2 = cos * cos
    if df % 2 == 0:
        term = total = 1.0
        for k in range(1, df // 2):
            term *= cos2 * (2 * k - 1) / (2 * k)
            total += term
        return sin * total
    if df == 1:
        return 2.0 * theta / math.pi
    term = total = cos
    for k in range(1, (df - 1) // 2):
        term *= cos2 * (2 * k) / (2 * k + 1)
        total += term
    return 2.0 / math.pi * (theta + sin * total)


# Above this many degrees of freedom the first Cornish–Fisher term is exact to ~1e-7.
_T_SERIES_MAX_DF = 5000


@lru_cache(maxsize=256)
def t_quantile(level: float, df: int) -> float:
    """The two-sided critical value t such that P(|T_df| ≤ t) = level."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence level must be between 0 and 1, got {level!r}")
    if df < 1:
        raise ValueError(f"degrees of freedom must be at least 1, got {df!r}")
    z = NormalDist().inv_cdf(0.5 + level / 2)
    if df > _T_SERIES_MAX_DF:
        return z + (z**3 + z) / (4 * df)
    low, high = 0.0, max(1.0, 2 * z)
    while _t_two_sided_cdf(high, df) < level:
        high *= 2
    for _ in range(200):
        mid = (low + high) / 2
        if _t_two_sided_cdf(mid, df) < level:
            low = mid
        else:
            high = mid
        if high - low <= 1e-13 * high:
            break
    return (low + high) / 2


def critical_value(level: float, critical: Critical, df: int) -> float:
    """z (the default: 1.96 at 95 %) or Student's t with the design's degrees of
    freedom (submissions − strata)."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence level must be between 0 and 1, got {level!r}")
    if critical == "z":
        return NormalDist().inv_cdf(0.5 + level / 2)
    if critical == "t":
        return t_quantile(level, df)
    raise ValueError(f"critical must be 'z' or 't', got {_label(critical)}")


@dataclass(frozen=True, slots=True)
class _Interval:
    crit: float
    method: IntervalMethod

    def numeric(self, value: float, var: float, n: int, total: float) -> Estimate:
        se = math.sqrt(var)
        return Estimate(
            value,
            se,
            value - self.crit * se,
            value + self.crit * se,
            n,
            total,
            n < MIN_RESPONDENTS,
        )

    def proportion(self, p: float, var: float, n: int, total: float, base_n: int) -> Estimate:
        se = math.sqrt(var)
        small = base_n < MIN_RESPONDENTS or n < MIN_CELL or base_n - n < MIN_CELL
        if self.method == "wilson":
            lower, upper = _wilson(p, var, base_n, self.crit)
        else:
            lower, upper = p - self.crit * se, p + self.crit * se
        return Estimate(p, se, max(0.0, lower), min(1.0, upper), n, total, small)


def _wilson(p: float, var: float, base_n: int, z: float) -> tuple[float, float]:
    """Wilson's score interval with the effective sample size n* = p(1 − p) / v(p) in
    place of n, so that the design effect widens it as it widens the Wald interval. At
    p = 0 or 1 the variance is 0 and says nothing: n* is then the unweighted base."""
    if 0.0 < p < 1.0:
        if var <= 0.0:
            return p, p
        n_eff = p * (1.0 - p) / var
    else:
        n_eff = float(base_n)
    z2 = z * z
    denom = 1.0 + z2 / n_eff
    centre = (p + z2 / (2 * n_eff)) / denom
    if p == 0.0:
        return 0.0, 2 * centre
    if p == 1.0:
        return 2 * centre - 1.0, 1.0
    half = z * math.sqrt(p * (1.0 - p) / n_eff + z2 / (4 * n_eff * n_eff)) / denom
    return centre - half, centre + half


def _interval(
    design: _Design, level: float, critical: Critical, method: IntervalMethod
) -> _Interval:
    if method not in ("wald", "wilson"):
        raise ValueError(f"interval must be 'wald' or 'wilson', got {_label(method)}")
    return _Interval(critical_value(level, critical, design.df), method)


_NAN = math.nan


def _empty(n: int, total: float) -> Estimate:
    return Estimate(_NAN, _NAN, _NAN, _NAN, n, total, True)


# --- the variance of a share -----------------------------------------------------------

_Sums = Mapping[tuple[int, int], Sequence[float]]


def _share_variance(ratio: float, den: _Sums, num: _Sums, design: _Design) -> float:
    """v(R̂)·X̂² for R̂ = Σ w y / Σ w x with x the domain's indicator and y = x·1[category],
    from the (count, Σw, Σw²) of the domain (``den``) and of the category within it
    (``num``) per (stratum, post-stratum).

    The linearised variable of submission i is u_i = w_i (e_i − ē_g), e_i = y_i − R̂ x_i,
    and v = Σ_h c_h [Σ_{i∈h} u_i² − (Σ_{i∈h} u_i)² / n_h] over all n_h submissions of
    stratum h (those outside the domain have x = y = 0). Since x and y are 0 or 1,
    Σ w² e² = Σw²y (1 − 2R̂) + R̂² Σw²x, so the sums suffice. ē_g, the weighted mean of
    e in post-stratum g, is 0 without post-strata (Σ w e = 0 over the whole sample).
    """
    n_strata = len(design.n_h)
    u_sum = [0.0] * n_strata
    u_sq = [0.0] * n_strata
    if design.g_sw is None:
        for (h, g), a in den.items():
            b = num.get((h, g))
            swy, sw2y = (b[1], b[2]) if b is not None else (0.0, 0.0)
            u_sum[h] += swy - ratio * a[1]
            u_sq[h] += sw2y * (1.0 - 2.0 * ratio) + ratio * ratio * a[2]
    else:
        sums: dict[tuple[int, int], tuple[float, float, float]] = {}
        e_g = [0.0] * len(design.g_sw)
        for (h, g), a in den.items():
            b = num.get((h, g))
            swy, sw2y = (b[1], b[2]) if b is not None else (0.0, 0.0)
            se = swy - ratio * a[1]
            sums[(h, g)] = (
                se,
                sw2y - ratio * a[2],
                sw2y * (1.0 - 2.0 * ratio) + ratio * ratio * a[2],
            )
            e_g[g] += se
        e_bar = [e / sw for e, sw in zip(e_g, design.g_sw, strict=True)]
        for (h, g), (_, sw_all, sw2_all) in design.hg.items():
            se, se2, see = sums.get((h, g), (0.0, 0.0, 0.0))
            e = e_bar[g]
            u_sum[h] += se - e * sw_all
            u_sq[h] += see - 2.0 * e * se2 + e * e * sw2_all
    return sum(
        c * max(0.0, q - s * s / n)
        for c, n, s, q in zip(design.c_h, design.n_h, u_sum, u_sq, strict=True)
        if c
    )


def _shares(
    den: _Sums,
    nums: Mapping[str, _Sums],
    order: Sequence[str],
    design: _Design,
    interval: _Interval,
) -> dict[str, Estimate]:
    base_n = int(sum(a[0] for a in den.values()))
    x_total = math.fsum(a[1] for a in den.values())
    out: dict[str, Estimate] = {}
    for category in order:
        num = nums.get(category, {})
        n = int(sum(a[0] for a in num.values()))
        y_total = math.fsum(a[1] for a in num.values())
        if base_n == 0:
            out[category] = _empty(n, y_total)
            continue
        ratio = y_total / x_total
        var = _share_variance(ratio, den, num, design) / (x_total * x_total)
        out[category] = interval.proportion(ratio, var, n, y_total, base_n)
    return out


def _order(found: Iterable[str], given: Sequence[str] | None, what: str) -> tuple[list[str], str]:
    """The categories in the form's order when given (so empty ones show), then any
    others found in the data, sorted, with a note naming them."""
    seen = set(found)
    if given is None:
        return sorted(seen), ""
    order = list(dict.fromkeys(given))
    extra = sorted(seen - set(order))
    note = ""
    if extra:
        note = f"values of {what} not among the given categories: " + _cut(", ".join(extra))
    return order + extra, note


def _is_missing(value: object) -> bool:
    return value is None or value == ""


# --- tabulation: the one pass over the submissions -------------------------------------

_Acc = list[float]  # [count, Σw, Σw²]
_HG = tuple[int, int]


def _add(target: dict[_HG, _Acc], key: _HG, acc: Sequence[float]) -> None:
    b = target.get(key)
    if b is None:
        target[key] = list(acc)
    else:
        b[0] += acc[0]
        b[1] += acc[1]
        b[2] += acc[2]


@dataclass(slots=True)
class _Table:
    """The (count, Σw, Σw²) of every (stratum, post-stratum, row, column) cell, regrouped
    per row (the row's domain and its cells) and per column."""

    row_den: dict[str, dict[_HG, _Acc]]
    by_row: dict[str, dict[str, dict[_HG, _Acc]]]
    col_den: dict[str, dict[_HG, _Acc]]
    by_col: dict[str, dict[str, dict[_HG, _Acc]]]
    missing: int
    missing_weighted: float


def _not_text(variable: str, value: object, multiple: bool) -> ValueError:
    what = "the chosen names separated by spaces" if multiple else "the choice's name, as text"
    return ValueError(f"variable {variable!r} has the value {_label(value)}: an answer is {what}")


def _tabulate(
    sample: Sample,
    rows: Sequence[Value],
    columns: Sequence[Value],
    multiple: bool,
    names: tuple[str, str],
) -> _Table:
    """One pass of ``zip`` into a dictionary keyed by (h, g, row, column): the only work
    proportional to the number of submissions. A submission missing either answer is
    counted as missing and stays out of every cell (it remains in the design)."""
    cells: dict[tuple[int, int, Value, Value], _Acc] = {}
    row_acc: dict[tuple[int, int, Value], _Acc] = {}
    missing, missing_w = 0, 0.0
    zipped = zip(sample._codes, sample._groups, sample._weights, rows, columns, strict=True)
    if multiple:
        for h, g, w, r, c in zipped:
            if r is None or r == "" or c is None:
                missing += 1
                missing_w += w
                continue
            if not isinstance(c, str):
                raise _not_text(names[1], c, True)
            options = set(c.split())
            if not options:
                missing += 1
                missing_w += w
                continue
            one = (1, w, w * w)
            _add(row_acc, (h, g, r), one)  # type: ignore[arg-type]
            for option in options:
                _add(cells, (h, g, r, option), one)  # type: ignore[arg-type]
    else:
        get = cells.get
        for h, g, w, r, c in zipped:
            if not r or not c:
                if r is None or r == "" or c is None or c == "":
                    missing += 1
                    missing_w += w
                    continue
                raise _not_text(names[0] if not r else names[1], c if r else r, False)
            key = (h, g, r, c)
            acc = get(key)
            if acc is None:
                cells[key] = [1, w, w * w]
            else:
                acc[0] += 1
                acc[1] += w
                acc[2] += w * w
        for (h, g, r, _), acc in cells.items():
            _add(row_acc, (h, g, r), acc)  # type: ignore[arg-type]
    table = _Table({}, {}, {}, {}, missing, missing_w)
    for (h, g, r), acc in row_acc.items():
        if not isinstance(r, str):
            raise _not_text(names[0], r, False)
        table.row_den.setdefault(r, {})[(h, g)] = acc
    for (h, g, r, c), acc in cells.items():
        if not isinstance(c, str):
            raise _not_text(names[1], c, multiple)
        cell = table.by_row.setdefault(r, {}).setdefault(c, {})  # type: ignore[arg-type]
        cell[(h, g)] = acc
        table.by_col.setdefault(c, {})[r] = cell  # type: ignore[index]
        _add(table.col_den.setdefault(c, {}), (h, g), acc)
    return table


# --- proportions -----------------------------------------------------------------------

_ALL = "all"


def proportions(
    sample: Sample,
    variable: str,
    *,
    multiple: bool = False,
    categories: Sequence[str] | None = None,
    fpc: bool = True,
    level: float = 0.95,
    critical: Critical = "z",
    interval: IntervalMethod = "wald",
) -> Proportions:
    """The weighted share of each category of a select_one (or, with ``multiple``, of each
    option of a select_multiple) among the respondents who answered it. Respondents who
    did not answer are left out of the base, and counted, but stay in the design: the
    base is a domain, so its random size enters the variance."""
    column = sample.column(variable)
    design = sample._design(fpc)
    ci = _interval(design, level, critical, interval)
    table = _tabulate(sample, (_ALL,) * len(sample), column, multiple, (variable, variable))
    den = table.row_den.get(_ALL, {})
    nums = table.by_row.get(_ALL, {})
    order, note = _order(nums, categories, repr(variable))
    return Proportions(
        variable=variable,
        categories=_shares(den, nums, order, design, ci),
        n=int(sum(a[0] for a in den.values())),
        weighted_total=math.fsum(a[1] for a in den.values()),
        missing=table.missing,
        missing_weighted=table.missing_weighted,
        fpc=design.fpc,
        notes=design.notes + ((note,) if note else ()),
    )


# --- means and totals ------------------------------------------------------------------


def _number(value: Value, variable: str, row: int) -> float | None:
    """A numeric answer as a float, None when not answered (None, "", NaN). Submissions
    store numbers as text, so text is parsed; anything else is an error."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        return None if math.isnan(number) else number
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            pass
        else:
            if math.isfinite(number):
                return number
    raise ValueError(f"variable {variable!r}, submission {row}: {_label(value)} is not a number")


def _numeric_estimate(
    sample: Sample,
    variable: str,
    domain: tuple[str, str] | None,
    *,
    ratio: bool,
    fpc: bool,
    level: float,
    critical: Critical,
) -> NumericResult:
    """The mean (``ratio``) or the total of a numeric variable over a domain.

    Two passes: the first gives the estimate (and the per-stratum sums of the
    linearised variable), the second sums the squared deviations of the linearised
    variable u_i from its stratum mean directly, so no difference of large sums loses
    precision whatever the scale of the values.
    """
    values = sample.column(variable)
    design = sample._design(fpc)
    ci = _interval(design, level, critical, "wald")
    if domain is not None:
        dom_variable, dom_value = domain
        dom_column = sample.column(dom_variable)
        in_domain: Sequence[bool] = [v == dom_value for v in dom_column]
    else:
        in_domain = (True,) * len(sample)
    g_codes = sample._groups
    ys: list[float | None] = []
    sw_hg: dict[tuple[int, int], list[float]] = {}
    missing, missing_w = 0, 0.0
    for i, (h, g, w, value, inside) in enumerate(
        zip(sample._codes, g_codes, sample._weights, values, in_domain, strict=True)
    ):
        if not inside:
            ys.append(None)
            continue
        y = _number(value, variable, i)
        ys.append(y)
        if y is None:
            missing += 1
            missing_w += w
            continue
        acc = sw_hg.get((h, g))
        if acc is None:
            sw_hg[(h, g)] = [1, w, w * y]
        else:
            acc[0] += 1
            acc[1] += w
            acc[2] += w * y
    n = int(sum(a[0] for a in sw_hg.values()))
    x_total = math.fsum(a[1] for a in sw_hg.values())
    y_total = math.fsum(a[2] for a in sw_hg.values())
    notes = design.notes
    if n == 0:
        return NumericResult(variable, _empty(0, 0.0), missing, missing_w, design.fpc, notes)
    r = y_total / x_total if ratio else 0.0
    # e_i = x_i (y_i − R̂) for a mean, x_i y_i for a total; ē_g its weighted mean in the
    # post-stratum (0 without post-strata); U_h = Σ_{i∈h} w_i (e_i − ē_g).
    e_bar = [0.0]
    if design.g_sw is not None:
        e_g = [0.0] * len(design.g_sw)
        for (_, g), a in sw_hg.items():
            e_g[g] += a[2] - r * a[1]
        e_bar = [e / sw for e, sw in zip(e_g, design.g_sw, strict=True)]
    u_sum = [0.0] * len(design.n_h)
    for (h, _), a in sw_hg.items():
        u_sum[h] += a[2] - r * a[1]
    if design.g_sw is not None:
        for (h, g), (_, sw_all, _) in design.hg.items():
            u_sum[h] -= e_bar[g] * sw_all
    u_mean = [s / n_h for s, n_h in zip(u_sum, design.n_h, strict=True)]
    squares = [0.0] * len(design.n_h)
    for h, g, w, y in zip(sample._codes, g_codes, sample._weights, ys, strict=True):
        e = 0.0 if y is None else y - r
        d = w * (e - e_bar[g]) - u_mean[h]
        squares[h] += d * d
    var = sum(c * q for c, q in zip(design.c_h, squares, strict=True))
    if ratio:
        estimate = ci.numeric(r, var / (x_total * x_total), n, x_total)
    else:
        estimate = ci.numeric(y_total, var, n, x_total)
    return NumericResult(variable, estimate, missing, missing_w, design.fpc, notes)


def mean(
    sample: Sample,
    variable: str,
    *,
    domain: tuple[str, str] | None = None,
    fpc: bool = True,
    level: float = 0.95,
    critical: Critical = "z",
) -> NumericResult:
    """The weighted (Hájek) mean Σ w y / Σ w over the respondents who answered, within
    ``domain`` = (categorical variable, category) when given. Dividing by the sum of the
    weights rather than by N keeps the estimate a mean when weights do not add up to the
    population, and usually has a smaller variance than Horvitz–Thompson's Σ w y / N when
    they vary within a stratum."""
    return _numeric_estimate(
        sample, variable, domain, ratio=True, fpc=fpc, level=level, critical=critical
    )


def total(
    sample: Sample,
    variable: str,
    *,
    domain: tuple[str, str] | None = None,
    fpc: bool = True,
    level: float = 0.95,
    critical: Critical = "z",
) -> NumericResult:
    """The weighted (Horvitz–Thompson) total Σ w y over the respondents who answered.
    Non-respondents count as 0 in it: the weights should already carry any nonresponse
    adjustment."""
    return _numeric_estimate(
        sample, variable, domain, ratio=False, fpc=fpc, level=level, critical=critical
    )


# --- cross-tab -------------------------------------------------------------------------


def crosstab(
    sample: Sample,
    row_variable: str,
    column_variable: str,
    *,
    multiple: bool = False,
    row_categories: Sequence[str] | None = None,
    column_categories: Sequence[str] | None = None,
    fpc: bool = True,
    level: float = 0.95,
    critical: Critical = "z",
    interval: IntervalMethod = "wald",
) -> CrossTab:
    """The weighted count of every (row, column) cell, the row and column shares, and
    their intervals. A row is a domain, not a stratum: its size in the sample is random,
    so its share's variance is computed over the whole design with the respondents
    outside the row contributing zeros, not as if the row were a separate sample.
    ``multiple`` reads the column variable as a select_multiple."""
    rows_col = sample.column(row_variable)
    cols_col = sample.column(column_variable)
    design = sample._design(fpc)
    ci = _interval(design, level, critical, interval)
    table = _tabulate(sample, rows_col, cols_col, multiple, (row_variable, column_variable))
    rows, row_note = _order(table.row_den, row_categories, repr(row_variable))
    columns, col_note = _order(table.col_den, column_categories, repr(column_variable))
    row_shares = {
        r: _shares(table.row_den.get(r, {}), table.by_row.get(r, {}), columns, design, ci)
        for r in rows
    }
    col_shares = {
        c: _shares(table.col_den.get(c, {}), table.by_col.get(c, {}), rows, design, ci)
        for c in columns
    }
    cells = {}
    for r in rows:
        for c in columns:
            share = row_shares[r][c]
            cells[(r, c)] = Cell(share.n, share.weighted_total, share, col_shares[c][r])
    row_totals = {r: math.fsum(a[1] for a in table.row_den.get(r, {}).values()) for r in rows}
    row_n = {r: int(sum(a[0] for a in table.row_den.get(r, {}).values())) for r in rows}
    column_totals = {c: math.fsum(a[1] for a in table.col_den.get(c, {}).values()) for c in columns}
    return CrossTab(
        row_variable=row_variable,
        column_variable=column_variable,
        rows=tuple(rows),
        columns=tuple(columns),
        cells=cells,
        row_totals=row_totals,
        column_totals=column_totals,
        row_n=row_n,
        n=sum(row_n.values()),
        weighted_total=sum(row_totals.values()),
        missing=table.missing,
        missing_weighted=table.missing_weighted,
        fpc=design.fpc,
        notes=design.notes + tuple(note for note in (row_note, col_note) if note),
    )


# --- post-stratification ---------------------------------------------------------------


def poststratified_weights(
    sample: Sample, by: str, totals: Mapping[str, float]
) -> tuple[float, ...]:
    """w_i × N_g / Σ_{j∈g} w_j for the post-stratum g of each submission, so that the
    weights of each category of ``by`` add up to its known population total N_g."""
    column = sample.column(by)
    checked: dict[str, float] = {}
    for category, size in totals.items():
        try:
            value = float(size)
        except (TypeError, ValueError):
            raise ValueError(
                f"population total of {_label(category)} is not a number: {_label(size)}"
            ) from None
        if not 0.0 < value < math.inf:
            raise ValueError(
                f"population total of {_label(category)} must be positive, got {value!r}"
            )
        checked[category] = value
    sums = dict.fromkeys(checked, 0.0)
    unknown: dict[object, int] = {}
    unanswered = 0
    for answer, w in zip(column, sample._weights, strict=True):
        if _is_missing(answer):
            unanswered += 1
        elif answer in sums:
            sums[answer] += w  # type: ignore[index]
        else:
            unknown[answer] = unknown.get(answer, 0) + 1
    if unanswered:
        raise ValueError(
            f"{unanswered} submission(s) have no value for {by!r}: every respondent needs a "
            "post-stratum (impute it, or post-stratify by a variable everyone answered)"
        )
    if unknown:
        listed = ", ".join(f"{_label(k)} ({n})" for k, n in sorted(unknown.items(), key=str))
        raise ValueError(f"categories of {by!r} without a population total: {_cut(listed)}")
    empty = [k for k, s in sums.items() if s == 0.0]
    if empty:
        raise ValueError(
            f"categories of {by!r} with a population total but no respondent: "
            + _cut(", ".join(empty))
            + " (merge them with a neighbouring category)"
        )
    factor = {k: checked[k] / s for k, s in sums.items()}
    return tuple(w * factor[v] for v, w in zip(column, sample._weights, strict=True))  # type: ignore[index]


def poststratify(sample: Sample, by: str, totals: Mapping[str, float]) -> Sample:
    """A copy of the sample with post-stratified weights (its ``weights``), which also
    remembers the post-strata: the variances then use the residuals within each
    post-stratum, so a variable the post-strata explain gets the smaller standard error
    the known totals buy (the share of a post-stratum itself gets 0)."""
    if sample._post_variable is not None:
        raise ValueError(
            f"the sample is already post-stratified by {sample._post_variable!r}: "
            "post-stratify the original sample once, by a variable crossing both"
        )
    weights = poststratified_weights(sample, by, totals)
    keys = tuple(totals)
    index = {k: i for i, k in enumerate(keys)}
    adjusted = Sample.__new__(Sample)
    adjusted._weights = weights
    adjusted._columns = sample._columns
    adjusted._strata = sample._strata
    adjusted._codes = sample._codes
    adjusted._n_h = sample._n_h
    adjusted._population = sample._population
    adjusted._post = tuple(index[v] for v in sample.column(by))  # type: ignore[index]
    adjusted._groups = adjusted._post
    adjusted._post_keys = keys
    adjusted._post_variable = by
    adjusted._designs = {}
    return adjusted
