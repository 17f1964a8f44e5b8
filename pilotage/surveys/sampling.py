"""Sampling designs for surveys: sample size, stratification, allocation and selection.

Pure functions over a frame handed in by the caller (the associations registry, the schools
of the org-unit tree, an uploaded list), so the same design can be computed, shown and
checked without a database. Every formula, its source and the reasons for each choice are
in ``docs/surveys.md`` ("Sampling design"); the docstrings here give the reasons a reader
of the code needs.

Reproducibility rests on two things: a draw takes a required integer seed, and it consumes
only ``random.Random(seed).random()``, whose sequence for an integer seed Python promises
to keep across versions (unlike ``sample``, ``shuffle`` or ``randrange``, whose algorithms
may change). Anyone holding the frame, the design and the seed gets the same units back.
"""

from __future__ import annotations

import math
import random
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from statistics import NormalDist
from types import MappingProxyType
from typing import Literal

UnitId = str | int
StratumKey = tuple[str, ...]
AllocationMethod = Literal["proportional", "equal", "neyman"]
Within = Literal["simple", "systematic"]
DesignMethod = Literal["simple", "systematic", "stratified"]
RowValue = str | int | float

ALLOCATION_METHODS: tuple[str, ...] = ("proportional", "equal", "neyman")
WITHIN_METHODS: tuple[str, ...] = ("simple", "systematic")

# Largest seed new_seed() returns (exclusive): nine digits are easy to read aloud, copy into
# a report and keep exact in a spreadsheet cell.
SEED_LIMIT = 10**9

# A computed size is rounded UP; figures within this many decimals of a whole number are that
# number, so that float noise (100 × 1.1 = 110.00000000000001) does not add a unit.
_CEIL_DECIMALS = 9


def _ceil(x: float) -> int:
    return math.ceil(round(x, _CEIL_DECIMALS))


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# --------------------------------------------------------------------------------------------
# Sample size
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SampleSize:
    """Every figure of the working, so a page can show how the final n was reached.

    ``n0`` is unrounded (384.16) because it is the textbook figure a statistician checks;
    ``n_fpc_exact`` is the corrected figure before rounding up to ``n_fpc``.
    """

    z: float
    p: float
    e: float
    N: int | None
    response_rate: float
    deff: float
    n0: float
    n_fpc_exact: float
    n_fpc: int
    n_deff: int
    n: int


# The quantiles as the tables and the ministry's methodology notes print them (Cochran's
# worked example uses 1.96): the design page offers these three levels, so the n it shows
# is the n a statistician recomputes by hand.
TABLE_Z = {0.90: 1.645, 0.95: 1.96, 0.99: 2.576}


def z_for_confidence(level: float) -> float:
    """Two-sided standard normal quantile: 0.95 → 1.95996…

    Computed, not looked up, so any level works (0.90, 0.95, 0.99 are the usual ones) and the
    figure is the exact quantile rather than a table's three decimals.
    """
    if not _is_number(level) or not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1 (e.g. 0.95), got {level!r}")
    return NormalDist().inv_cdf(1 - (1 - level) / 2)


