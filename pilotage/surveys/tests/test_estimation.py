"""The weighted-analysis engine against worked examples computed by hand.

The formulas are those of the weighted-analysis part of docs/surveys.md:

- SRS proportion, estimated variance v(p) = (1 − f) p q / (n − 1): Cochran, W. G. (1977),
  Sampling Techniques, 3rd ed., ch. 3 (sampling for proportions);
- stratified mean and proportion, v(ȳ_st) = Σ W_h² (1 − f_h) s_h² / n_h, with
  s_h² = n_h / (n_h − 1) p_h q_h for a proportion: Cochran (1977), ch. 5; Lohr, S. (2022),
  Sampling: Design and Analysis, 3rd ed., ch. 3;
- domains, ratio (Hájek) means and post-stratification through the linearised variable
  u_i = w_i (e_i − ē_g): Lohr (2022), ch. 4 (domains, post-stratification) and ch. 9
  (linearisation); Woodruff (1971); Särndal, Swensson & Wretman (1992), Model Assisted
  Survey Sampling (the g-weighted residuals of the regression estimator);
- Wilson (1927) for the score interval.

No textbook's numerical example is reproduced: the examples are small enough to be
computed by hand, and each step is written out in the comments. z = 1.959964 (the 97.5 %
normal quantile) throughout.
"""

from __future__ import annotations

import math
import random
import statistics

import pytest

from pilotage.surveys.estimation import (
    MIN_CELL,
    MIN_RESPONDENTS,
    Observation,
    Sample,
    critical_value,
    crosstab,
    mean,
    poststratified_weights,
    poststratify,
    proportions,
    t_quantile,
    total,
)

Z = 1.959963984540054


def approx(value: float, rel: float = 1e-9) -> object:
    return pytest.approx(value, rel=rel, abs=1e-12)


# --- simple random sampling --------------------------------------------------------------


def test_srs_proportion_with_fpc() -> None:
    # N = 200, n = 10 drawn at random (weights N/n = 20), 4 answer "oui".
    # p = 4/10 = 0.4, f = 10/200 = 0.05.
    # v(p) = (1 − f) p q / (n − 1) = 0.95 × 0.4 × 0.6 / 9 = 0.228 / 9 = 0.0253333…
    # se = √0.0253333 = 0.1591645; CI = 0.4 ± 1.959964 × 0.1591645 = 0.4 ± 0.3119567
    #    = (0.0880433, 0.7119567).
    sample = Sample([20.0] * 10, {"q": ["oui"] * 4 + ["non"] * 6}, population=200)
    result = proportions(sample, "q")
    oui = result.categories["oui"]
    assert oui.estimate == approx(0.4)
    assert oui.se == approx(math.sqrt(0.228 / 9))
    assert oui.se == approx(0.1591644851508443)
    assert (oui.lower, oui.upper) == (approx(0.08804334148648496), approx(0.7119566585135151))
    assert oui.n == 4 and oui.weighted_total == approx(80.0)
    assert result.n == 10 and result.weighted_total == approx(200.0)
    assert result.fpc is True and result.notes == ()
    # The complement has the same standard error.
    assert result.categories["non"].estimate == approx(0.6)
    assert result.categories["non"].se == approx(oui.se)


def test_srs_proportion_without_population_has_no_fpc_and_says_so() -> None:
    # Same data, N unknown: v(p) = p q / (n − 1) = 0.24 / 9 = 0.0266667.
    sample = Sample([20.0] * 10, {"q": ["oui"] * 4 + ["non"] * 6})
    result = proportions(sample, "q")
    assert result.categories["oui"].se == approx(math.sqrt(0.24 / 9))
    assert result.fpc is False
    assert any("no finite population correction" in note for note in result.notes)


def test_fpc_false_ignores_the_population() -> None:
    sample = Sample([20.0] * 10, {"q": ["oui"] * 4 + ["non"] * 6}, population=200)
    result = proportions(sample, "q", fpc=False)
    assert result.categories["oui"].se == approx(math.sqrt(0.24 / 9))
    assert result.fpc is False


def test_equal_weights_give_the_unweighted_figures() -> None:
    # A constant weight (3.7) cancels from every ratio: the weighted mean is the sample
    # mean, its se s/√n (no fpc: Cochran ch. 2), and a proportion's se √(p q / (n − 1)).
    rng = random.Random(11)
    ys = [round(rng.uniform(0, 20), 2) for _ in range(57)]
    cats = [rng.choice("abc") for _ in range(57)]
    sample = Sample([3.7] * 57, {"y": ys, "c": cats})
    m = mean(sample, "y").estimate
    assert m.estimate == approx(statistics.mean(ys))
    assert m.se == approx(statistics.stdev(ys) / math.sqrt(57))
    assert m.weighted_total == approx(3.7 * 57)
    share = proportions(sample, "c").categories["a"]
    p = cats.count("a") / 57
    assert share.estimate == approx(p)
    assert share.se == approx(math.sqrt(p * (1 - p) / 56))
    assert share.n == cats.count("a")
    table = crosstab(sample, "c", "c")
    assert table.cells[("b", "b")].weighted_count == approx(3.7 * cats.count("b"))
    assert table.cells[("b", "b")].row.estimate == approx(1.0)


