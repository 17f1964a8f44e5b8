"""Sampling designs against worked examples.

Sources (full references in docs/surveys.md ("Sampling design")):
- Cochran, W. G. (1977) Sampling Techniques, 3rd ed., Wiley: §4.4 (sample size for a
  proportion and its finite population correction), ch. 5 (stratified sampling: proportional
  and optimum allocation, §5.5, and allocations asking for more than 100 % of a stratum),
  ch. 8 (systematic sampling).
- Neyman, J. (1934), JRSS 97(4): the optimum (Neyman) allocation.
- Lohr, S. L. (2022) Sampling: Design and Analysis, 3rd ed., CRC Press: ch. 2–3 (inclusion
  probabilities and sampling weights).
- Balinski, M. L. & Young, H. P. (2001) Fair Representation, 2nd ed.: Hamilton's
  (largest-remainder) apportionment.
The allocation and systematic examples are computed by hand in the comments.
"""

import random
from collections import Counter
from itertools import combinations

import pytest

from pilotage.surveys import sampling
from pilotage.surveys.sampling import (
    Unit,
    allocate,
    new_seed,
    sample_size,
    simple_random,
    strata,
    stratified,
    systematic,
    systematic_positions,
    z_for_confidence,
)


def keyed(*values):
    """Strata A, B, C… as one-attribute keys, the shape strata() produces."""
    return {(name,): value for name, value in zip("ABCDEFGH", values, strict=False)}


def frame(sizes, attribute="region"):
    """Units 1…N, the first sizes[0] in stratum A, the next in B, and so on."""
    units = []
    next_id = 1
    for name, size in zip("ABCDEFGH", sizes, strict=False):
        for _ in range(size):
            units.append(Unit(next_id, {attribute: name}))
            next_id += 1
    return units


# --- sample size ------------------------------------------------------------------------------


def test_n0_for_a_proportion_cochran_4_4():
    # Cochran (1977) §4.4: n0 = t²PQ/d². 1.96² × 0.5 × 0.5 / 0.05² = 3.8416 × 0.25 / 0.0025
    # = 384.16, kept unrounded so the page shows the textbook figure.
    size = sample_size(z=1.96, p=0.5, e=0.05)
    assert size.n0 == pytest.approx(384.16)
    # No population given: no correction, n = ⌈384.16⌉ = 385.
    assert size.n_fpc == 385
    assert size.n == 385


def test_finite_population_correction_cochran_4_4():
    # Cochran (1977) §4.4: n = n0 / (1 + (n0 − 1)/N). N = 1 000:
    # 384.16 / (1 + 383.16/1000) = 384.16 / 1.38316 = 277.74 → rounded up 278.
    size = sample_size(z=1.96, p=0.5, e=0.05, N=1000)
    assert size.n0 == pytest.approx(384.16)
    assert size.n_fpc_exact == pytest.approx(277.7408, abs=1e-4)
    assert size.n_fpc == 278
    assert size.n == 278
    assert (size.z, size.p, size.e, size.N) == (1.96, 0.5, 0.05, 1000)


def test_design_effect_then_non_response():
    # 278 × deff 1.5 = 417; 417 / response rate 0.8 = 521.25 → 522 to send out.
    size = sample_size(N=1000, deff=1.5, response_rate=0.8)
    assert size.n_fpc == 278
    assert size.n_deff == 417
    assert size.n == 522


def test_whole_numbers_are_not_rounded_up_by_float_noise():
    # 2² × 0.25 / 0.1² = 100 (float: 99.999…); × 1.1 = 110 exactly, which floats give as
    # 110.00000000000001: a plain ceil would ask for 111.
    size = sample_size(z=2, p=0.5, e=0.1, deff=1.1)
    assert size.n_fpc == 100
    assert size.n_deff == 110
    assert size.n == 110


def test_small_population_shrinks_the_sample():
    # N = 100: 384.16 / (1 + 383.16/100) = 384.16 / 4.8316 = 79.51 → 80.
    assert sample_size(N=100).n == 80


