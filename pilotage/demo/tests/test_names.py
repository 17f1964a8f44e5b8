import random

from pilotage.demo.names import (
    FAMILY_NAMES,
    FEMALE_FIRST_NAMES,
    MALE_FIRST_NAMES,
    SCHOOL_NAMESAKES,
    draw_sex,
    person_name,
    rural_commune_names,
)


def test_name_lists_have_both_scripts_and_no_duplicates():
    for names, at_least in (
        (MALE_FIRST_NAMES, 60),
        (FEMALE_FIRST_NAMES, 60),
        (FAMILY_NAMES, 100),
        (SCHOOL_NAMESAKES, 80),
    ):
        assert len(names) >= at_least
        latin = [fr for fr, _ar in names]
        assert len(set(latin)) == len(latin)
        for fr, ar in names:
            assert fr.strip() == fr and fr
            assert any("\u0600" <= ch <= "\u06ff" for ch in ar), (fr, ar)
    communes = rural_commune_names()
    assert len({fr for fr, _ar in communes}) == len(communes) >= 150


def test_person_name_is_reproducible_and_follows_the_sex():
    first = [person_name(random.Random(7), "F") for _ in range(3)]
    assert first[0] == first[1] == first[2]
    rng = random.Random(1)
    girls = {person_name(rng, "F").first_name for _ in range(500)}
    boys = {person_name(rng, "M").first_name for _ in range(500)}
    assert girls <= {fr for fr, _ar in FEMALE_FIRST_NAMES}
    assert boys <= {fr for fr, _ar in MALE_FIRST_NAMES}
    # Weighted by rank: the most common name comes up far more often than the rarest.
    draws = [person_name(rng, "M").first_name for _ in range(5000)]
    assert draws.count("Mohammed") > 5 * draws.count(MALE_FIRST_NAMES[-1][0])


def test_about_51_percent_boys():
    rng = random.Random(2026)
    boys = sum(draw_sex(rng) == "M" for _ in range(20000))
    assert 0.50 < boys / 20000 < 0.52