# --- stratified sampling -----------------------------------------------------------------


def _three_strata() -> Sample:
    # Stratum A: N = 100, n = 4, y = 2 4 6 8   → ȳ = 5,  s² = (9+1+1+9)/3 = 20/3
    # Stratum B: N = 200, n = 5, y = 10…18 by 2 → ȳ = 14, s² = (16+4+0+4+16)/4 = 10
    # Stratum C: N = 50,  n = 2, y = 1 3       → ȳ = 2,  s² = (1+1)/1 = 2
    # Design weights N_h / n_h = 25, 40, 25.
    data = {"A": [2, 4, 6, 8], "B": [10, 12, 14, 16, 18], "C": [1, 3]}
    sizes = {"A": 100, "B": 200, "C": 50}
    strata, weights, ys = [], [], []
    for h, values in data.items():
        for y in values:
            strata.append(h)
            weights.append(sizes[h] / len(values))
            ys.append(y)
    return Sample(weights, {"y": ys}, strata=strata, population=sizes)


def test_stratified_mean_three_strata() -> None:
    # N = 350, W_h = 2/7, 4/7, 1/7.
    # ȳ_st = Σ W_h ȳ_h = (2·5 + 4·14 + 1·2) / 7 = 68/7 = 9.7142857
    #      = Σ w y / Σ w = (25·20 + 40·70 + 25·4) / 350 = 3400/350 (the Hájek form).
    # v = Σ W_h² (1 − f_h) s_h² / n_h:
    #   A: (4/49)  · 0.96  · (20/3)/4 = (4/49) · 1.6  = 6.4/49
    #   B: (16/49) · 0.975 · 10/5     = (16/49) · 1.95 = 31.2/49
    #   C: (1/49)  · 0.96  · 2/2      = 0.96/49
    #   v = 38.56/49 = 0.7869388; se = 0.8870957.
    result = mean(_three_strata(), "y")
    est = result.estimate
    assert est.estimate == approx(68 / 7)
    assert est.se == approx(math.sqrt(38.56 / 49))
    assert est.lower == approx(68 / 7 - Z * math.sqrt(38.56 / 49))
    assert est.n == 11 and est.weighted_total == approx(350.0)
    assert result.fpc is True


def test_stratified_total_three_strata() -> None:
    # Ŷ = Σ w y = 3400. v(Ŷ) = Σ N_h² (1 − f_h) s_h² / n_h (Cochran ch. 5)
    #   = 100²·0.96·(20/3)/4 + 200²·0.975·10/5 + 50²·0.96·2/2
    #   = 16 000 + 78 000 + 2 400 = 96 400; se = 310.4835 (= N × se of the mean).
    est = total(_three_strata(), "y").estimate
    assert est.estimate == approx(3400.0)
    assert est.se == approx(math.sqrt(96_400))
    assert est.se == approx(350 * math.sqrt(38.56 / 49))


def test_stratified_proportion() -> None:
    # Stratum A: N = 1000, n = 10, 3 "yes" → p_A = 0.3; stratum B: N = 3000, n = 20,
    # 12 "yes" → p_B = 0.6. W = 0.25, 0.75; weights 100 and 150.
    # p_st = 0.25·0.3 + 0.75·0.6 = 0.525.
    # s_A² = 10/9 · 0.21 = 0.2333333; s_B² = 20/19 · 0.24 = 0.2526316.
    # v = 0.0625 · (1 − 0.01) · 0.2333333/10 + 0.5625 · (1 − 1/150) · 0.2526316/20
    #   = 0.00144375 + 0.0070578947 = 0.0085016447; se = 0.0922044.
    strata = ["A"] * 10 + ["B"] * 20
    weights = [100.0] * 10 + [150.0] * 20
    answers = ["yes"] * 3 + ["no"] * 7 + ["yes"] * 12 + ["no"] * 8
    sample = Sample(weights, {"q": answers}, strata=strata, population={"A": 1000, "B": 3000})
    yes = proportions(sample, "q").categories["yes"]
    assert yes.estimate == approx(0.525)
    assert yes.se == approx(math.sqrt(0.0014437500 + 0.0070578947368421), rel=1e-9)
    assert yes.se == approx(0.09220436397938063)
    assert yes.weighted_total == approx(300 + 1800)


def test_census_stratum_contributes_no_variance() -> None:
    # Stratum A fully enumerated (n = N = 4): 1 − f = 0, so only B contributes.
    # B: N = 10, n = 5, y = 1 2 3 4 5, s² = 2.5, W_B = 10/14.
    # v = (10/14)² · (1 − 0.5) · 2.5/5 = 0.5102041 · 0.25 = 0.127551.
    sample = Sample(
        [1.0] * 4 + [2.0] * 5,
        {"y": [7, 9, 11, 13, 1, 2, 3, 4, 5]},
        strata=["A"] * 4 + ["B"] * 5,
        population={"A": 4, "B": 10},
    )
    est = mean(sample, "y").estimate
    assert est.estimate == approx((40 + 2 * 15) / 14)
    assert est.se == approx(math.sqrt((10 / 14) ** 2 * 0.5 * 2.5 / 5))


