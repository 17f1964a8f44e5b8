"""A survey's complete submissions read into an :class:`estimation.Sample`, with the weights
the design and the response give them.

**Weights.** A submission of a sampled respondent starts from its unit's design weight
(1 / inclusion probability: N_h / n_h for a stratified or simple random draw), in its
unit's stratum, with the stratum's N_h for the finite population correction. Not every
unit drawn answers, so the design weights of the respondents of a stratum add up to less
than N_h. The standard remedy is the *weighting-class* non-response adjustment, with the
strata as the classes: each respondent's weight is multiplied by

    Σ_{j drawn in h} w_j / Σ_{j responding in h} w_j,

so the respondents of a stratum represent the whole stratum again; with equal design
weights N_h / n_h it is N_h / r_h, r_h the respondents of h (Lohr 2022, *Sampling: Design
and Analysis*, 3rd ed., ch. 8, weighting-class adjustments; Kalton & Flores-Cervantes
2003, "Weighting methods", *Journal of Official Statistics* 19(2), cell weighting). It
assumes the respondents of a stratum are like its non-respondents (missing at random
within the strata), which the page says.

A submission without a sampled unit (the public link, or an interview entered without a
respondent) has no design weight: it gets weight 1 in the stratum ``—`` and the result
counts it as the *unweighted part*. There is then no N_h for that stratum, so no finite
population correction is applied anywhere (the with-replacement variance: larger, safe).

**Post-stratification** to known totals (a select_one question and the population count
of each of its categories) is ``estimation.poststratify`` on top of those weights.

**Cost.** The submissions are read with one ``values_list`` query that extracts, in the
database, only the answers asked for (a JSON key each) beside the unit's weight, stratum
and N_h; the drawn units are counted by stratum in a second query. No model instance is
built per row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Sum
from django.db.models.fields.json import KeyTextTransform
from django.utils.translation import gettext as _

from pilotage.surveys import estimation
from pilotage.surveys.models import SampledUnit, Submission, SubmissionStatus, Survey
from pilotage.surveys.rendering import SELECT_MULTIPLE, SELECT_ONE, form_fields, walk

UNWEIGHTED_STRATUM = "—"
# sample_draw labels the one stratum of an unstratified draw "—" too; it is kept apart
# from the unweighted part as estimation's single stratum.
_SRS_LABEL = "—"
ANALYSABLE = (SELECT_ONE, SELECT_MULTIPLE, "integer", "decimal")
NUMERIC = ("integer", "decimal")


@dataclass(frozen=True)
class Question:
    """A question the analysis page offers, in the reader's language."""

    name: str
    kind: str
    label: str
    choices: tuple[tuple[str, str], ...]

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC

    @property
    def multiple(self) -> bool:
        return self.kind == SELECT_MULTIPLE

    def choice_label(self, name: str) -> str:
        return dict(self.choices).get(name, name)


def questions(tree: dict[str, Any], lang: str) -> list[Question]:
    """The top-level questions that can be tabulated (not inside a repeat: a repeat's rows
    are not the submissions the weights are for), in form order."""
    return [
        Question(f.name, f.kind, f.label or f.name, tuple((c.name, c.label) for c in f.choices))
        for f in walk(form_fields(tree, lang))
        if f.kind in ANALYSABLE and not f.repeat
    ]


@dataclass(frozen=True)
class StratumSummary:
    """One stratum of the draw: N_h, the units drawn, those who answered, the design
    weight and the weight after the non-response adjustment."""

    label: str
    population: int
    drawn: int
    respondents: int
    design_weight: float
    adjusted_weight: float | None

    @property
    def response_rate(self) -> float | None:
        return self.respondents / self.drawn if self.drawn else None

    @property
    def response_pct(self) -> float | None:
        rate = self.response_rate
        return None if rate is None else 100 * rate


@dataclass
class Analysis:
    sample: estimation.Sample
    fpc: bool
    strata: list[StratumSummary]
    drawn: int
    respondents: int
    unweighted: int
    poststratified_by: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.sample)

    @property
    def response_rate(self) -> float | None:
        return self.respondents / self.drawn if self.drawn else None

    @property
    def response_pct(self) -> float | None:
        rate = self.response_rate
        return None if rate is None else 100 * rate

    @property
    def weighted(self) -> bool:
        return self.drawn > 0


class AnalysisError(ValueError):
    """The analysis asked for cannot be made (the message says why, for the page)."""


def parse_totals(text: str) -> dict[str, float]:
    """``name = total`` (or ``name;total``, ``name<TAB>total``) one per line, as pasted
    from a spreadsheet."""
    totals: dict[str, float] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        for separator in ("=", ";", "\t", ":"):
            if separator in line:
                name, _sep, value = line.partition(separator)
                break
        else:
            raise AnalysisError(
                _("Ligne %(n)s : écrivez « catégorie = effectif ».") % {"n": number}
            )
        try:
            totals[name.strip()] = float(value.strip().replace("\u202f", "").replace(" ", ""))
        except ValueError:
            raise AnalysisError(
                _("Ligne %(n)s : « %(v)s » n'est pas un nombre.") % {"n": number, "v": value}
            ) from None
    if not totals:
        raise AnalysisError(_("Donnez l'effectif de chaque catégorie."))
    return totals