def sample_size(
    *,
    z: float = 1.96,
    p: float = 0.5,
    e: float = 0.05,
    N: int | None = None,
    response_rate: float = 1.0,
    deff: float = 1.0,
) -> SampleSize:
    """Units to sample for a proportion p within ± e at the confidence of z.

    Why this order: n0 = z²·p(1−p)/e² is the size for an infinite population; the finite
    population correction n0 / (1 + (n0 − 1)/N) only ever lowers it, and it is rounded up
    first because a sample is a whole number of units; the design effect then scales it for
    a design less (or more) efficient than simple random sampling; last, dividing by the
    expected response rate keeps the expected number of *respondents* at that figure. Each
    step rounds up so the precision asked for is never missed by a fraction of a unit.

    p = 0.5 (the default) gives the largest p(1−p), hence a size that is safe whatever the
    true proportion.
    """
    if not _is_number(z) or not 0 < z < math.inf:
        raise ValueError(f"z must be a positive number (1.96 for 95 %), got {z!r}")
    if not _is_number(p) or not 0 < p < 1:
        raise ValueError(f"p must be between 0 and 1 (exclusive), got {p!r}")
    if not _is_number(e) or not 0 < e < 1:
        raise ValueError(f"e must be between 0 and 1, got {e!r}")
    if N is not None and (not _is_int(N) or N < 1):
        raise ValueError(f"N must be a whole number of units, at least 1, got {N!r}")
    if not _is_number(response_rate) or not 0 < response_rate <= 1:
        raise ValueError(
            f"response_rate must be greater than 0 and at most 1, got {response_rate!r}"
        )
    if not _is_number(deff) or not 0 < deff < math.inf:
        raise ValueError(f"deff must be a positive number, got {deff!r}")

    n0 = z * z * p * (1 - p) / (e * e)
    n_fpc_exact = n0 if N is None else n0 / (1 + (n0 - 1) / N)
    n_fpc = _ceil(n_fpc_exact)
    n_deff = _ceil(n_fpc * deff)
    n = _ceil(n_deff / response_rate)
    if N is not None and n > N:
        raise ValueError(
            f"N={N} is smaller than the sample size n={n} (after deff={deff} and "
            f"response_rate={response_rate}): survey every unit or revise the parameters"
        )
    return SampleSize(
        z=z,
        p=p,
        e=e,
        N=N,
        response_rate=response_rate,
        deff=deff,
        n0=n0,
        n_fpc_exact=n_fpc_exact,
        n_fpc=n_fpc,
        n_deff=n_deff,
        n=n,
    )


# --------------------------------------------------------------------------------------------
# Frame and strata
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """One unit of the frame. Attributes are copied read-only so a frame cannot change
    under a draw that has been recorded."""

    id: UnitId
    attributes: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not _is_int(self.id) and not isinstance(self.id, str):
            raise ValueError(f"unit id must be a str or an int, got {self.id!r}")
        for name, value in self.attributes.items():
            if not isinstance(name, str) or not isinstance(value, str):
                raise ValueError(
                    f"unit {self.id!r}: attributes must map str to str, got {name!r}: {value!r}"
                )
        object.__setattr__(self, "attributes", MappingProxyType(dict(self.attributes)))


def _id_order(unit_id: UnitId) -> tuple[int, int | str]:
    """Ints before strs, each in natural order: a total order even on a mixed frame."""
    return (0, unit_id) if isinstance(unit_id, int) else (1, unit_id)


def _check_frame(units: Sequence[Unit]) -> None:
    seen: set[UnitId] = set()
    for unit in units:
        if not isinstance(unit, Unit):
            raise ValueError(f"the frame must hold Unit objects, got {unit!r}")
        if unit.id in seen:
            raise ValueError(f"unit id {unit.id!r} appears more than once in the frame")
        seen.add(unit.id)


def _check_by(by: Sequence[str]) -> tuple[str, ...]:
    if isinstance(by, str):
        raise ValueError(f"by must be a sequence of attribute names, e.g. ({by!r},)")
    names = tuple(by)
    if len(set(names)) != len(names):
        raise ValueError(f"by names an attribute twice: {names!r}")
    return names


def strata(units: Sequence[Unit], by: Sequence[str]) -> dict[StratumKey, list[Unit]]:
    """Group the frame by the values of ``by``: keys sorted, units in frame order.

    Sorted keys make the strata — and so the draws, which visit strata in this order —
    independent of the order the frame happened to arrive in. Frame order is kept inside a
    stratum because systematic selection may rely on it. ``by=()`` gives one stratum, ``()``.
    """
    names = _check_by(by)
    groups: dict[StratumKey, list[Unit]] = {}
    for unit in units:
        try:
            key = tuple(unit.attributes[name] for name in names)
        except KeyError as missing:
            raise ValueError(f"unit {unit.id!r} has no attribute {missing.args[0]!r}") from None
        groups.setdefault(key, []).append(unit)
    return {key: groups[key] for key in sorted(groups)}


# --------------------------------------------------------------------------------------------
# Allocation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Allocation:
    """How n was shared among strata.

    ``shares`` are the exact (fractional) shares once caps and minimum are applied, shown so a
    reader can follow 41.67 → 42; ``quotas`` are the integers actually drawn.
    """

    method: str
    n: int
    minimum: int
    sizes: Mapping[StratumKey, int]
    sd: Mapping[StratumKey, float] | None
    shares: Mapping[StratumKey, float]
    quotas: Mapping[StratumKey, int]