def test_single_submission_stratum_is_noted() -> None:
    sample = Sample([5.0, 5.0, 5.0, 9.0], {"y": [1, 2, 3, 4]}, strata=["A", "A", "A", "B"])
    result = mean(sample, "y")
    assert any("single submission" in note for note in result.notes)
    # A alone: u_i = w (y_i − ȳ) over A's submissions, B's counts 0.
    r = (5 * 6 + 9 * 4) / 24
    us = [5 * (y - r) for y in (1, 2, 3)]
    ss = sum((u - sum(us) / 3) ** 2 for u in us)
    assert result.estimate.se == approx(math.sqrt(1.5 * ss) / 24)


# --- domains, cross-tabs -----------------------------------------------------------------


def _small_table() -> Sample:
    # 8 submissions of an SRS (N unknown), weight 5 each:
    #   urban (u): yes yes no no no ; rural (r): yes no no.
    return Sample(
        [5.0] * 8,
        {
            "milieu": ["u"] * 5 + ["r"] * 3,
            "q": ["yes", "yes", "no", "no", "no", "yes", "no", "no"],
        },
    )


def test_crosstab_row_share_is_a_domain_estimate() -> None:
    # Row u, share "yes": p = 10/25 = 0.4. The row is a domain (x_i = 1 in the row):
    # u_i = w (y_i − p x_i) over all 8 submissions (0 outside the row), Σ u_i = 0,
    # Σ u_i² = 25 (2 · 0.6² + 3 · 0.4²) = 25 · 1.2 = 30.
    # v = n/(n − 1) Σ u_i² / X² = 8/7 · 30 / 25² = 0.0548571; se = 0.2342160.
    # (Not p q / (n_u − 1) = 0.06 as if the row were its own sample.)
    # Row r, "yes": p = 1/3, Σ u² = 25 (1·(2/3)² + 2·(1/3)²) = 50/3, X = 15:
    # v = 8/7 · (50/3) / 225 = 0.0846561.
    table = crosstab(_small_table(), "milieu", "q")
    assert table.rows == ("r", "u") and table.columns == ("no", "yes")
    cell = table.cells[("u", "yes")]
    assert cell.weighted_count == approx(10.0) and cell.n == 2
    assert cell.row.estimate == approx(0.4)
    assert cell.row.se == approx(math.sqrt(8 / 7 * 30 / 625))
    assert cell.row.se == approx(0.23421601750764795)
    assert table.cells[("r", "yes")].row.se == approx(math.sqrt(8 / 7 * (50 / 3) / 225))
    # Column "yes" (3 submissions, 2 urban): the urban share 2/3 has, by the same steps,
    # Σ u² = 25 (2·(1/3)² + (2/3)²) = 50/3 and X = 15.
    assert cell.column.estimate == approx(2 / 3)
    assert cell.column.se == approx(math.sqrt(8 / 7 * (50 / 3) / 225))
    assert table.row_totals == {"r": approx(15.0), "u": approx(25.0)}
    assert table.column_totals == {"no": approx(25.0), "yes": approx(15.0)}


def test_crosstab_counts_sum_to_the_weighted_total_and_shares_to_one() -> None:
    sample = _random_sample(600, seed=5, strata=3, post=False)
    table = crosstab(sample, "region", "q5")
    total_w = sum(cell.weighted_count for cell in table.cells.values())
    assert total_w == approx(table.weighted_total)
    answered = [
        w
        for w, r, c in zip(
            sample.weights, sample.column("region"), sample.column("q5"), strict=True
        )
        if r is not None and c is not None
    ]
    assert table.weighted_total == approx(sum(answered))
    assert table.weighted_total + table.missing_weighted == approx(sum(sample.weights))
    assert table.n + table.missing == len(sample)
    for r in table.rows:
        assert sum(table.cells[(r, c)].row.estimate for c in table.columns) == approx(1.0)
        assert sum(table.cells[(r, c)].weighted_count for c in table.columns) == approx(
            table.row_totals[r]
        )
    for c in table.columns:
        assert sum(table.cells[(r, c)].column.estimate for r in table.rows) == approx(1.0)


def test_crosstab_given_categories_show_empty_ones_and_note_unknown_ones() -> None:
    table = crosstab(
        _small_table(), "milieu", "q", row_categories=["u", "r", "peri"], column_categories=["yes"]
    )
    assert table.rows == ("u", "r", "peri")
    assert table.columns == ("yes", "no")
    assert "values of 'q' not among the given categories: no" in table.notes
    empty = table.cells[("peri", "yes")]
    assert empty.weighted_count == 0.0 and empty.n == 0
    assert math.isnan(empty.row.estimate) and empty.row.small_sample
    # An empty row takes nothing from the column shares.
    assert table.cells[("peri", "yes")].column.estimate == 0.0


