"""Reading a survey's submissions into a weighted sample (``analysis.py``).

The worked example: a frame of 28 associations, 20 in Rabat-Salé-Kénitra (rsk) and 8 in
Casablanca-Settat (cs), stratified by region with an *equal* allocation of n = 8, so 4
units in each stratum and design weights N_h / n_h = 20 / 4 = 5 (rsk) and 8 / 4 = 2 (cs).
Three of the four rsk units answer and two of the four cs units. The weighting-class
non-response adjustment (Lohr 2022, *Sampling: Design and Analysis*, 3rd ed., ch. 8,
weighting-class adjustments) multiplies each respondent's weight by Σ w drawn / Σ w
responding in its stratum:

    rsk: 5 × (4 × 5) / (3 × 5) = 20 / 3 ≈ 6.6667   (= N_h / r_h = 20 / 3)
    cs:  2 × (4 × 2) / (2 × 2) = 4                  (= N_h / r_h = 8 / 2)

so the respondents' weights add up to 20 + 8 = 28 = N again.
"""

from __future__ import annotations

import pytest

from pilotage.surveys import estimation
from pilotage.surveys.analysis import (
    UNWEIGHTED_STRATUM,
    AnalysisError,
    analysis_read,
    parse_totals,
    questions,
    weights_by_submission,
)
from pilotage.surveys.models import SubmissionStatus
from pilotage.surveys.services.sampling import sample_draw
from pilotage.surveys.tests.analysis_support import answers, draw, frame, respondents, submit
from pilotage.surveys.tests.conftest import Surveys

RSK = [("rabat", 12), ("rabat", 0), ("sale", 4)]
CS = [("casa", 30), ("settat", 2)]


@pytest.fixture
def worked(sv: Surveys) -> Surveys:
    draw(sv.manager_a, sv.survey_a, {"rsk": 20, "cs": 8}, 8, allocation="equal")
    for i, (r, (province, employees)) in enumerate(
        zip(respondents(sv.survey_a, "rsk"), RSK, strict=False)
    ):
        submit(
            sv.survey_a,
            answers("rsk", province, employees, ("training", "legal")),
            respondent=r,
            minutes=i,
        )
    for i, (r, (province, employees)) in enumerate(
        zip(respondents(sv.survey_a, "cs"), CS, strict=False)
    ):
        submit(
            sv.survey_a,
            answers("cs", province, employees, ("funding",)),
            respondent=r,
            minutes=10 + i,
        )
    # A unit that started but did not send: not a respondent.
    submit(
        sv.survey_a,
        answers("cs", "casa", 1),
        respondent=respondents(sv.survey_a, "cs")[3],
        status=SubmissionStatus.DRAFT,
    )
    return sv


def test_design_weights_come_from_the_draw(worked: Surveys) -> None:
    units = {r.unit.stratum: r.unit for r in respondents(worked.survey_a) if r.unit}
    assert units["rsk"].weight == pytest.approx(5.0)
    assert units["cs"].weight == pytest.approx(2.0)
    assert units["rsk"].stratum_population == 20


def test_non_response_adjustment_worked_by_hand(worked: Surveys) -> None:
    found = analysis_read(worked.survey_a, ["province"])
    weights = sorted(found.sample.weights)
    assert weights == pytest.approx([4.0, 4.0, 20 / 3, 20 / 3, 20 / 3])
    assert sum(weights) == pytest.approx(28.0)
    assert found.drawn == 8
    assert found.respondents == 5
    assert found.response_rate == pytest.approx(5 / 8)
    assert found.unweighted == 0
    assert found.fpc
    summary = {s.label: s for s in found.strata}
    assert summary["rsk"].respondents == 3
    assert summary["rsk"].design_weight == pytest.approx(5.0)
    assert summary["rsk"].adjusted_weight == pytest.approx(20 / 3)
    assert summary["cs"].response_rate == pytest.approx(0.5)
    assert found.sample.stratum_sizes == {"rsk": 3, "cs": 2}


def test_share_worked_by_hand(worked: Surveys) -> None:
    # Rabat: two rsk respondents, 2 × 20/3 = 13.333 of 28 → 0.47619.
    found = analysis_read(worked.survey_a, ["province"])
    result = estimation.proportions(found.sample, "province")
    assert result.categories["rabat"].estimate == pytest.approx((40 / 3) / 28)
    assert result.categories["casa"].estimate == pytest.approx(4 / 28)


def test_same_as_estimation_on_the_same_data(worked: Surveys) -> None:
    """The sample built from the tables gives the crosstab that estimation gives on the
    columns written out by hand."""
    found = analysis_read(worked.survey_a, ["province", "needs", "employees"])
    by_hand = estimation.Sample(
        [20 / 3] * 3 + [4.0] * 2,
        {
            "province": ["rabat", "rabat", "sale", "casa", "settat"],
            # The association without employees was not asked its needs (relevant).
            "needs": ["training legal", None, "training legal", "funding", "funding"],
            "employees": ["12", "0", "4", "30", "2"],
        },
        strata=["rsk"] * 3 + ["cs"] * 2,
        population={"rsk": 20, "cs": 8},
    )
    ours = estimation.crosstab(found.sample, "province", "needs", multiple=True)
    theirs = estimation.crosstab(by_hand, "province", "needs", multiple=True)
    assert ours.rows == theirs.rows
    assert ours.cells.keys() == theirs.cells.keys()
    for key, cell in theirs.cells.items():
        assert ours.cells[key].row.estimate == pytest.approx(cell.row.estimate)
        assert ours.cells[key].row.se == pytest.approx(cell.row.se)
    assert estimation.mean(found.sample, "employees").estimate.estimate == pytest.approx(
        estimation.mean(by_hand, "employees").estimate.estimate
    )
    assert found.sample.column("employees") == ("12", "0", "4", "30", "2")