def _water_fill(
    keys: Sequence[StratumKey],
    n: Fraction,
    weight: Mapping[StratumKey, Fraction],
    low: Mapping[StratumKey, Fraction],
    high: Mapping[StratumKey, Fraction],
) -> dict[StratumKey, Fraction]:
    """Shares clip(λ·w_h, low_h, high_h) with λ chosen so they sum to n.

    The sum is continuous and non-decreasing in λ and linear between the breakpoints
    low_h/w_h and high_h/w_h, so λ is found exactly on the right segment. Caller guarantees
    Σ low ≤ n ≤ Σ high and w_h > 0.
    """

    def total(lam: Fraction) -> Fraction:
        return sum((min(max(lam * weight[k], low[k]), high[k]) for k in keys), Fraction(0))

    points = sorted(
        {Fraction(0)} | {low[k] / weight[k] for k in keys} | {high[k] / weight[k] for k in keys}
    )
    lam = points[-1]
    previous = points[0]
    for point in points:
        at = total(point)
        if at >= n:
            before = total(previous)
            lam = (
                point
                if at == before
                else previous + (n - before) * (point - previous) / (at - before)
            )
            break
        previous = point
    return {k: min(max(lam * weight[k], low[k]), high[k]) for k in keys}


def allocate(
    strata_sizes: Mapping[StratumKey, int],
    n: int,
    method: AllocationMethod | str,
    *,
    sd: Mapping[StratumKey, float] | None = None,
    minimum: int = 1,
) -> Allocation:
    """Share a total sample n among strata of sizes N_h.

    - "proportional": n_h = n·N_h/N. Every unit has the same inclusion probability n/N, so
      the sample is self-weighting; the default when nothing is known of the strata's spread.
    - "equal": n_h = n/H. Best when each stratum's own estimate matters as much as the
      national one (comparing regions), at the price of unequal weights.
    - "neyman": n_h = n·N_h·S_h / Σ N_h·S_h. Smallest variance of the overall mean for a given
      n (equal costs), when the strata's standard deviations S_h are known from a previous
      round or a pilot; ``sd`` must give S_h ≥ 0 for every stratum.

    Why the constraints are applied as they are: a stratum cannot give more units than it has,
    and every stratum should be visited (``minimum``, 1 by default; 2 allows a within-stratum
    variance). Both are met by shares clip(λ·w_h, min(minimum, N_h), N_h), with λ set so the
    shares sum to n: the excess of a capped stratum goes to the others in proportion to their
    weights, which for Neyman is again the optimum under the bounds. A stratum smaller than the
    minimum is taken whole. Strata with S_h = 0 get the minimum, and the rest only once every
    other stratum is full.

    Why largest remainder: each n_h is the floor of its share, and the units still missing go
    one each to the largest fractional parts, so the quotas sum to n exactly and none is more
    than one unit from its share (Hamilton's apportionment). Ties go to the larger stratum,
    then to the first key in sorted order, so the result never depends on dict order. Shares
    are computed in exact fractions so ties are real ties, not float noise.
    """
    if method not in ALLOCATION_METHODS:
        raise ValueError(f"method must be one of {', '.join(ALLOCATION_METHODS)}, got {method!r}")
    if not strata_sizes:
        raise ValueError("strata_sizes is empty: there is no stratum to allocate to")
    keys = sorted(strata_sizes)
    for key in keys:
        size = strata_sizes[key]
        if not _is_int(size) or size < 1:
            raise ValueError(f"stratum {key!r} must have N_h ≥ 1 units, got {size!r}")
    if not _is_int(n) or n < 1:
        raise ValueError(f"n must be a whole number, at least 1, got {n!r}")
    population = sum(strata_sizes[k] for k in keys)
    if n > population:
        raise ValueError(f"n={n} is larger than the population N={population}")
    if not _is_int(minimum) or minimum < 0:
        raise ValueError(f"minimum must be a whole number ≥ 0, got {minimum!r}")
    low = {k: Fraction(min(minimum, strata_sizes[k])) for k in keys}
    needed = sum(low.values())
    if needed > n:
        raise ValueError(
            f"n={n} is too small to give minimum={minimum} to each of the {len(keys)} strata "
            f"(needs {needed})"
        )

    sd_checked: dict[StratumKey, float] | None = None
    if method == "neyman":
        if sd is None:
            raise ValueError("neyman allocation needs sd: the standard deviation S_h per stratum")
        missing = [k for k in keys if k not in sd]
        if missing:
            raise ValueError(f"sd has no value for stratum {missing[0]!r}")
        extra = [k for k in sd if k not in strata_sizes]
        if extra:
            raise ValueError(f"sd names stratum {extra[0]!r}, which is not among the strata")
        for k in keys:
            s = sd[k]
            if not _is_number(s) or not 0 <= s < math.inf:
                raise ValueError(f"sd of stratum {k!r} must be a number ≥ 0, got {s!r}")
        if all(sd[k] == 0 for k in keys):
            raise ValueError("sd is 0 in every stratum: neyman allocation is undefined")
        sd_checked = {k: float(sd[k]) for k in keys}

    if sd_checked is not None:
        weight = {k: strata_sizes[k] * Fraction(sd_checked[k]) for k in keys}
    elif method == "proportional":
        weight = {k: Fraction(strata_sizes[k]) for k in keys}
    else:
        weight = dict.fromkeys(keys, Fraction(1))

    high = {k: Fraction(strata_sizes[k]) for k in keys}
    weighted = [k for k in keys if weight[k] > 0]
    unweighted = [k for k in keys if weight[k] == 0]
    share: dict[StratumKey, Fraction] = {k: low[k] for k in unweighted}
    room = sum((high[k] for k in weighted), Fraction(0))
    to_weighted = min(Fraction(n) - sum(share.values(), Fraction(0)), room)
    share.update(_water_fill(weighted, to_weighted, weight, low, high))
    left = Fraction(n) - sum(share.values(), Fraction(0))
    if left > 0:
        # Every weighted stratum is full: the rest goes to the S_h = 0 strata by size.
        sizes_weight = {k: Fraction(strata_sizes[k]) for k in unweighted}
        share.update(
            _water_fill(unweighted, left + sum(low[k] for k in unweighted), sizes_weight, low, high)
        )

    quotas = {k: math.floor(share[k]) for k in keys}
    missing_units = n - sum(quotas.values())
    by_remainder = sorted(keys, key=lambda k: (-(share[k] - quotas[k]), -strata_sizes[k], k))
    for k in by_remainder[:missing_units]:
        quotas[k] += 1

    return Allocation(
        method=method,
        n=n,
        minimum=minimum,
        sizes=MappingProxyType({k: strata_sizes[k] for k in keys}),
        sd=None if sd_checked is None else MappingProxyType(sd_checked),
        shares=MappingProxyType({k: float(share[k]) for k in keys}),
        quotas=MappingProxyType(quotas),
    )