def test_crosstab_multiple_columns_count_a_respondent_in_each_option() -> None:
    sample = Sample(
        [1.0, 2.0, 3.0, 4.0],
        {"sex": ["f", "f", "m", "m"], "tools": ["tv radio", "radio", "", "tv"]},
    )
    table = crosstab(sample, "sex", "tools", multiple=True)
    assert table.missing == 1 and table.missing_weighted == approx(3.0)
    assert table.row_totals == {"f": approx(3.0), "m": approx(4.0)}
    # f: tv chosen by weight 1 of 3, radio by 1 + 2 = 3 of 3.
    assert table.cells[("f", "tv")].row.estimate == approx(1 / 3)
    assert table.cells[("f", "radio")].row.estimate == approx(1.0)
    assert table.cells[("m", "radio")].weighted_count == 0.0
    assert table.column_totals == {"radio": approx(3.0), "tv": approx(5.0)}


def test_domain_mean_uses_the_whole_design() -> None:
    # SRS n = 5, weights 1, N unknown; domain d holds y = 2 and 4 (the others are out).
    # R = 3; u_i = x_i (y_i − 3) = −1, 1, 0, 0, 0; Σ u = 0, Σ u² = 2.
    # v = n/(n − 1) Σ u² / X² = 5/4 · 2 / 2² = 0.625 (a separate sample would say
    # s²/n_d = 2/2 = 1).
    sample = Sample(
        [1.0] * 5,
        {"y": [2, 4, 10, 20, None], "g": ["d", "d", "e", "e", "d"]},
    )
    result = mean(sample, "y", domain=("g", "d"))
    assert result.estimate.estimate == approx(3.0)
    assert result.estimate.se == approx(math.sqrt(0.625))
    assert result.estimate.n == 2
    # The fifth is in the domain but did not answer: missing in the domain.
    assert result.missing == 1


# --- select_multiple, missing values -----------------------------------------------------


def test_select_multiple_options_and_missing() -> None:
    # weight, answer:  10 "a b" · 20 "a" · 30 "b c" · 40 "" · 50 None · 10 "c a a"
    # Missing: the 40 and the 50 (2 submissions, weight 90). Base: 10+20+30+10 = 70.
    # a: 10 + 20 + 10 = 40 (a repeated option counts once) → 40/70 = 4/7; b: 10 + 30 = 40;
    # c: 30 + 10 = 40.
    # se of a (SRS, n = 6, N unknown): R = 4/7; u_i = w_i (y_i − R x_i):
    #   30/7, 60/7, −120/7, 0, 0, 30/7 → Σ u = 0, Σ u² = (900+3600+14400+900)/49 = 19800/49
    #   v = 6/5 · 19800/49 / 70² = 0.0989588; se = 0.3145771.
    sample = Sample(
        [10.0, 20.0, 30.0, 40.0, 50.0, 10.0],
        {"m": ["a b", "a", "b c", "", None, "c a a"]},
    )
    result = proportions(sample, "m", multiple=True)
    assert result.missing == 2 and result.missing_weighted == approx(90.0)
    assert result.n == 4 and result.weighted_total == approx(70.0)
    assert list(result.categories) == ["a", "b", "c"]
    for option in "abc":
        assert result.categories[option].estimate == approx(4 / 7)
        assert result.categories[option].weighted_total == approx(40.0)
    assert result.categories["a"].se == approx(math.sqrt(6 / 5 * 19800 / 49 / 4900))
    assert result.categories["a"].se == approx(0.3145771243754725)
    assert result.categories["a"].n == 3


def test_select_one_missing_answers_are_counted_not_estimated() -> None:
    sample = Sample([1.0, 2.0, 3.0, 4.0], {"q": ["x", None, "", "y"]})
    result = proportions(sample, "q")
    assert result.missing == 2 and result.missing_weighted == approx(5.0)
    assert result.categories["x"].estimate == approx(1 / 5)
    assert result.n == 2


def test_numeric_missing_values_and_text_numbers() -> None:
    # Submissions store numbers as text. None, "" and NaN are not answered.
    # Answered: 10 (w 1), 12.5 (w 2), 7 (w 1) → mean = (10 + 25 + 7) / 4 = 10.5.
    sample = Sample(
        [1.0, 5.0, 5.0, 2.0, 1.0, 5.0],
        {"y": ["10", None, "", " 12.5 ", 7, float("nan")]},
    )
    result = mean(sample, "y")
    assert result.estimate.estimate == approx(10.5)
    assert result.estimate.n == 3 and result.estimate.weighted_total == approx(4.0)
    assert result.missing == 3 and result.missing_weighted == approx(15.0)
    assert total(sample, "y").estimate.estimate == approx(42.0)


def test_a_numeric_value_that_is_not_a_number_is_refused() -> None:
    sample = Sample([1.0, 1.0], {"y": ["3", "trois"]})
    with pytest.raises(ValueError, match=r"'y', submission 1: 'trois' is not a number"):
        mean(sample, "y")
    with pytest.raises(ValueError, match="is not a number"):
        mean(Sample([1.0], {"y": [True]}), "y")


# --- post-stratification -----------------------------------------------------------------


def test_poststratified_weights_by_hand() -> None:
    # Weights 10 10 20 20, sex f m f m; N_f = 60, N_m = 90.
    # Σw_f = 30 → factor 2 → 20, 40; Σw_m = 30 → factor 3 → 30, 60.
    sample = Sample([10.0, 10.0, 20.0, 20.0], {"sex": ["f", "m", "f", "m"]})
    assert poststratified_weights(sample, "sex", {"f": 60, "m": 90}) == (20.0, 30.0, 40.0, 60.0)


