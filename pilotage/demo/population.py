"""School-age population for the demo: one estimate per province of the scale × year ×
single age (4 to 19) × sex, for the indicators' enrolment ratios.

At the small and region scales only part of a province's schools exist, so real census
figures would make every ratio absurd. The population is derived from the pupils the
schooling step generated instead: the pupils of each age and sex in the province's
schools, divided by a plausible share of children of that age at school (lower in the
countryside, lowest among rural girls past primary age). Every age then has some children
out of school, and the ratios come out near Morocco's: gross enrolment about 105 % in
primary (over-age pupils), 90–100 % in the collège, 65–80 % in the lycée, net ratios a
little lower.

Ages without pupils of their own in the demo take their neighbours' size: 4 and 5 (no
preschool here) from age 6, slightly smaller cohorts (births keep declining); 18 and 19
(few lycée pupils that old) from age 17.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from pilotage.demo.context import Context
from pilotage.demo.orgunits import RURAL, URBAIN, provinces_in_scale
from pilotage.indicators.models import PopulationEstimate
from pilotage.orgunits.models import AcademicYear, OrgUnit

FIRST_AGE, LAST_AGE = 4, 19
# Share of the children of an age who are at school (any grade), by age band and milieu.
AT_SCHOOL = {
    (6, 11): {URBAIN: 0.985, RURAL: 0.95},
    (12, 14): {URBAIN: 0.95, RURAL: 0.84},
    (15, 17): {URBAIN: 0.76, RURAL: 0.6},
}
RURAL_GIRLS_PAST_PRIMARY = 0.9  # rural girls of 12 and more: a tenth less often at school
# Cohorts younger or older than the ages derived from the pupils, relative to their anchor.
YOUNGER = {5: (6, 0.99), 4: (6, 0.98)}
OLDER = {18: (17, 0.99), 19: (17, 0.98)}

# pupils_by_age keys, as the schooling step counts them.
Key = tuple[str, int, int, str, str]  # province code, year id, age, sex, milieu


def at_school_rate(age: int, sex: str, milieu: str) -> float:
    for (first, last), rates in AT_SCHOOL.items():
        if first <= age <= last:
            rate = rates[milieu]
            if milieu == RURAL and sex == "F" and age >= 12:
                rate *= RURAL_GIRLS_PAST_PRIMARY
            return rate
    raise ValueError(f"no school-attendance rate for age {age}")


def estimate(pupils: Counter[tuple[int, str, str]]) -> dict[tuple[int, str], int]:
    """Population by (age, sex) of one province and year from its pupils by (age, sex,
    milieu)."""
    population: dict[tuple[int, str], int] = {}
    ages = range(6, 18)
    for sex in ("F", "M"):
        raw = {
            age: sum(
                pupils[(age, sex, milieu)] / at_school_rate(age, sex, milieu)
                for milieu in (URBAIN, RURAL)
            )
            for age in ages
        }
        for age in ages:
            # Never fewer children than pupils of that age.
            total = sum(pupils[(age, sex, milieu)] for milieu in (URBAIN, RURAL))
            population[(age, sex)] = max(round(raw[age]), total)
        for age, (anchor, ratio) in (YOUNGER | OLDER).items():
            population[(age, sex)] = round(population[(anchor, sex)] * ratio)
    return population


def create_population_estimates(ctx: Context) -> None:
    """Write the estimates for every province of the scale and both years, in bulk."""
    counted: dict[Key, int] = ctx.shared.get("pupils_by_age", {})
    per_cell: dict[tuple[str, int], Counter[tuple[int, str, str]]] = defaultdict(Counter)
    for (code, year_id, age, sex, milieu), n in counted.items():
        per_cell[(code, year_id)][(age, sex, milieu)] += n
    provinces = provinces_in_scale(ctx.scale)
    units = dict(
        OrgUnit.objects.filter(path__in=[p.path for p in provinces]).values_list("path", "pk")
    )
    years = list(AcademicYear.objects.order_by("start").values_list("pk", flat=True))
    ctx.progress.total(len(provinces) * len(years))
    rows = []
    for province in provinces:
        for year_id in years:
            population = estimate(per_cell[(province.code, year_id)])
            rows += [
                PopulationEstimate(
                    org_unit_id=units[province.path],
                    path=province.path,
                    academic_year_id=year_id,
                    age=age,
                    sex=sex,
                    population=population[(age, sex)],
                )
                for age in range(FIRST_AGE, LAST_AGE + 1)
                for sex in ("F", "M")
            ]
            ctx.progress.advance(1, province.code)
    PopulationEstimate.objects.bulk_create(rows, batch_size=ctx.batch_size)
    ctx.counts["population"] = ctx.counts.get("population", 0) + len(rows)
