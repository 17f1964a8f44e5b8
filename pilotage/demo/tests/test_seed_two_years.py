"""The demo's two school years: the same pupils in 2024-2025 and 2025-2026, with flows
between them that the indicators compute by joining a pupil's enrolments of both years,
and a school-age population per province that makes the enrolment ratios plausible."""

from collections import Counter, defaultdict

from pilotage.demo.context import SCALES
from pilotage.demo.facts import rebuild_indicator_facts
from pilotage.demo.orgunits import provinces_in_scale
from pilotage.demo.tests.conftest import ALL_STEPS
from pilotage.indicators.models import PopulationEstimate
from pilotage.orgunits.models import AcademicYear, OrgUnit
from pilotage.schooling.models import (
    Enrolment,
    EnrolmentStatus,
    GradeLevel,
    Guardian,
    Pupil,
    TeachingAssignment,
)

CYCLE_AGES = {"primaire": (6, 11), "college": (12, 14), "lycee": (15, 17)}


def years():
    previous, current = AcademicYear.objects.order_by("start")
    assert current.is_current and not previous.is_current
    return previous, current


def latest_enrolments(year):
    """pupil id → (grade, school, status, birth year, sex, milieu, province path) of the
    pupil's latest enrolment of the year: what the indicators join on."""
    steplen = OrgUnit.steplen
    out = {}
    for pupil, grade, school, status, birth, sex, milieu, path in (
        Enrolment.objects.filter(academic_year=year)
        .order_by("entered_on", "pk")
        .values_list(
            "pupil_id",
            "grade_level_id",
            "school_id",
            "status",
            "pupil__birth_date",
            "pupil__sex",
            "school__school__milieu",
            "school__path",
        )
    ):
        out[pupil] = (grade, school, status, birth.year, sex, milieu, path[: 3 * steplen])
    return out


def outcome(grade, following, order):
    if following is None:
        return "left"
    step = order[following[0]] - order[grade]
    return {0: "repeated", 1: "promoted"}.get(step, f"moved {step}")