def test_poststratification_reproduces_the_known_totals() -> None:
    sample = _random_sample(500, seed=2, strata=4, post=False)
    totals = {"15-24": 21_000.0, "25-44": 34_000.0, "45+": 27_500.0}
    adjusted = poststratify(sample, "age", totals)
    assert adjusted.poststratified_by == "age"
    for category, known in totals.items():
        got = sum(
            w
            for w, a in zip(adjusted.weights, adjusted.column("age"), strict=True)
            if a == category
        )
        assert got == approx(known)
    # The share of a post-stratum is then known exactly: its se is 0.
    shares = proportions(adjusted, "age")
    for category, known in totals.items():
        assert shares.categories[category].estimate == approx(known / sum(totals.values()))
        # (0 up to rounding: the sums are of weights in the thousands.)
        assert shares.categories[category].se == pytest.approx(0.0, abs=1e-8)
    # The original sample is left as it was.
    assert sample.weights != adjusted.weights and sample.poststratified_by is None


def test_poststratified_mean_variance_by_hand() -> None:
    # SRS, N unknown, initial weights 10; post-strata f: y = 1, 3 and m: y = 2, 4, 6;
    # N_f = 40, N_m = 60 → every adjusted weight is 20.
    # ȳ_ps = (20·4 + 20·12)/100 = 3.2; e_i = y_i − 3.2 = −2.2 −0.2 | −1.2 0.8 2.8;
    # ē_f = (−2.2 − 0.2)/2 = −1.2, ē_m = (−1.2 + 0.8 + 2.8)/3 = 0.8;
    # u_i = 20 (e_i − ē_g) = −20, 20 | −40, 0, 40 → Σ u = 0, Σ u² = 4000;
    # v = n/(n − 1) Σ u² / N̂² = 5/4 · 4000 / 100² = 0.5.
    # The same weights taken as plain design weights: Σ (20 e_i)² = 400 · 14.8 = 5920,
    # v = 5/4 · 5920 / 100² = 0.74: the known totals remove the between-group part.
    sample = Sample([10.0] * 5, {"sex": ["f", "f", "m", "m", "m"], "y": [1, 3, 2, 4, 6]})
    adjusted = poststratify(sample, "sex", {"f": 40, "m": 60})
    est = mean(adjusted, "y").estimate
    assert est.estimate == approx(3.2)
    assert est.se == approx(math.sqrt(0.5))
    plain = mean(Sample(list(adjusted.weights), {"y": [1, 3, 2, 4, 6]}), "y").estimate
    assert plain.se == approx(math.sqrt(0.74))


def test_poststratification_errors() -> None:
    sample = Sample([1.0, 1.0, 1.0], {"sex": ["f", "m", None], "age": ["a", "b", "b"]})
    with pytest.raises(ValueError, match=r"1 submission\(s\) have no value for 'sex'"):
        poststratify(sample, "sex", {"f": 10, "m": 10})
    with pytest.raises(ValueError, match=r"without a population total: 'b' \(2\)"):
        poststratify(sample, "age", {"a": 10})
    with pytest.raises(ValueError, match="with a population total but no respondent: c"):
        poststratify(sample, "age", {"a": 10, "b": 5, "c": 3})
    with pytest.raises(ValueError, match="must be positive"):
        poststratify(sample, "age", {"a": 10, "b": -5})
    once = poststratify(sample, "age", {"a": 10, "b": 5})
    with pytest.raises(ValueError, match="already post-stratified by 'age'"):
        poststratify(once, "age", {"a": 10, "b": 5})


# --- the linearised variance against its definition, computed row by row -----------------


def _random_sample(n: int, *, seed: int, strata: int, post: bool) -> Sample:
    rng = random.Random(seed)
    hs = [f"h{rng.randrange(strata)}" for _ in range(n)]
    columns: dict[str, list[object]] = {
        "region": [
            rng.choice(["nord", "sud", "est", None]) if rng.random() < 0.9 else None
            for _ in range(n)
        ],
        "q5": [rng.choice("abcde") if rng.random() < 0.95 else None for _ in range(n)],
        "age": [rng.choice(["15-24", "25-44", "45+"]) for _ in range(n)],
        "y": [round(rng.gauss(50, 15), 1) if rng.random() < 0.9 else None for _ in range(n)],
    }
    columns["is_a"] = [None if c is None else float(c == "a") for c in columns["q5"]]
    weights = [rng.uniform(1, 40) for _ in range(n)]
    counts = {h: hs.count(h) for h in set(hs)}
    population = {h: counts[h] * rng.uniform(5, 60) for h in counts}
    sample = Sample(weights, columns, strata=hs, population=population)  # type: ignore[arg-type]
    if post:
        sample = poststratify(sample, "age", {"15-24": 9000, "25-44": 12_000, "45+": 7000})
    return sample