def _drawn_by_stratum(survey: Survey) -> dict[str, tuple[int, float, int]]:
    """Per stratum label: units drawn, their Σ design weight, N_h."""
    rows = (
        SampledUnit.objects.filter(draw__survey=survey)
        .order_by()
        .values("stratum")
        .annotate(drawn=Count("pk"), weights=Sum("weight"), population=Max("stratum_population"))
        .values_list("stratum", "drawn", "weights", "population")
    )
    return {label: (drawn, float(w), int(big_n)) for label, drawn, w, big_n in rows}


def _key(label: str) -> estimation.Stratum:
    return estimation.SINGLE_STRATUM if label == _SRS_LABEL else label


def stratum_display(key: estimation.Stratum) -> str:
    if key == estimation.SINGLE_STRATUM:
        return str(_("Ensemble (sans strates)"))
    return str(key)


def analysis_read(
    survey: Survey,
    variables: Sequence[str],
    *,
    poststratify: tuple[str, Mapping[str, float]] | None = None,
) -> Analysis:
    """The complete submissions of ``survey`` with the answers to ``variables``, weighted
    as the module says. Two queries."""
    names = list(dict.fromkeys(variables))
    if poststratify is not None and poststratify[0] not in names:
        names.append(poststratify[0])
    drawn = _drawn_by_stratum(survey)
    # KeyTextTransform rather than KT("data__…"): a name is one key, never a path.
    extracted = {f"v{i}": KeyTextTransform(name, "data") for i, name in enumerate(names)}
    rows = (
        Submission.objects.filter(survey=survey, status=SubmissionStatus.COMPLETE)
        .order_by("submitted_at", "pk")
        .annotate(**extracted)
        .values_list(
            "respondent_id",
            "respondent__unit__weight",
            "respondent__unit__stratum",
            *extracted,
        )
    )
    # A respondent answers once; should a second complete submission exist, the later
    # one stands (they are read in order of sending).
    latest: dict[Any, tuple[Any, ...]] = {}
    loose: list[tuple[Any, ...]] = []
    for row in rows:
        if row[1] is None:
            loose.append(row)
        else:
            latest[row[0]] = row
    kept = [*latest.values(), *loose]

    answered: dict[str, list[float]] = {}
    for row in latest.values():
        answered.setdefault(row[2], []).append(float(row[1]))
    factors: dict[str, float] = {}
    strata: list[StratumSummary] = []
    for label, (n_drawn, sum_drawn, big_n) in sorted(drawn.items()):
        got = answered.get(label, [])
        factor = sum_drawn / sum(got) if got else None
        if factor is not None:
            factors[label] = factor
        design = sum_drawn / n_drawn
        strata.append(
            StratumSummary(
                label=stratum_display(_key(label)),
                population=big_n,
                drawn=n_drawn,
                respondents=len(got),
                design_weight=design,
                adjusted_weight=None if factor is None else design * factor,
            )
        )

    weights = [1.0 if r[1] is None else float(r[1]) * factors[r[2]] for r in kept]
    strata_column = [UNWEIGHTED_STRATUM if r[1] is None else _key(r[2]) for r in kept]
    columns = {name: [r[3 + i] for r in kept] for i, name in enumerate(names)}
    notes: list[str] = []
    fpc = bool(drawn) and not loose
    population: dict[estimation.Stratum, float] | None = None
    if fpc:
        population = {_key(label): float(big_n) for label, (_n, _w, big_n) in drawn.items()}
    if loose:
        notes.append(
            _(
                "%(n)s réponse(s) sans unité tirée (lien public, saisie sans répondant) : "
                "poids 1, strate « — » ; sans taille de population pour elles, aucune "
                "correction de population finie n'est appliquée."
            )
            % {"n": len(loose)}
        )
    if not drawn:
        notes.append(_("Pas d'échantillon tiré : chaque réponse compte pour une (non pondéré)."))
    sample = estimation.Sample(weights, columns, strata=strata_column, population=population)
    result = Analysis(
        sample=sample,
        fpc=fpc,
        strata=strata,
        drawn=sum(d[0] for d in drawn.values()),
        respondents=len(latest),
        unweighted=len(loose),
        notes=notes,
    )
    if poststratify is not None and len(sample):
        variable, totals = poststratify
        try:
            result.sample = estimation.poststratify(sample, variable, totals)
        except ValueError as exc:
            raise AnalysisError(str(exc)) from exc
        result.poststratified_by = variable
    return result


def weights_by_submission(survey: Survey) -> dict[int, tuple[str, float | None, float]]:
    """Per submission id: its stratum label, design weight (None without a unit) and
    analysis weight (after the non-response adjustment), for the exports. Two queries."""
    drawn = _drawn_by_stratum(survey)
    rows = list(
        Submission.objects.filter(survey=survey, status=SubmissionStatus.COMPLETE)
        .order_by("submitted_at", "pk")
        .values_list("pk", "respondent_id", "respondent__unit__weight", "respondent__unit__stratum")
    )
    latest: dict[Any, tuple[Any, ...]] = {}
    for row in rows:
        if row[2] is not None:
            latest[row[1]] = row
    sums: dict[str, float] = {}
    for row in latest.values():
        sums[row[3]] = sums.get(row[3], 0.0) + float(row[2])
    found: dict[int, tuple[str, float | None, float]] = {}
    for pk, _respondent, weight, stratum in rows:
        if weight is None:
            found[pk] = (UNWEIGHTED_STRATUM, None, 1.0)
        else:
            factor = drawn[stratum][1] / sums[stratum]
            found[pk] = (stratum, float(weight), float(weight) * factor)
    return found