def test_z_for_usual_confidence_levels():
    # Standard normal table: two-sided 90 % 1.645, 95 % 1.960, 99 % 2.576.
    assert z_for_confidence(0.90) == pytest.approx(1.645, abs=5e-4)
    assert z_for_confidence(0.95) == pytest.approx(1.960, abs=5e-4)
    assert z_for_confidence(0.99) == pytest.approx(2.576, abs=5e-4)


@pytest.mark.parametrize("level", [0, 1, 1.5, -0.95, True])
def test_z_rejects_levels_outside_0_1(level):
    with pytest.raises(ValueError, match=r"level must be between 0 and 1"):
        z_for_confidence(level)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"e": 1.5}, "e must be between 0 and 1, got 1.5"),
        ({"e": 0}, "e must be between 0 and 1, got 0"),
        ({"p": 0}, "p must be between 0 and 1 (exclusive), got 0"),
        ({"p": 1.0}, "p must be between 0 and 1 (exclusive), got 1.0"),
        ({"z": 0}, "z must be a positive number (1.96 for 95 %), got 0"),
        ({"z": float("nan")}, "z must be a positive number (1.96 for 95 %), got nan"),
        ({"N": 0}, "N must be a whole number of units, at least 1, got 0"),
        ({"N": 10.5}, "N must be a whole number of units, at least 1, got 10.5"),
        ({"response_rate": 0}, "response_rate must be greater than 0 and at most 1, got 0"),
        ({"response_rate": 1.2}, "response_rate must be greater than 0 and at most 1, got 1.2"),
        ({"deff": 0}, "deff must be a positive number, got 0"),
        (
            # 80 for N = 100, then / 0.5 = 160 > 100.
            {"N": 100, "response_rate": 0.5},
            "N=100 is smaller than the sample size n=160 (after deff=1.0 and response_rate=0.5)",
        ),
    ],
)
def test_sample_size_rejects_bad_inputs_naming_them(arguments, message):
    with pytest.raises(ValueError) as error:
        sample_size(**arguments)
    assert message in str(error.value)


# --- strata -----------------------------------------------------------------------------------


def test_strata_by_two_attributes_sorted_keys_frame_order_inside():
    units = [
        Unit(5, {"region": "Souss", "field": "santé"}),
        Unit(2, {"region": "Oriental", "field": "éducation"}),
        Unit(9, {"region": "Souss", "field": "santé"}),
        Unit(1, {"region": "Souss", "field": "éducation"}),
    ]
    groups = strata(units, ("region", "field"))
    assert list(groups) == [
        ("Oriental", "éducation"),
        ("Souss", "santé"),
        ("Souss", "éducation"),
    ]
    assert [u.id for u in groups[("Souss", "santé")]] == [5, 9]


def test_strata_keys_do_not_depend_on_frame_order():
    units = frame((3, 2, 4))
    shuffled = units[::-1]
    assert list(strata(units, ("region",))) == list(strata(shuffled, ("region",)))


def test_strata_without_attributes_is_one_stratum():
    units = frame((2, 1))
    assert list(strata(units, ())) == [()]
    assert len(strata(units, ())[()]) == 3


def test_strata_names_the_unit_missing_an_attribute():
    units = [Unit(1, {"region": "A"}), Unit("E-7", {"field": "santé"})]
    with pytest.raises(ValueError, match=r"unit 'E-7' has no attribute 'region'"):
        strata(units, ("region",))


def test_strata_rejects_a_bare_string_for_by():
    with pytest.raises(ValueError, match=r"by must be a sequence of attribute names"):
        strata(frame((1,)), "region")


def test_unit_attributes_are_read_only_copies():
    source = {"region": "A"}
    unit = Unit(1, source)
    source["region"] = "B"
    assert unit.attributes["region"] == "A"
    with pytest.raises(TypeError):
        unit.attributes["region"] = "C"  # type: ignore[index]


def test_unit_rejects_non_string_attribute_values():
    with pytest.raises(ValueError, match=r"attributes must map str to str"):
        Unit(1, {"size": 12})  # type: ignore[dict-item]