def _by_definition(sample: Sample, x: list[float], y: list[float], *, ratio: bool) -> float:
    # The variance of Woodruff's linearised variable, one submission at a time:
    # R = Σ w y / Σ w x (0 for a total); e_i = y_i − R x_i; ē_g = Σ_g w e / Σ_g w;
    # u_i = w_i (e_i − ē_g); v = Σ_h (1 − n_h/N_h) n_h/(n_h − 1) Σ_{i∈h} (u_i − ū_h)²;
    # V = v / X² for a ratio.
    w = sample.weights
    X = sum(wi * xi for wi, xi in zip(w, x, strict=True))
    R = sum(wi * yi for wi, yi in zip(w, y, strict=True)) / X if ratio else 0.0
    e = [yi - R * xi for xi, yi in zip(x, y, strict=True)]
    # Without post-strata there is no ē (for a ratio it would be 0 anyway; a total is
    # not centred).
    groups = sample.column(sample.poststratified_by) if sample.poststratified_by else [0] * len(w)
    e_bar = {0: 0.0}
    if sample.poststratified_by:
        for g in set(groups):
            members = [i for i, gi in enumerate(groups) if gi == g]
            e_bar[g] = sum(w[i] * e[i] for i in members) / sum(w[i] for i in members)
    u = [w[i] * (e[i] - e_bar[groups[i]]) for i in range(len(w))]
    strata = [sample.strata[0]] * len(w) if len(sample.strata) == 1 else None
    hs = strata or _strata_of(sample)
    population = sample._population or {}
    v = 0.0
    for h in set(hs):
        us = [u[i] for i in range(len(w)) if hs[i] == h]
        n_h = len(us)
        u_bar = sum(us) / n_h
        f = n_h / population[h] if h in population else 0.0
        v += (1 - f) * n_h / (n_h - 1) * sum((ui - u_bar) ** 2 for ui in us)
    return v / X**2 if ratio else v


def _strata_of(sample: Sample) -> list[object]:
    return [sample.strata[code] for code in sample._codes]


@pytest.mark.parametrize("post", [False, True], ids=["design-weights", "post-stratified"])
def test_crosstab_variance_matches_the_definition_row_by_row(post: bool) -> None:
    sample = _random_sample(400, seed=3, strata=4, post=post)
    table = crosstab(sample, "region", "q5")
    rows, cols = sample.column("region"), sample.column("q5")
    for (r, c), cell in table.cells.items():
        x = [float(ri == r and ci is not None) for ri, ci in zip(rows, cols, strict=True)]
        y = [float(ri == r and ci == c) for ri, ci in zip(rows, cols, strict=True)]
        assert cell.row.se == approx(math.sqrt(_by_definition(sample, x, y, ratio=True)), rel=1e-9)
        xc = [float(ci == c and ri is not None) for ri, ci in zip(rows, cols, strict=True)]
        assert cell.column.se == approx(
            math.sqrt(_by_definition(sample, xc, y, ratio=True)), rel=1e-9
        )


@pytest.mark.parametrize("post", [False, True], ids=["design-weights", "post-stratified"])
def test_mean_and_total_variance_match_the_definition(post: bool) -> None:
    sample = _random_sample(300, seed=8, strata=3, post=post)
    ys = sample.column("y")
    x = [float(v is not None) for v in ys]
    y = [0.0 if v is None else float(v) for v in ys]  # type: ignore[arg-type]
    assert mean(sample, "y").estimate.se == approx(
        math.sqrt(_by_definition(sample, x, y, ratio=True))
    )
    assert total(sample, "y").estimate.se == approx(
        math.sqrt(_by_definition(sample, x, y, ratio=False))
    )
    # Within a domain: x and y are 0 outside it.
    dom = sample.column("q5")
    xd = [xi * (d == "b") for xi, d in zip(x, dom, strict=True)]
    yd = [yi * (d == "b") for yi, d in zip(y, dom, strict=True)]
    assert mean(sample, "y", domain=("q5", "b")).estimate.se == approx(
        math.sqrt(_by_definition(sample, xd, yd, ratio=True))
    )


@pytest.mark.parametrize("post", [False, True], ids=["design-weights", "post-stratified"])
def test_a_proportion_is_the_mean_of_its_indicator(post: bool) -> None:
    # Two code paths: the sums of the cross-tab and the two passes of the numeric mean.
    sample = _random_sample(500, seed=4, strata=5, post=post)
    share = proportions(sample, "q5").categories["a"]
    as_mean = mean(sample, "is_a").estimate
    assert share.estimate == approx(as_mean.estimate)
    assert share.se == approx(as_mean.se)


def test_observations_and_columns_give_the_same_sample() -> None:
    observations = [
        Observation("A", 2.0, {"q": "x", "y": 1.0}),
        Observation("A", 3.0, {"q": "y"}),
        Observation(("B", "rural"), 4.0, {"q": "x", "y": "5"}),
        Observation(("B", "rural"), 1.0, {"y": 2}),
    ]
    population = {"A": 50.0, ("B", "rural"): 20.0}
    rows = Sample.from_observations(observations, population=population)
    columns = Sample(
        [2.0, 3.0, 4.0, 1.0],
        {"q": ["x", "y", "x", None], "y": [1.0, None, "5", 2]},
        strata=["A", "A", ("B", "rural"), ("B", "rural")],
        population=population,
    )
    assert rows.stratum_sizes == {"A": 2, ("B", "rural"): 2}
    assert proportions(rows, "q") == proportions(columns, "q")
    assert mean(rows, "y") == mean(columns, "y")