def test_a_submission_without_a_unit_is_the_unweighted_part(worked: Surveys) -> None:
    submit(worked.survey_a, answers("rsk", "sale", 5), minutes=30)
    found = analysis_read(worked.survey_a, ["province"])
    assert found.unweighted == 1
    assert found.respondents == 5
    assert len(found.sample) == 6
    assert found.sample.stratum_sizes[UNWEIGHTED_STRATUM] == 1
    assert sorted(found.sample.weights)[0] == 1.0
    assert not found.fpc
    assert any("sans unité tirée" in note for note in found.notes)


def test_without_a_draw_every_submission_weighs_one(sv: Surveys) -> None:
    submit(sv.survey_a, answers("rsk"))
    submit(sv.survey_a, answers("cs", "casa"))
    found = analysis_read(sv.survey_a, ["region"])
    assert found.sample.weights == (1.0, 1.0)
    assert not found.weighted
    assert found.response_rate is None


def test_a_second_complete_submission_replaces_the_first(worked: Surveys) -> None:
    first = respondents(worked.survey_a, "rsk")[0]
    submit(worked.survey_a, answers("rsk", "sale", 1), respondent=first, minutes=60)
    found = analysis_read(worked.survey_a, ["province"])
    assert found.respondents == 5
    assert sorted(found.sample.column("province"), key=str) == [
        "casa",
        "rabat",
        "sale",
        "sale",
        "settat",
    ]


def test_poststratification_on_top(worked: Surveys) -> None:
    # Post-strata by answered region with totals 30 and 10: every rsk weight becomes
    # 30 / 3 = 10 and every cs weight 10 / 2 = 5 (Lohr 2022, ch. 4, post-stratification).
    found = analysis_read(
        worked.survey_a, ["province"], poststratify=("region", {"rsk": 30, "cs": 10})
    )
    assert sorted(found.sample.weights) == pytest.approx([5, 5, 10, 10, 10])
    assert found.poststratified_by == "region"
    with pytest.raises(AnalysisError):
        analysis_read(worked.survey_a, ["province"], poststratify=("region", {"rsk": 30}))


def test_weights_for_the_exports(worked: Surveys) -> None:
    submit(worked.survey_a, answers("rsk", "sale", 5), minutes=30)
    found = weights_by_submission(worked.survey_a)
    values = sorted(found.values(), key=lambda v: (v[0], v[2]))
    assert values[0] == ("cs", pytest.approx(2.0), pytest.approx(4.0))
    assert ("—", None, 1.0) in values
    assert sum(v[2] for v in values) == pytest.approx(29.0)


def test_totals_are_read_as_pasted() -> None:
    assert parse_totals("rsk = 1 200\ncs;800\n\n") == {"rsk": 1200.0, "cs": 800.0}
    with pytest.raises(AnalysisError):
        parse_totals("rsk 1200")
    with pytest.raises(AnalysisError):
        parse_totals("rsk = beaucoup")


def test_questions_in_the_readers_language(sv: Surveys) -> None:
    found = {q.name: q for q in questions(sv.form_a.tree, "ar")}
    assert list(found) == ["region", "province", "employees", "needs", "projects_n"]
    assert found["region"].label == "الجهة"
    assert found["needs"].multiple
    assert found["employees"].numeric
    assert found["province"].choice_label("casa") == "الدار البيضاء"


def test_a_simple_random_draw_is_one_stratum_apart_from_the_unweighted_part(
    sv: Surveys,
) -> None:
    # SRS of n = 4 from N = 10: weight 10 / 4 = 2.5; 2 answer → 10 / 2 = 5 each
    # (Lohr 2022, ch. 8: one weighting class). sample_draw labels its one stratum "—",
    # like the unweighted part, which must stay a stratum of its own.
    sample_draw(
        actor=sv.manager_a,
        survey=sv.survey_a,
        source="upload",
        frame=frame({"rsk": 10}),
        n=4,
        method="simple",
        seed=7,
    )
    for i, r in enumerate(respondents(sv.survey_a)[:2]):
        submit(sv.survey_a, answers("rsk"), respondent=r, minutes=i)
    submit(sv.survey_a, answers("cs", "casa"), minutes=9)
    found = analysis_read(sv.survey_a, ["region"])
    assert found.sample.stratum_sizes == {estimation.SINGLE_STRATUM: 2, UNWEIGHTED_STRATUM: 1}
    assert sorted(found.sample.weights) == pytest.approx([1.0, 5.0, 5.0])
    assert found.strata[0].design_weight == pytest.approx(2.5)