class TestTwoYears:
    """One seeding of the small demo for every test here (see ``small_demo``)."""

    def test_both_years_have_their_pupils(self, seeded):
        previous, current = years()
        before, now = latest_enrolments(previous), latest_enrolments(current)
        assert 9_000 <= len(before) <= 11_500 and 9_000 <= len(now) <= 11_500
        # Most of this year's pupils were there last year; the others are mostly new 1AP.
        stayed = set(before) & set(now)
        assert 0.8 <= len(stayed) / len(now) <= 0.95
        grades = {g.pk: g.code for g in GradeLevel.objects.all()}
        newcomers = Counter(grades[now[p][0]] for p in set(now) - stayed)
        assert newcomers["1AP"] >= 0.9 * newcomers.total()
        first_graders = Counter(grades[v[0]] for v in before.values())["1AP"]
        assert 0.8 * first_graders <= newcomers["1AP"] <= 1.1 * first_graders
        assert Pupil.objects.count() == len(set(before) | set(now))

    def test_each_pupil_repeats_moves_up_one_grade_or_leaves(self, seeded):
        previous, current = years()
        before, now = latest_enrolments(previous), latest_enrolments(current)
        order = dict(GradeLevel.objects.values_list("pk", "order"))
        codes = dict(GradeLevel.objects.values_list("pk", "code"))
        outcomes = Counter()
        changed_school = Counter()
        for pupil in sorted(before)[::10]:
            grade, school, *_rest = before[pupil]
            result = outcome(grade, now.get(pupil), order)
            assert result in ("repeated", "promoted", "left"), (pupil, result)
            outcomes[result] += 1
            if result == "repeated":
                assert now[pupil][1] == school  # repeaters stay in their school
            if result == "promoted" and codes[grade] in ("6AP", "3AC"):
                changed_school[now[pupil][1] != school] += 1
            if codes[grade] == "2BAC":
                assert result != "promoted"
        assert set(outcomes) == {"repeated", "promoted", "left"}
        # From primary to collège and collège to lycée, most pupils change school.
        assert changed_school[True] > changed_school[False]

    def test_promotion_repetition_and_dropout_in_realistic_bands(self, seeded):
        previous, current = years()
        before, now = latest_enrolments(previous), latest_enrolments(current)
        order = dict(GradeLevel.objects.values_list("pk", "order"))
        codes = dict(GradeLevel.objects.values_list("pk", "code"))
        per_grade = defaultdict(Counter)
        per_milieu = defaultdict(Counter)
        for pupil, (grade, _school, _status, _born, _sex, milieu, _path) in before.items():
            result = outcome(grade, now.get(pupil), order)
            per_grade[codes[grade]][result] += 1
            per_milieu[(codes[grade], milieu)][result] += 1
        overall = Counter()
        for code, flows in per_grade.items():
            if code == "2BAC":
                continue
            overall.update(flows)
            rates = {k: v / flows.total() for k, v in flows.items()}
            if code in ("6AP", "3AC"):  # transition to the next cycle
                low, high = (0.8, 0.95) if code == "6AP" else (0.6, 0.85)
                assert low <= rates["promoted"] <= high, (code, rates)
            else:
                assert 0.78 <= rates["promoted"] <= 0.94, (code, rates)
                assert 0.03 <= rates["repeated"] <= 0.14, (code, rates)
                assert rates.get("left", 0) <= 0.08, (code, rates)
        rates = {k: v / overall.total() for k, v in overall.items()}
        assert 0.80 <= rates["promoted"] <= 0.92
        assert 0.05 <= rates["repeated"] <= 0.12
        assert 0.01 <= rates["left"] <= 0.06
        # Fewer pupils promoted in the countryside (all grades but 2BAC together).
        by_milieu = defaultdict(Counter)
        for (code, milieu), flows in per_milieu.items():
            if code != "2BAC":
                by_milieu[milieu].update(flows)
        promoted = {m: f["promoted"] / f.total() for m, f in by_milieu.items()}
        assert promoted["rural"] < promoted["urbain"]
        # 2BAC: a fifth or so repeat, the others leave (most with the baccalauréat).
        bac = per_grade["2BAC"]
        assert 0.1 <= bac["repeated"] / bac.total() <= 0.3 and not bac["promoted"]
        graduated = Enrolment.objects.filter(
            academic_year=previous, status=EnrolmentStatus.GRADUATED
        ).count()
        assert 0.6 * bac.total() <= graduated <= bac["left"]

    def test_statuses_tell_the_same_story(self, seeded):
        """Not what the indicators read, but what a school's pages show."""
        previous, current = years()
        before, now = latest_enrolments(previous), latest_enrolments(current)
        order = dict(GradeLevel.objects.values_list("pk", "order"))
        active = ("enrolled", "repeating", "transferred_in")
        for pupil, (grade, _school, status, *_rest) in before.items():
            result = outcome(grade, now.get(pupil), order)
            expected = {
                "promoted": {"promoted"},
                "repeated": {"enrolled", "repeating"},
                "left": {"dropped_out", "graduated"},
            }[result]
            assert status in expected, (pupil, result, status)
            if result == "repeated":
                assert now[pupil][2] in ("repeating", "transferred_in", "dropped_out")
            elif pupil in now:
                assert now[pupil][2] in active or now[pupil][2] == "dropped_out"
        # Every enrolment of last year is closed at the year's end.
        assert set(
            Enrolment.objects.filter(academic_year=previous).values_list("left_on", flat=True)
        ) == {previous.end}

    def test_ages_are_consistent_from_one_year_to_the_next(self, seeded):
        previous, current = years()
        before, now = latest_enrolments(previous), latest_enrolments(current)
        entry = dict(GradeLevel.objects.values_list("pk", "entry_age"))
        checked = Counter()
        for pupil in set(before) & set(now):
            grade, _s, _st, born, *_ = before[pupil]
            grade_now, _s, status_now, born_now, *_ = now[pupil]
            assert born == born_now
            over_before = previous.start.year - born - entry[grade]
            over_now = current.start.year - born - entry[grade_now]
            assert over_before >= 0
            if grade_now == grade:  # repeating: one year older than the grade
                assert over_now == over_before + 1 >= 1
                checked["repeated"] += 1
            else:
                assert over_now == over_before
                checked["promoted"] += 1
        assert checked["repeated"] and checked["promoted"]

    def test_the_same_teachers_teach_both_years(self, seeded):
        previous, current = years()
        by_year = defaultdict(set)
        for teacher, year in TeachingAssignment.objects.values_list(
            "teacher_id", "school_class__academic_year_id"
        ):
            by_year[year].add(teacher)
        both = by_year[previous.pk] & by_year[current.pk]
        assert len(both) >= 0.85 * len(by_year[current.pk])
        assert len(both) >= 0.85 * len(by_year[previous.pk])

    def test_the_demo_parents_child_was_promoted_into_the_demo_class(self, seeded):
        previous, current = years()
        ward = Guardian.objects.get(user__username="parent").pupil
        last_year = ward.enrolments.get(academic_year=previous)
        this_year = ward.enrolments.get(academic_year=current)
        assert last_year.status == EnrolmentStatus.PROMOTED
        assert this_year.grade_level.order == last_year.grade_level.order + 1
        assert (
            TeachingAssignment.objects.filter(
                school_class=this_year.school_class, teacher__user__username="enseignant"
            ).count()
            == 2
        )

    def test_population_for_every_province_year_age_and_sex(self, seeded):
        provinces = provinces_in_scale(SCALES["small"])
        cells = Counter(
            PopulationEstimate.objects.values_list("path", "academic_year_id", "age", "sex")
        )
        expected = {
            (p.path, year, age, sex)
            for p in provinces
            for year in AcademicYear.objects.values_list("pk", flat=True)
            for age in range(4, 20)
            for sex in ("F", "M")
        }
        assert set(cells) == expected and set(cells.values()) == {1}
        assert not PopulationEstimate.objects.filter(population=0).exists()
        units = {p.path: p.code for p in provinces}
        for estimate in PopulationEstimate.objects.select_related("org_unit")[:50]:
            assert estimate.org_unit.depth == 3 and estimate.org_unit.path == estimate.path
            assert units[estimate.path] == estimate.org_unit.code

    def test_enrolment_ratios_near_moroccos(self, seeded):
        cycles = dict(GradeLevel.objects.values_list("pk", "cycle"))
        for year in years():
            population = Counter()
            for age, n in PopulationEstimate.objects.filter(academic_year=year).values_list(
                "age", "population"
            ):
                population[age] += n
            pupils = latest_enrolments(year).values()
            at_age = Counter(year.start.year - born for _g, _s, _st, born, *_ in pupils)
            # Children out of school at every age, more as they grow older.
            for age in range(6, 18):
                assert at_age[age] < population[age]
            ratios = {}
            for cycle, (low, high) in CYCLE_AGES.items():
                ages = [year.start.year - b for g, _s, _st, b, *_ in pupils if cycles[g] == cycle]
                school_age = sum(population[a] for a in range(low, high + 1))
                gross = len(ages) / school_age
                net = sum(low <= a <= high for a in ages) / school_age
                assert net < gross
                ratios[cycle] = gross
            assert 1.02 <= ratios["primaire"] <= 1.15, ratios
            assert 0.85 <= ratios["college"] <= 1.02, ratios
            assert 0.62 <= ratios["lycee"] <= 0.85, ratios


def test_the_indicator_facts_are_rebuilt_last():
    """After every step that writes school records; what follows writes none (the
    steering targets, the cooperation programmes, the contact centre, the surveys)."""
    names = [s.name for s in ALL_STEPS]
    at = names.index("indicator_facts")
    assert ALL_STEPS[at].run is rebuild_indicator_facts
    assert names[at - 2 : at] == ["schooling", "population"]
    assert all(
        n in ("steering", "cooperation", "contact", "surveys")
        or n.startswith(("coop_", "contact_"))
        for n in names[at + 1 :]
    )