# --- the DuckDB cross-check --------------------------------------------------------------


def test_crosstab_matches_duckdb_on_2000_random_rows() -> None:
    import duckdb

    rng = random.Random(2026)
    n = 2000
    rows = []
    for _ in range(n):
        rows.append(
            (
                f"s{rng.randrange(6)}",
                rng.uniform(0.5, 80.0),
                rng.choice(["r1", "r2", "r3"]) if rng.random() < 0.95 else None,
                rng.choice(["a", "b", "c", "d"]) if rng.random() < 0.97 else None,
            )
        )
    strata_n = {h: sum(1 for r in rows if r[0] == h) for h in {r[0] for r in rows}}
    population = {h: k * 30.0 for h, k in strata_n.items()}
    sample = Sample(
        [r[1] for r in rows],
        {"row": [r[2] for r in rows], "col": [r[3] for r in rows]},
        strata=[r[0] for r in rows],
        population=population,
    )
    ours = crosstab(sample, "row", "col")

    con = duckdb.connect()
    con.execute("CREATE TABLE t (h VARCHAR, w DOUBLE, r VARCHAR, c VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", rows)
    con.execute("CREATE TABLE pop (h VARCHAR, big_n DOUBLE)")
    con.executemany("INSERT INTO pop VALUES (?, ?)", list(population.items()))
    counts = con.execute(
        """
        SELECT r, c, SUM(w) AS wc, SUM(w) / SUM(SUM(w)) OVER (PARTITION BY r) AS share
        FROM t WHERE r IS NOT NULL AND c IS NOT NULL GROUP BY r, c
        """
    ).fetchall()
    assert len(counts) == 12
    for r, c, wc, share in counts:
        cell = ours.cells[(r, c)]
        assert abs(cell.weighted_count - wc) <= 1e-9
        assert abs(cell.row.estimate - share) <= 1e-9
    # The standard error of the row share, by the definition in SQL: the linearised
    # variable of every submission for every cell (0 outside the row), then
    # Σ_h (1 − n_h/N_h) n_h var_samp_h(u).
    ses = con.execute(
        """
        WITH cell AS (
            SELECT r, c, SUM(w) / SUM(SUM(w)) OVER (PARTITION BY r) AS p,
                   SUM(SUM(w)) OVER (PARTITION BY r) AS x
            FROM t WHERE r IS NOT NULL AND c IS NOT NULL GROUP BY r, c
        ), lin AS (
            SELECT cell.r, cell.c, t.h,
                   CASE WHEN t.r = cell.r AND t.c IS NOT NULL
                        THEN t.w * ((t.c = cell.c)::DOUBLE - cell.p) ELSE 0 END AS u
            FROM t CROSS JOIN cell
        ), per_h AS (
            SELECT r, c, h, COUNT(*) AS n_h, VAR_SAMP(u) AS s2 FROM lin GROUP BY r, c, h
        )
        SELECT per_h.r, per_h.c,
               SQRT(SUM((1 - n_h / big_n) * n_h * s2)) / ANY_VALUE(cell.x) AS se
        FROM per_h JOIN pop USING (h) JOIN cell USING (r, c)
        GROUP BY per_h.r, per_h.c
        """
    ).fetchall()
    assert len(ses) == 12
    for r, c, se in ses:
        assert ours.cells[(r, c)].row.se == approx(se, rel=1e-9)


# --- intervals, critical values, flags ---------------------------------------------------


def test_wilson_interval_with_the_effective_sample_size() -> None:
    # SRS n = 10, weights 1, N unknown, p = 0.4: v = 0.24/9, so n* = p q / v = 9.
    # z² = 3.8414588; 1 + z²/9 = 1.4268288;
    # centre = (0.4 + z²/18) / 1.4268288 = 0.6134144 / 1.4268288 = 0.4299145;
    # half = z √(0.24/9 + z²/(4·81)) / 1.4268288 = 1.959964 · 0.1962727 / 1.4268288 = 0.2696103
    # → (0.1603043, 0.6995248).
    # At p = 0 ("peut-être", never chosen) v = 0 says nothing: n* = n = 10,
    # upper = z² / (n + z²) = 3.8414588 / 13.8414588 = 0.2775328.
    sample = Sample([1.0] * 10, {"q": ["oui"] * 4 + ["non"] * 6})
    result = proportions(sample, "q", interval="wilson", categories=["oui", "non", "peut-être"])
    oui = result.categories["oui"]
    assert (oui.lower, oui.upper) == (approx(0.16030425054766784), approx(0.699524759136241))
    never = result.categories["peut-être"]
    assert never.estimate == 0.0 and never.lower == 0.0
    assert never.upper == approx(0.2775327998628892)
    # Wald at p = 0 collapses to a point, clipped to [0, 1].
    wald = proportions(sample, "q", categories=["peut-être"]).categories["peut-être"]
    assert (wald.lower, wald.upper) == (0.0, 0.0)