# --- allocation -------------------------------------------------------------------------------


def test_proportional_allocation_cochran_ch5():
    # n_h = n·N_h/N: 100 × 500/1000 = 50, 100 × 300/1000 = 30, 100 × 200/1000 = 20.
    allocation = allocate(keyed(500, 300, 200), 100, "proportional")
    assert dict(allocation.quotas) == keyed(50, 30, 20)


def test_neyman_allocation_cochran_5_5():
    # n_h = n·N_h·S_h / Σ N_h·S_h, S = 10 / 20 / 5: N_h·S_h = 5000 / 6000 / 1000, Σ = 12000;
    # shares 100 × 5/12 = 41.67, 100 × 6/12 = 50, 100 × 1/12 = 8.33.
    # Largest remainder: floors 41 + 50 + 8 = 99, the missing unit to A (.67 > .33) → 42/50/8.
    allocation = allocate(keyed(500, 300, 200), 100, "neyman", sd=keyed(10, 20, 5))
    assert allocation.shares[("A",)] == pytest.approx(41.667, abs=1e-3)
    assert allocation.shares[("B",)] == pytest.approx(50)
    assert allocation.shares[("C",)] == pytest.approx(8.333, abs=1e-3)
    assert dict(allocation.quotas) == keyed(42, 50, 8)
    assert dict(allocation.sd or {}) == keyed(10.0, 20.0, 5.0)


def test_equal_allocation_ties_go_to_the_larger_stratum():
    # 100 / 3 = 33.33 each: floors 99, one unit left, remainders tie → the largest stratum, A.
    allocation = allocate(keyed(500, 300, 200), 100, "equal")
    assert dict(allocation.quotas) == keyed(34, 33, 33)


def test_largest_remainder_sums_to_n():
    # 10 × 333/1000 = 3.33, 3.33, 10 × 334/1000 = 3.34: floors 9, the unit to C (.34).
    assert dict(allocate(keyed(333, 333, 334), 10, "proportional").quotas) == keyed(3, 3, 4)
    # 10 × 15/100 = 1.5, 2.5, 6: floors 9, A and B tie at .5 → the larger, B: 1/3/6.
    assert dict(allocate(keyed(15, 25, 60), 10, "proportional").quotas) == keyed(1, 3, 6)


def test_rounding_always_sums_to_n_and_stays_within_one_unit():
    generator = random.Random(11)
    for _ in range(200):
        sizes = keyed(*(generator.randint(1, 400) for _ in range(generator.randint(1, 7))))
        n = generator.randint(len(sizes), sum(sizes.values()))
        for method in ("proportional", "equal"):
            allocation = allocate(sizes, n, method)
            assert sum(allocation.quotas.values()) == n
            for key, quota in allocation.quotas.items():
                assert abs(quota - allocation.shares[key]) < 1
                assert 1 <= quota <= sizes[key]


def test_allocation_does_not_depend_on_dict_order():
    forward = keyed(15, 25, 60)
    backward = dict(reversed(list(forward.items())))
    assert list(backward) != list(forward)
    assert dict(allocate(backward, 10, "proportional").quotas) == dict(
        allocate(forward, 10, "proportional").quotas
    )


def test_neyman_caps_a_stratum_smaller_than_its_share_cochran_ch5():
    # N_h·S_h = 500×1, 300×1, 10×100 = 500 / 300 / 1000, n = 90: shares 25 / 15 / 50, but C
    # has 10 units. C is taken whole (10); the other 80 go 500:300 → 50 / 30.
    allocation = allocate(keyed(500, 300, 10), 90, "neyman", sd=keyed(1, 1, 100))
    assert dict(allocation.quotas) == keyed(50, 30, 10)


def test_equal_allocation_capped_redistributes_the_excess():
    # 60 / 3 = 20 each, C has 5: C = 5, the 55 left split equally 27.5 / 27.5, the tie goes
    # (same size) to the first key, A → 28 / 27 / 5.
    assert dict(allocate(keyed(100, 100, 5), 60, "equal").quotas) == keyed(28, 27, 5)


