"""The built-in indicators: code, name, unit, formula, source and the disaggregations each
allows. ``docs/indicators.md`` is the human version of this file (a test keeps both in step).

Each indicator is Σ numerator / Σ denominator × factor over the fact rows of a unit's
subtree (never an average of ratios). Numerators and denominators are *parts*: sums over
one fact source. A source holds only some dimensions (teachers have no sex or grade, the
population has no milieu or sector), so an indicator allows the dimensions common to the
sources of its parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Source(StrEnum):
    PUPILS = "pupils"  # PupilFact
    CLASSES = "classes"  # ClassFact
    TEACHERS = "teachers"  # TeacherFact
    POPULATION = "population"  # PopulationEstimate


# Every disaggregation, in the order results list them.
DIMENSIONS: tuple[str, ...] = ("sex", "milieu", "sector", "cycle", "grade")

SOURCE_DIMENSIONS: dict[Source, frozenset[str]] = {
    Source.PUPILS: frozenset(DIMENSIONS),
    Source.CLASSES: frozenset({"milieu", "sector", "cycle", "grade"}),
    Source.TEACHERS: frozenset({"milieu", "sector", "cycle"}),
    Source.POPULATION: frozenset({"sex", "cycle", "grade"}),
}


class Unit(StrEnum):
    PERCENT = "%"
    COUNT = "count"
    RATIO = "ratio"
    MARK = "/20"


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str | Promise
    unit: Unit
    formula: str
    source: str
    sources: frozenset[Source]
    # Higher is better unless False (repetition, dropout, absence, pupils per teacher…).
    higher_is_better: bool = True
    # The cycle is part of every result key (a ratio "for all cycles" has no meaning).
    per_cycle: bool = False
    # Disaggregations that the sources hold but the indicator does not allow.
    excluded: frozenset[str] = field(default_factory=frozenset)

    @property
    def dimensions(self) -> frozenset[str]:
        common = frozenset(DIMENSIONS)
        for source in self.sources:
            common &= SOURCE_DIMENSIONS[source]
        return common - self.excluded

    @property
    def factor(self) -> int:
        return 100 if self.unit == Unit.PERCENT else 1

    @property
    def has_denominator(self) -> bool:
        return self.unit != Unit.COUNT


UIS = "UNESCO UIS glossary"
SDG4 = "SDG 4 thematic indicator"

_P = frozenset({Source.PUPILS})
_PP = frozenset({Source.PUPILS, Source.POPULATION})

BUILTIN: tuple[Indicator, ...] = (
    Indicator(
        "enrolment",
        _("Effectifs scolarisés"),
        Unit.COUNT,
        "E = pupils enrolled in the year (each pupil once, at their latest enrolment)",
        f"{UIS}: Enrolment",
        _P,
    ),
    Indicator(
        "ger",
        _("Taux brut de scolarisation"),
        Unit.PERCENT,
        "100 × E(cycle, all ages) / P(official ages of the cycle)",
        f"{UIS}: Gross enrolment ratio",
        _PP,
        per_cycle=True,
    ),
    Indicator(
        "ner",
        _("Taux net de scolarisation"),
        Unit.PERCENT,
        "100 × E(cycle, official ages of the cycle) / P(official ages of the cycle)",
        f"{UIS}: Net enrolment rate",
        _PP,
        per_cycle=True,
        excluded=frozenset({"grade"}),
    ),
    Indicator(
        "gir",
        _("Taux brut d'admission en première année"),
        Unit.PERCENT,
        "100 × new entrants to the first grade of the cycle (any age) / P(official entry age)",
        f"{UIS}: Gross intake ratio to the first grade",
        _PP,
        per_cycle=True,
        excluded=frozenset({"grade"}),
    ),
    Indicator(
        "repetition_rate",
        _("Taux de redoublement"),
        Unit.PERCENT,
        "100 × R(g, t+1) / E(g, t): pupils of grade g in t found again in grade g in t+1",
        f"{UIS}: Repetition rate by grade",
        _P,
        higher_is_better=False,
    ),
    Indicator(
        "promotion_rate",
        _("Taux de promotion"),
        Unit.PERCENT,
        "100 × P(g+1, t+1) / E(g, t): pupils of grade g in t found in a higher grade in t+1",
        f"{UIS}: Promotion rate by grade",
        _P,
    ),
    Indicator(
        "dropout_rate",
        _("Taux d'abandon"),
        Unit.PERCENT,
        "100 − promotion rate − repetition rate = 100 × (E(g, t) − P − R) / E(g, t)",
        f"{UIS}: Dropout rate by grade",
        _P,
        higher_is_better=False,
    ),
    Indicator(
        "transition_rate",
        _("Taux de transition effectif"),
        Unit.PERCENT,
        "100 × pupils of the last grade of the cycle in t found in the first grade of the "
        "next cycle in t+1 / E(last grade, t)",
        f"{UIS}: Effective transition rate",
        _P,
        per_cycle=True,
        excluded=frozenset({"grade"}),
    ),
    Indicator(
        "survival_rate",
        _("Taux de survie jusqu'à la dernière année du cycle"),
        Unit.PERCENT,
        "Reconstructed cohort: 100 × Π over grades g before the last of p(g) / (1 − r(g)), "
        "p and r the promotion and repetition rates of year t",
        f"{UIS}: Survival rate by grade (reconstructed cohort method)",
        _P,
        per_cycle=True,
        excluded=frozenset({"grade"}),
    ),
    Indicator(
        "ptr",
        _("Élèves par enseignant"),
        Unit.RATIO,
        "E / teachers assigned to a class that year",
        f"{UIS}: Pupil-teacher ratio",
        frozenset({Source.PUPILS, Source.TEACHERS}),
        higher_is_better=False,
    ),
    Indicator(
        "pupils_per_class",
        _("Élèves par classe"),
        Unit.RATIO,
        "E / classes",
        "Ministry indicator (average class size, UIS: Average class size)",
        frozenset({Source.PUPILS, Source.CLASSES}),
        higher_is_better=False,
    ),
    Indicator(
        "qualified_teachers_pct",
        _("Enseignants qualifiés"),
        Unit.PERCENT,
        "100 × qualified teachers / teachers",
        f"{UIS}: Percentage of qualified teachers; {SDG4} 4.c.1",
        frozenset({Source.TEACHERS}),
    ),
    Indicator(
        "absence_rate",
        _("Taux d'absence"),
        Unit.PERCENT,
        "100 × half-days of absence / (E × half-days of class held so far)",
        "Ministry indicator (attendance registers)",
        _P,
        higher_is_better=False,
    ),
    Indicator(
        "pass_rate",
        _("Taux de réussite"),
        Unit.PERCENT,
        "100 × pupils whose mean mark of the year is ≥ 10/20 / pupils with a mark",
        "Ministry indicator (continuous assessment)",
        _P,
    ),
    Indicator(
        "mean_mark",
        _("Moyenne des notes"),
        Unit.MARK,
        "Σ marks / number of marks (out of 20)",
        "Ministry indicator (continuous assessment)",
        _P,
    ),
    Indicator(
        "out_of_school_rate",
        _("Taux d'enfants non scolarisés"),
        Unit.PERCENT,
        "100 × (P(official ages) − pupils of those ages enrolled in the cycle or a higher "
        "one) / P(official ages) = 100 − total net enrolment rate",
        f"{UIS}: Out-of-school rate; {SDG4} 4.1.4",
        _PP,
        higher_is_better=False,
        per_cycle=True,
        excluded=frozenset({"grade"}),
    ),
)

_BY_CODE = {indicator.code: indicator for indicator in BUILTIN}


def builtin(code: str) -> Indicator | None:
    return _BY_CODE.get(code)