def test_wald_interval_is_clipped_to_zero_one() -> None:
    # p = 1/10: se = √(0.09/9) = 0.1, lower = 0.1 − 0.196 < 0 → 0.
    sample = Sample([1.0] * 10, {"q": ["oui"] + ["non"] * 9})
    oui = proportions(sample, "q").categories["oui"]
    assert oui.se == approx(0.1)
    assert oui.lower == 0.0 and oui.upper == approx(0.1 + Z * 0.1)


def test_t_quantiles_against_the_tables() -> None:
    # Two-sided 95 % points of Student's t (any statistical table).
    for df, expected in [
        (1, 12.7062),
        (2, 4.3027),
        (5, 2.5706),
        (10, 2.2281),
        (30, 2.0423),
        (120, 1.9799),
    ]:
        assert t_quantile(0.95, df) == pytest.approx(expected, abs=1e-4)
    assert t_quantile(0.99, 10) == pytest.approx(3.1693, abs=1e-4)
    # The series and the large-df expansion agree where they meet.
    assert t_quantile(0.95, 5001) == pytest.approx(t_quantile(0.95, 5000), abs=1e-6)
    assert critical_value(0.95, "z", 10) == approx(Z)
    assert critical_value(0.90, "z", 10) == pytest.approx(1.644854, abs=1e-6)


def test_t_critical_uses_the_design_degrees_of_freedom() -> None:
    # 11 submissions, 3 strata → df = 8; t(0.975, 8) = 2.3060.
    est = mean(_three_strata(), "y", critical="t").estimate
    assert (est.upper - est.estimate) / est.se == pytest.approx(2.3060, abs=1e-4)


def test_small_sample_flags() -> None:
    def share(n_yes: int, n: int) -> bool:
        sample = Sample([1.0] * n, {"q": ["y"] * n_yes + ["n"] * (n - n_yes)})
        return proportions(sample, "q").categories["y"].small_sample

    assert MIN_RESPONDENTS == 30 and MIN_CELL == 5
    assert share(10, 30) is False
    assert share(10, 29) is True  # fewer than 30 respondents
    assert share(4, 40) is True  # fewer than 5 in the category
    assert share(36, 40) is True  # fewer than 5 outside it
    assert share(5, 40) is False
    assert mean(Sample([1.0] * 30, {"y": list(range(30))}), "y").estimate.small_sample is False
    assert mean(Sample([1.0] * 29, {"y": list(range(29))}), "y").estimate.small_sample is True


# --- bad inputs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weight", "message"),
    [(-1.0, "negative"), (0.0, "zero"), (float("nan"), "not finite"), (float("inf"), "not finite")],
)
def test_bad_weights_are_refused(weight: float, message: str) -> None:
    with pytest.raises(ValueError, match=f"weight of submission 1 is {message}"):
        Sample([1.0, weight], {"q": ["a", "b"]})


def test_bad_inputs_are_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="weight of submission 0 is not a number: 'lourd'"):
        Sample(["lourd"], {"q": ["a"]})  # type: ignore[list-item]
    with pytest.raises(ValueError, match="'q' has 1 values for 2 weights"):
        Sample([1.0, 1.0], {"q": ["a"]})
    with pytest.raises(ValueError, match="1 strata for 2 weights"):
        Sample([1.0, 1.0], {"q": ["a", "b"]}, strata=["A"])
    with pytest.raises(ValueError, match="population must map each stratum"):
        Sample([1.0], {"q": ["a"]}, strata=["A"], population=100)
    with pytest.raises(ValueError, match="population size of stratum 'A' must be positive"):
        Sample([1.0], {"q": ["a"]}, strata=["A"], population={"A": 0})
    sample = Sample([1.0, 1.0], {"q": ["a", "b"]}, strata=["A", "B"], population={"A": 10})
    with pytest.raises(ValueError, match="unknown variable 'nope'; the sample has: q"):
        proportions(sample, "nope")
    with pytest.raises(ValueError, match="stratum 'B' has no population size N_h"):
        proportions(sample, "q")
    assert proportions(sample, "q", fpc=False).fpc is False
    with pytest.raises(ValueError, match="n_h cannot exceed N_h"):
        proportions(Sample([1.0] * 3, {"q": ["a"] * 3}, population=2), "q")
    with pytest.raises(ValueError, match="confidence level must be between 0 and 1"):
        proportions(Sample([1.0], {"q": ["a"]}), "q", level=95)
    with pytest.raises(ValueError, match="interval must be 'wald' or 'wilson'"):
        proportions(Sample([1.0], {"q": ["a"]}), "q", interval="logit")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="critical must be 'z' or 't'"):
        mean(Sample([1.0], {"y": [1]}), "y", critical="normal")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"'q' has the value 3: an answer is the choice's name"):
        proportions(Sample([1.0, 1.0], {"q": ["a", 3]}), "q")
    with pytest.raises(ValueError, match="an answer is the chosen names separated by spaces"):
        proportions(Sample([1.0], {"m": [2.5]}), "m", multiple=True)