def test_minimum_per_stratum():
    # 50 × 980/1000 = 49, 50 × 15/1000 = 0.75, 50 × 5/1000 = 0.25.
    sizes = keyed(980, 15, 5)
    # minimum 0: floors 49/0/0, the unit to B (.75) → 49/1/0.
    assert dict(allocate(sizes, 50, "proportional", minimum=0).quotas) == keyed(49, 1, 0)
    # minimum 1: B and C lifted to 1, A keeps 48 (B's share 15 × 48/980 = 0.73 < 1).
    assert dict(allocate(sizes, 50, "proportional").quotas) == keyed(48, 1, 1)
    # minimum 2 (a variance per stratum): 46/2/2.
    assert dict(allocate(sizes, 50, "proportional", minimum=2).quotas) == keyed(46, 2, 2)


def test_a_stratum_smaller_than_the_minimum_is_taken_whole():
    # B has one unit: it gives it, A gets the other 9.
    assert dict(allocate(keyed(100, 1), 10, "proportional", minimum=2).quotas) == keyed(9, 1)
    # And it counts for 1, not 2, in the feasibility check: n = 3 gives A its 2 and B its 1.
    assert dict(allocate(keyed(100, 1), 3, "proportional", minimum=2).quotas) == keyed(2, 1)


def test_neyman_with_zero_spread_gets_the_minimum_then_the_rest():
    # S_B = 0: B gets the minimum 1, A the other 49.
    assert dict(allocate(keyed(100, 100), 50, "neyman", sd=keyed(5, 0)).quotas) == keyed(49, 1)
    # n = 150: A is full at 100, the 50 left go to B.
    assert dict(allocate(keyed(100, 100), 150, "neyman", sd=keyed(5, 0)).quotas) == keyed(100, 50)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"n": 2}, "n=2 is too small to give minimum=1 to each of the 3 strata (needs 3)"),
        (
            {"n": 5, "minimum": 2},
            "n=5 is too small to give minimum=2 to each of the 3 strata (needs 6)",
        ),
        ({"n": 1001}, "n=1001 is larger than the population N=1000"),
        ({"n": 0}, "n must be a whole number, at least 1, got 0"),
        (
            {"n": 10, "method": "optimal"},
            "method must be one of proportional, equal, neyman, got 'optimal'",
        ),
        ({"n": 10, "minimum": -1}, "minimum must be a whole number ≥ 0, got -1"),
        ({"n": 10, "method": "neyman"}, "neyman allocation needs sd"),
        ({"n": 10, "method": "neyman", "sd": keyed(1, 2)}, "sd has no value for stratum ('C',)"),
        ({"n": 10, "method": "neyman", "sd": keyed(1, 2, 3, 4)}, "sd names stratum ('D',)"),
        (
            {"n": 10, "method": "neyman", "sd": keyed(1, -2, 3)},
            "sd of stratum ('B',) must be a number ≥ 0, got -2",
        ),
        ({"n": 10, "method": "neyman", "sd": keyed(0, 0, 0)}, "sd is 0 in every stratum"),
    ],
)
def test_allocate_rejects_bad_inputs_naming_them(arguments, message):
    arguments = {"method": "proportional", **arguments}
    with pytest.raises(ValueError) as error:
        allocate(keyed(500, 300, 200), **arguments)
    assert message in str(error.value)


def test_allocate_rejects_empty_strata():
    with pytest.raises(ValueError, match=r"strata_sizes is empty"):
        allocate({}, 1, "equal")
    with pytest.raises(ValueError, match=r"stratum \('B',\) must have N_h ≥ 1 units, got 0"):
        allocate(keyed(5, 0), 1, "equal")


# --- systematic positions ---------------------------------------------------------------------