# --------------------------------------------------------------------------------------------
# Selection
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selected:
    """A sampled unit with what an estimate needs: π_i = n_h/N_h and w_i = 1/π_i."""

    order: int
    unit_id: UnitId
    stratum: StratumKey
    probability: float
    weight: float


@dataclass(frozen=True)
class StratumDraw:
    """N_h and n_h of one stratum; ``start`` is the systematic random start s (1 ≤ s ≤ N_h)."""

    key: StratumKey
    population: int
    sample: int
    start: int | None = None


@dataclass(frozen=True)
class Draw:
    """A recorded draw: the design, the seed and the sample, enough to redo and to weight it."""

    method: DesignMethod
    within: Within | None
    by: tuple[str, ...]
    allocation: Allocation | None
    order_by: tuple[str, ...] | None
    seed: int
    n: int
    N: int
    strata: tuple[StratumDraw, ...]
    units: tuple[Selected, ...]

    @property
    def ids(self) -> tuple[UnitId, ...]:
        return tuple(s.unit_id for s in self.units)

    def design(self) -> dict[str, str | int | None]:
        """The design as flat values, for the header sheet of an export."""
        return {
            "method": self.method,
            "within": self.within,
            "by": ", ".join(self.by),
            "allocation": None if self.allocation is None else self.allocation.method,
            "minimum": None if self.allocation is None else self.allocation.minimum,
            "order_by": None if self.order_by is None else ", ".join(self.order_by),
            "seed": self.seed,
            "n": self.n,
            "N": self.N,
        }

    def to_rows(self) -> list[dict[str, RowValue]]:
        """One row per selected unit, in order of selection, with the same keys in every row.

        The stratum's attributes come as their own columns (named after ``by``) so a
        spreadsheet can filter on them; N_h and n_h sit beside π and the weight so each row
        can be checked on its own.
        """
        sizes = {s.key: s for s in self.strata}
        rows: list[dict[str, RowValue]] = []
        for selected in self.units:
            row: dict[str, RowValue] = {"order": selected.order, "unit_id": selected.unit_id}
            row.update(zip(self.by, selected.stratum, strict=True))
            stratum = sizes[selected.stratum]
            row["N_h"] = stratum.population
            row["n_h"] = stratum.sample
            row["probability"] = selected.probability
            row["weight"] = selected.weight
            rows.append(row)
        return rows


