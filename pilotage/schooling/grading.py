"""The arithmetic of marks: averages, ranks, mentions, certificate marks, council
suggestions. Pure functions on Decimals, so they are tested against worked examples
(docs/schooling.md) without a database, and shared by pages, bulletins and the API."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from django.utils.translation import get_language

TWO_PLACES = Decimal("0.01")
K = TypeVar("K")

PENDING = ""  # no council suggestion yet
EXEMPT = "DISP"
ABSENT = "ABS"


def rounded(value: Decimal) -> Decimal:
    """Half-up to two decimals, as on Moroccan report cards (12.345 → 12.35)."""
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def mark_text(
    value: Decimal | float | str | None,
    code: str = "",
    *,
    separator: str = ".",
    trim: bool = False,
) -> str:
    """The one way a mark (or an average) becomes text, so that the grid, the audit log,
    the API, the imports and the report cards never disagree on the same mark.

    A code (``ABS``, ``DISP``) stands for itself and no mark is empty text. A number has
    two decimals, rounded half-up as on report cards (``12.50``: what the audit log and the
    API give, and what a save compares with); ``trim`` drops the trailing zeros, as a user
    types it (``12.5``); ``separator`` is the reader's decimal mark (``12,5`` in French).
    A float (SQLite's raw SQL gives one for the column) is read through its shortest text.
    """
    if code:
        return code
    if value is None:
        return ""
    number = rounded(value if isinstance(value, Decimal) else Decimal(str(value)))
    text = format(number.normalize(), "f") if trim else f"{number:f}"
    return text if separator == "." else text.replace(".", separator)


@dataclass(frozen=True)
class Entry:
    """One mark as the arithmetic sees it: a value, or a code (absent / exempt)."""

    value: Decimal | None
    code: str = ""


def continuous_average(
    entries: Iterable[Entry], *, absent_counts_as_zero: bool = True
) -> Decimal | None:
    """Mean of the continuous-assessment marks of one subject in one semester.

    An exempt pupil's mark is left out; an absence counts as 0 unless the policy says
    otherwise (a justified absence is entered as exempt). No mark at all gives no average.
    """
    values: list[Decimal] = []
    for entry in entries:
        if entry.code == EXEMPT:
            continue
        if entry.code == ABSENT:
            if absent_counts_as_zero:
                values.append(Decimal(0))
            continue
        if entry.value is not None:
            values.append(entry.value)
    if not values:
        return None
    return rounded(sum(values, Decimal(0)) / len(values))


def weighted_average(
    averages: Mapping[K, Decimal | None], coefficients: Mapping[K, Decimal]
) -> Decimal | None:
    """General average: Σ coefficient × subject average / Σ coefficients, over the
    subjects that have an average (an exempt subject does not count against the pupil)."""
    total = weight = Decimal(0)
    for key, average in averages.items():
        if average is None or key not in coefficients:
            continue
        total += coefficients[key] * average
        weight += coefficients[key]
    if not weight:
        return None
    return rounded(total / weight)


def annual_average(
    first: Decimal | None,
    second: Decimal | None,
    weights: tuple[Decimal, Decimal] = (Decimal(1), Decimal(1)),
) -> Decimal | None:
    """(w1 × S1 + w2 × S2) / (w1 + w2), the weights being the cycle's (``Scale``; equal
    by default, which is (S1 + S2) / 2). Both semesters are needed: an annual average
    from one semester alone would let the council promote on half a year."""
    if first is None or second is None:
        return None
    w1, w2 = weights
    return rounded((w1 * first + w2 * second) / (w1 + w2))


def annual_formula(weights: tuple[Decimal, Decimal]) -> str:
    """The rule ``annual_average`` applies, as the council page prints it."""
    w1, w2 = (_plain(w) for w in weights)
    if w1 == w2:
        return "(S1 + S2) / 2"
    return f"({w1} × S1 + {w2} × S2) / {_plain(weights[0] + weights[1])}"


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def ranks(averages: Mapping[K, Decimal | None]) -> dict[K, int]:
    """Competition ranking ("1224"): equal averages share a rank, the next rank skips.
    Pupils without an average are not ranked."""
    ordered = sorted(((v, k) for k, v in averages.items() if v is not None), key=lambda p: -p[0])
    result: dict[K, int] = {}
    previous: Decimal | None = None
    rank = 0
    for position, (value, key) in enumerate(ordered, start=1):
        if value != previous:
            rank, previous = position, value
        result[key] = rank
    return result


@dataclass(frozen=True)
class Mention:
    """A mention from ``minimum`` up, with its label per language (``fr`` at least)."""

    minimum: Decimal
    labels: tuple[tuple[str, str], ...]

    def label(self) -> str:
        labels = dict(self.labels)
        return labels.get((get_language() or "fr")[:2]) or labels.get("fr", "")


@dataclass(frozen=True)
class Scale:
    """How a cycle writes and counts marks (``models.GradingScale``; the Moroccan
    defaults are ``structure.SCALES``): marks from 0 to ``maximum``, a pass at
    ``pass_mark``, the mentions from the highest threshold down (none: no mention), and
    the weights of S1 and S2 in the annual average."""

    maximum: Decimal = Decimal(20)
    pass_mark: Decimal = Decimal(10)
    mentions: tuple[Mention, ...] = ()
    semester_weights: tuple[Decimal, Decimal] = (Decimal(1), Decimal(1))

    @property
    def maximum_text(self) -> str:
        """``10`` or ``20``, as "/10" is printed."""
        return _plain(self.maximum)

    @property
    def annual_formula(self) -> str:
        return annual_formula(self.semester_weights)


def mention(average: Decimal | None, scale: Scale) -> str:
    """The label of the highest mention the average reaches on the cycle's scale; empty
    below the lowest one, and always where the cycle has none (primary school)."""
    if average is None:
        return ""
    for rule in sorted(scale.mentions, key=lambda m: -m.minimum):
        if average >= rule.minimum:
            return rule.label()
    return ""


@dataclass(frozen=True)
class Weights:
    continuous: Decimal
    local_exam: Decimal = Decimal(0)
    regional_exam: Decimal = Decimal(0)
    national_exam: Decimal = Decimal(0)


def certificate_mark(
    weights: Weights,
    *,
    continuous: Decimal | None,
    local_exam: Decimal | None = None,
    regional_exam: Decimal | None = None,
    national_exam: Decimal | None = None,
) -> Decimal | None:
    """Σ weight × part over the parts the weighting uses; a missing part that has a weight
    means the mark cannot be computed yet (None), never a silent zero."""
    parts = {
        "continuous": continuous,
        "local_exam": local_exam,
        "regional_exam": regional_exam,
        "national_exam": national_exam,
    }
    total = Decimal(0)
    for name, value in parts.items():
        weight: Decimal = getattr(weights, name)
        if not weight:
            continue
        if value is None:
            return None
        total += weight * value
    return rounded(total)


def best_of(
    first: Mapping[K, Decimal | None], resit: Mapping[K, Decimal | None]
) -> dict[K, Decimal | None]:
    """After a resit (session de rattrapage), each subject keeps the better of its two marks."""
    result: dict[K, Decimal | None] = dict(first)
    for key, value in resit.items():
        if value is not None and (result.get(key) is None or value > result[key]):  # type: ignore[operator]
            result[key] = value
    return result


def council_suggestion(
    average: Decimal | None, *, promote_from: Decimal, repeats_in_cycle: int, max_repeats: int
) -> str:
    """Promote at or above the threshold; below it, repeat, unless the pupil has used up
    the repeats the cycle allows, then dismiss. No (annual) average — a semester is
    missing — gives no suggestion (``PENDING``): the council decides on its own."""
    if average is None:
        return PENDING
    if average >= promote_from:
        return "promote"
    if repeats_in_cycle >= max_repeats:
        return "dismiss"
    return "repeat"