def test_systematic_positions_with_a_fractional_interval():
    # N = 10, n = 3: k = 10/3 = 3.33. Start s = 5 stands for r = 5/3 = 1.67:
    # ⌈1.67⌉ = 2, ⌈1.67 + 3.33⌉ = ⌈5⌉ = 5, ⌈1.67 + 6.67⌉ = ⌈8.33⌉ = 9.
    assert systematic_positions(10, 3, 5) == [2, 5, 9]
    # s = 1 → r = 0.33: 1, 4, 7; s = 10 → r = k = 3.33: 4, 7, 10.
    assert systematic_positions(10, 3, 1) == [1, 4, 7]
    assert systematic_positions(10, 3, 10) == [4, 7, 10]


def test_systematic_gives_every_unit_probability_n_over_N():
    # Over the N equally likely starts each position is taken exactly n times: π = 3/10.
    counts = Counter(p for s in range(1, 11) for p in systematic_positions(10, 3, s))
    assert counts == dict.fromkeys(range(1, 11), 3)
    for N, n in ((7, 3), (12, 4), (13, 13), (9, 1)):
        samples = [systematic_positions(N, n, s) for s in range(1, N + 1)]
        assert all(len(set(sample)) == n for sample in samples)
        assert Counter(p for sample in samples for p in sample) == dict.fromkeys(range(1, N + 1), n)


def test_systematic_positions_with_a_whole_interval_is_every_kth():
    # N = 12, n = 3, k = 4: starts 1–3 give r ≤ 1 → 1, 5, 9; start 12 gives r = 4 → 4, 8, 12.
    assert systematic_positions(12, 3, 3) == [1, 5, 9]
    assert systematic_positions(12, 3, 12) == [4, 8, 12]


def test_systematic_positions_rejects_a_start_outside_1_N():
    with pytest.raises(ValueError, match=r"start must be a whole number from 1 to N=10, got 0"):
        systematic_positions(10, 3, 0)
    with pytest.raises(ValueError, match=r"n=11 is larger than the frame size N=10"):
        systematic_positions(10, 11, 1)


# --- draws ------------------------------------------------------------------------------------


def test_simple_random_same_seed_same_sample_other_seed_other_sample():
    units = [Unit(f"S{i:03}") for i in range(100)]
    first = simple_random(units, 10, seed=42)
    assert simple_random(units, 10, seed=42).ids == first.ids
    assert set(simple_random(units, 10, seed=43).ids) != set(first.ids)
    assert len(set(first.ids)) == 10


def test_simple_random_does_not_depend_on_frame_order():
    units = [Unit(i, {"region": "A"}) for i in range(1, 51)]
    shuffled = units[:]
    random.Random(3).shuffle(shuffled)
    assert simple_random(shuffled, 7, seed=9).ids == simple_random(units, 7, seed=9).ids


def test_simple_random_is_the_documented_random_sort():
    # docs/surveys.md ("Sampling design"): one Random(seed).random() per unit in id order, keep the n
    # smallest, in increasing order. An auditor can replay it without this module.
    units = [Unit(i) for i in range(1, 21)]
    generator = random.Random(20240917)
    numbers = [(generator.random(), unit_id) for unit_id in range(1, 21)]
    expected = tuple(unit_id for _, unit_id in sorted(numbers)[:5])
    assert simple_random(units, 5, seed=20240917).ids == expected
    # Pinned so that any change of algorithm (or of Python's generator) is noticed.
    assert expected == (1, 19, 4, 5, 17)


def test_simple_random_is_uniform_over_subsets():
    # N = 4, n = 2: 6 subsets, each 1/6; 6000 seeded draws give each 1000 ± 4 s.d. (s.d. 29).
    units = [Unit(i) for i in range(1, 5)]
    counts = Counter(frozenset(simple_random(units, 2, seed).ids) for seed in range(6000))
    assert set(counts) == {frozenset(pair) for pair in combinations(range(1, 5), 2)}
    assert all(abs(count - 1000) < 120 for count in counts.values())