def new_seed() -> int:
    """A seed nobody chose, so nobody can steer the sample; the caller records it."""
    return secrets.randbelow(SEED_LIMIT)


def _check_seed(seed: int) -> None:
    if not _is_int(seed) or seed < 0:
        raise ValueError(f"seed must be a whole number ≥ 0 (see new_seed()), got {seed!r}")


def _check_n(n: int, population: int) -> None:
    if not _is_int(n) or n < 1:
        raise ValueError(f"n must be a whole number, at least 1, got {n!r}")
    if n > population:
        raise ValueError(f"n={n} is larger than the frame size N={population}")


def _rng(seed: int) -> random.Random:
    # Sampling, not cryptography: the seed must replay the draw.
    return random.Random(seed)  # noqa: S311


def systematic_positions(N: int, n: int, start: int) -> list[int]:
    """1-based frame positions taken by systematic sampling with interval k = N/n.

    ``start`` is s in 1…N and stands for the random start r = s/n in (0, k]; the positions
    are ⌈r + j·k⌉ = ⌈(s + j·N)/n⌉ for j = 0…n−1. Why integers: a continuous start r only
    changes the sample when r·n crosses a whole number, so a uniform s over 1…N gives exactly
    the same samples with the same probabilities, and the arithmetic is exact. Each position is
    taken for exactly n of the N starts, so π = n/N even when k is fractional, and the sample
    always has n units (the fractional-interval method).
    """
    if not _is_int(N) or N < 1:
        raise ValueError(f"N must be a whole number, at least 1, got {N!r}")
    _check_n(n, N)
    if not _is_int(start) or not 1 <= start <= N:
        raise ValueError(f"start must be a whole number from 1 to N={N}, got {start!r}")
    return [(start + j * N + n - 1) // n for j in range(n)]


def _ordered(units: Sequence[Unit], order_by: Sequence[str] | None) -> list[Unit]:
    if order_by is None:
        return list(units)
    names = _check_by(order_by)
    for unit in units:
        for name in names:
            if name not in unit.attributes:
                raise ValueError(f"unit {unit.id!r} has no attribute {name!r}")
    return sorted(units, key=lambda u: (tuple(u.attributes[a] for a in names), _id_order(u.id)))


def _simple_pick(units: Sequence[Unit], n: int, rng: random.Random) -> list[Unit]:
    """Random sort: one uniform number per unit (in id order), keep the n smallest.

    Every ordering of iid uniforms is equally likely, so every n-subset is: a simple random
    sample without replacement, whose order of selection is the order of the numbers. It uses
    only ``random()`` (see the module docstring), and sorting by id first makes the frame's
    order irrelevant.
    """
    by_id = sorted(units, key=lambda u: _id_order(u.id))
    keyed = sorted((rng.random(), position) for position in range(len(by_id)))
    return [by_id[position] for _, position in keyed[:n]]


def _systematic_pick(units: Sequence[Unit], n: int, rng: random.Random) -> tuple[list[Unit], int]:
    population = len(units)
    start = 1 + math.floor(rng.random() * population)
    return [units[p - 1] for p in systematic_positions(population, n, start)], start


def _selected(
    picked: Iterable[Unit], key: StratumKey, n_h: int, population: int, first: int
) -> list[Selected]:
    probability = n_h / population
    weight = population / n_h
    return [
        Selected(order=first + i, unit_id=u.id, stratum=key, probability=probability, weight=weight)
        for i, u in enumerate(picked)
    ]


def simple_random(units: Sequence[Unit], n: int, seed: int) -> Draw:
    """Simple random sample without replacement of n units: π_i = n/N for all.

    The frame's order does not matter (units are taken in id order before drawing).
    """
    _check_frame(units)
    _check_n(n, len(units))
    _check_seed(seed)
    picked = _simple_pick(units, n, _rng(seed))
    return Draw(
        method="simple",
        within=None,
        by=(),
        allocation=None,
        order_by=None,
        seed=seed,
        n=n,
        N=len(units),
        strata=(StratumDraw(key=(), population=len(units), sample=n),),
        units=tuple(_selected(picked, (), n, len(units), 1)),
    )


def systematic(
    units: Sequence[Unit], n: int, seed: int, *, order_by: Sequence[str] | None = None
) -> Draw:
    """Every k-th unit, k = N/n (fractional allowed), from a random start given by the seed.

    The order of the list IS the design: sorted by province, commune or size, a systematic
    sample spreads over them like an implicit stratification; a list with a period close to k
    would bias it. With ``order_by=None`` the frame is taken in the order given, so the same
    frame in a different order is a different design; ``order_by`` (attribute names, then id)
    sorts it first, making the draw independent of how the list arrived. The start is kept in
    the Draw so the sample can be rebuilt by hand with ``systematic_positions``.
    """
    _check_frame(units)
    _check_n(n, len(units))
    _check_seed(seed)
    ordered = _ordered(units, order_by)
    picked, start = _systematic_pick(ordered, n, _rng(seed))
    return Draw(
        method="systematic",
        within=None,
        by=(),
        allocation=None,
        order_by=None if order_by is None else tuple(order_by),
        seed=seed,
        n=n,
        N=len(units),
        strata=(StratumDraw(key=(), population=len(units), sample=n, start=start),),
        units=tuple(_selected(picked, (), n, len(units), 1)),
    )


def stratified(
    units: Sequence[Unit],
    by: Sequence[str],
    n: int,
    method: AllocationMethod | str,
    seed: int,
    sd: Mapping[StratumKey, float] | None = None,
    within: Within | str = "simple",
    *,
    minimum: int = 1,
    order_by: Sequence[str] | None = None,
) -> Draw:
    """Stratify by ``by``, allocate n with ``method`` (see ``allocate``), draw in each stratum.

    Strata are drawn one after the other in sorted key order from one generator seeded once,
    so the whole draw follows from the frame and the seed. Within a stratum "simple" ignores
    the frame order (id order), "systematic" follows the frame order or ``order_by`` as in
    ``systematic``. π_i = n_h/N_h differs between strata unless allocation is proportional;
    the weights w_i = N_h/n_h sum to N_h in each stratum.
    """
    _check_frame(units)
    _check_seed(seed)
    if within not in WITHIN_METHODS:
        raise ValueError(f"within must be one of {', '.join(WITHIN_METHODS)}, got {within!r}")
    if order_by is not None and within != "systematic":
        raise ValueError("order_by only applies to within='systematic' (simple ignores order)")
    names = _check_by(by)
    groups = strata(units, names)
    allocation = allocate({k: len(v) for k, v in groups.items()}, n, method, sd=sd, minimum=minimum)
    rng = _rng(seed)
    pick: Callable[[Sequence[Unit], int], tuple[list[Unit], int | None]]
    if within == "simple":

        def pick(group: Sequence[Unit], n_h: int) -> tuple[list[Unit], int | None]:
            return _simple_pick(group, n_h, rng), None
    else:

        def pick(group: Sequence[Unit], n_h: int) -> tuple[list[Unit], int | None]:
            return _systematic_pick(_ordered(group, order_by), n_h, rng)

    drawn: list[StratumDraw] = []
    selected: list[Selected] = []
    for key, group in groups.items():
        n_h = allocation.quotas[key]
        start: int | None = None
        if n_h:
            picked, start = pick(group, n_h)
            selected.extend(_selected(picked, key, n_h, len(group), len(selected) + 1))
        drawn.append(StratumDraw(key=key, population=len(group), sample=n_h, start=start))
    return Draw(
        method="stratified",
        within="simple" if within == "simple" else "systematic",
        by=names,
        allocation=allocation,
        order_by=None if order_by is None else tuple(order_by),
        seed=seed,
        n=n,
        N=len(units),
        strata=tuple(drawn),
        units=tuple(selected),
    )