def test_simple_random_probabilities_and_weights():
    units = [Unit(i) for i in range(1, 41)]
    draw = simple_random(units, 8, seed=5)
    assert draw.method == "simple"
    assert (draw.n, draw.N, draw.seed) == (8, 40, 5)
    assert all(s.probability == pytest.approx(0.2) for s in draw.units)
    assert all(s.weight == pytest.approx(5) for s in draw.units)
    assert sum(s.weight for s in draw.units) == pytest.approx(40)
    assert [s.order for s in draw.units] == list(range(1, 9))


def test_systematic_draw_follows_the_frame_order_from_the_recorded_start():
    units = [Unit(i) for i in range(1, 11)]
    draw = systematic(units, 3, seed=1234)
    start = draw.strata[0].start
    assert start is not None
    assert draw.ids == tuple(units[p - 1].id for p in systematic_positions(10, 3, start))
    assert systematic(units, 3, seed=1234).ids == draw.ids
    # Seed 1234 gives start s = 10 (r = 10/3): positions 4, 7, 10 (pinned: the start is
    # 1 + ⌊u·N⌋ with u the seed's first random()). The same frame reversed is another design:
    # the same positions now hold units 7, 4, 1.
    assert start == 10
    assert draw.ids == (4, 7, 10)
    assert systematic(units[::-1], 3, seed=1234).ids == (7, 4, 1)
    assert all(s.probability == pytest.approx(0.3) for s in draw.units)


def test_systematic_order_by_makes_frame_order_irrelevant():
    units = [Unit(i, {"commune": f"C{i % 4}"}) for i in range(1, 31)]
    draw = systematic(units, 6, seed=77, order_by=("commune",))
    assert systematic(units[::-1], 6, seed=77, order_by=("commune",)).ids == draw.ids
    assert draw.order_by == ("commune",)
    # Sorted by commune then id, every 5th unit: the sample spreads over the four communes.
    assert {u.attributes["commune"] for u in units if u.id in draw.ids} == {"C0", "C1", "C2", "C3"}


def test_stratified_weights_sum_to_N_h_and_to_N():
    units = frame((500, 300, 200))
    draw = stratified(units, ("region",), 100, "neyman", seed=8, sd=keyed(10, 20, 5))
    assert [(s.key, s.population, s.sample) for s in draw.strata] == [
        (("A",), 500, 42),
        (("B",), 300, 50),
        (("C",), 200, 8),
    ]
    for stratum in draw.strata:
        chosen = [s for s in draw.units if s.stratum == stratum.key]
        assert len(chosen) == stratum.sample
        assert sum(s.weight for s in chosen) == pytest.approx(stratum.population)
        assert all(
            s.probability == pytest.approx(stratum.sample / stratum.population) for s in chosen
        )
    assert sum(s.weight for s in draw.units) == pytest.approx(1000)
    by_id = {u.id: u for u in units}
    assert all(by_id[s.unit_id].attributes["region"] == s.stratum[0] for s in draw.units)


def test_stratified_is_reproducible_and_independent_of_frame_and_attribute_order():
    units = frame((30, 20, 10))
    other = [
        Unit(u.id, dict(reversed(list({**u.attributes, "x": "1"}.items())))) for u in units[::-1]
    ]
    draw = stratified(units, ("region",), 12, "proportional", seed=2024)
    assert stratified(other, ("region",), 12, "proportional", seed=2024).ids == draw.ids
    assert stratified(units, ("region",), 12, "proportional", seed=2025).ids != draw.ids


def test_stratified_systematic_records_a_start_per_stratum():
    units = frame((10, 6))
    draw = stratified(units, ("region",), 5, "proportional", seed=3, within="systematic")
    assert draw.within == "systematic"
    # 5 × 10/16 = 3.125, 5 × 6/16 = 1.875: floors 3 + 1, the unit to B (.875) → 3 / 2.
    a, b = draw.strata
    assert (a.sample, b.sample) == (3, 2)
    assert a.start is not None and b.start is not None
    chosen_a = [s.unit_id for s in draw.units if s.stratum == ("A",)]
    chosen_b = [s.unit_id for s in draw.units if s.stratum == ("B",)]
    assert chosen_a == [units[p - 1].id for p in systematic_positions(10, 3, a.start)]
    assert chosen_b == [units[10 + p - 1].id for p in systematic_positions(6, 2, b.start)]


def test_stratum_given_no_units_is_recorded_with_n_h_0():
    units = frame((980, 15, 5))
    draw = stratified(units, ("region",), 50, "proportional", seed=1, minimum=0)
    assert [s.sample for s in draw.strata] == [49, 1, 0]
    assert not [s for s in draw.units if s.stratum == ("C",)]


def test_to_rows_for_an_export():
    units = [
        Unit(1, {"region": "Oriental", "field": "santé"}),
        Unit(2, {"region": "Oriental", "field": "santé"}),
        Unit(3, {"region": "Souss", "field": "santé"}),
        Unit(4, {"region": "Souss", "field": "santé"}),
    ]
    draw = stratified(units, ("region", "field"), 2, "equal", seed=6)
    rows = draw.to_rows()
    assert [list(row) for row in rows] == [
        ["order", "unit_id", "region", "field", "N_h", "n_h", "probability", "weight"]
    ] * 2
    assert [row["order"] for row in rows] == [1, 2]
    assert [(row["region"], row["N_h"], row["n_h"]) for row in rows] == [
        ("Oriental", 2, 1),
        ("Souss", 2, 1),
    ]
    assert all(row["probability"] == 0.5 and row["weight"] == 2.0 for row in rows)
    assert draw.design() == {
        "method": "stratified",
        "within": "simple",
        "by": "region, field",
        "allocation": "equal",
        "minimum": 1,
        "order_by": None,
        "seed": 6,
        "n": 2,
        "N": 4,
    }


def test_unstratified_rows_have_no_stratum_columns():
    rows = simple_random([Unit("a"), Unit("b")], 1, seed=0).to_rows()
    assert list(rows[0]) == ["order", "unit_id", "N_h", "n_h", "probability", "weight"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda u: simple_random(u, 11, seed=1), "n=11 is larger than the frame size N=10"),
        (lambda u: simple_random(u, 0, seed=1), "n must be a whole number, at least 1, got 0"),
        (lambda u: simple_random(u, 2, seed=-1), "seed must be a whole number ≥ 0"),
        (lambda u: systematic(u, 2, seed=True), "seed must be a whole number ≥ 0"),
        (lambda u: simple_random(u + [Unit(3)], 2, seed=1), "unit id 3 appears more than once"),
        (lambda u: systematic(u, 2, seed=1, order_by=("size",)), "unit 1 has no attribute 'size'"),
        (
            lambda u: stratified(u, ("region",), 2, "proportional", 1, within="cluster"),
            "within must be one of simple, systematic, got 'cluster'",
        ),
        (
            lambda u: stratified(u, ("region",), 2, "proportional", 1, order_by=("region",)),
            "order_by only applies to within='systematic'",
        ),
        (lambda u: stratified(u, ("sector",), 2, "equal", 1), "unit 1 has no attribute 'sector'"),
        (
            lambda u: stratified(u, ("region",), 1, "equal", 1),
            "n=1 is too small to give minimum=1 to each of the 2 strata (needs 2)",
        ),
    ],
)
def test_draws_reject_bad_inputs_naming_them(call, message):
    with pytest.raises(ValueError) as error:
        call(frame((6, 4)))
    assert message in str(error.value)


def test_new_seed_comes_from_secrets(monkeypatch):
    calls = []

    def fake_randbelow(limit):
        calls.append(limit)
        return 123456789

    monkeypatch.setattr(sampling.secrets, "randbelow", fake_randbelow)
    assert new_seed() == 123456789
    assert calls == [sampling.SEED_LIMIT]


def test_new_seed_is_a_valid_seed():
    seed = new_seed()
    assert isinstance(seed, int)
    assert 0 <= seed < sampling.SEED_LIMIT
    simple_random([Unit(1), Unit(2)], 1, seed)
