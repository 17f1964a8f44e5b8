"""School records for the demo, for two consecutive school years: 2024-2025 (the previous
year, closed) and 2025-2026 (the current one, in its first semester): classes, pupils and
enrolments, teachers and their classes, marks and absences, school by school.

Two years, the same pupils. The indicators' flow rates (promotion, repetition, dropout,
transition, survival) join each pupil's enrolments of year t and t+1, so the demo makes
the current year out of the previous one rather than drawing it afresh:

* 2024-2025: every grade of every school is simply a cohort of new pupils (the planned
  classes below), with the marks of both semesters and the absences of the year.
* At the year's end each pupil is promoted (80–92 % in most grades, fewer in rural
  collèges), repeats the grade (5–12 %, weaker pupils more often) or leaves school (1–6 %,
  over-age pupils more often). After 6AP and 3AC the promoted go on to the next cycle:
  about 90 % of a 6AP cohort reach 1AC and 75 % of a 3AC cohort the tronc commun, fewer in
  the countryside and fewest among rural girls; they move to a school of that cycle in the
  same commune (else of the province), unless theirs teaches it. 2BAC pupils repeat or
  leave, most of them with the baccalauréat. Enrolment statuses are what the class
  council's closing leaves (``promoted``, ``graduated``, ``dropped_out``, a repeater's
  status unchanged; every enrolment closed on the year's last day), but nothing should
  read them for the flows: the enrolments of both years tell it.
* 2025-2026: each school's grades are the pupils sent to it, plus new pupils in 1AP (about
  as many as the year before) and, where a grade would be too small for a class, a few
  arrivals from outside the demo. Classes are formed again from those pupils (25–40 a
  class); the same teachers take the posts (a post beyond last year's hires a newcomer).
  Then in-year dropouts and transfers, semester-1 marks and absences, as before.

Ages stay consistent: a pupil's birth date is drawn once, so a promoted pupil keeps the
same gap to the theoretical age of the grade and a repeater gains a year.

Sizes. Each school's natural size follows from its cycles, milieu and sector (a town
collège has about 330 pupils a year group, a rural primary school about 55), with noise;
then every school is scaled by one factor so the whole scale lands near ``Scale.pupils``
(10 000 for ``small``, one town's worth of schools being much bigger than that) in each
year. Only the number of classes changes with the factor: classes stay between about 25
and 40 pupils.

Streaming. Planning keeps one small record per class (some 200 000 at the national
scale); a province is written in two passes, its previous year then its current year, so
between them the province's pupils wait as one small record each (id, sex, years over
age, ability, stream): a few hundred thousand for the largest province, never the
country. Pupils, marks and absences exist only as the rows waiting in
:class:`~pilotage.demo.rows.RowWriter`, which writes them in batches (COPY on PostgreSQL).

Realism, roughly: ~51 % boys in primary, slightly more girls in the lycée; over-age pupils
(one to three years older than their grade) more numerous in later grades and rural
schools; one generalist teacher per primary class, subject teachers with a weekly service
of 24 h (collège) or 21 h (lycée) in secondary; ~90 % of teachers qualified; marks around
11.5/20 (sd ≈ 3.5) in quarter points, ~2 % absent; a few half-day absences per pupil and
semester, ~40 % justified; a handful of in-year dropouts and accepted transfers.

The demo accounts get a place in the current year: ``enseignant`` teaches maths and French
in a 6AP (or 5AP) class of the first school of Tanger, whose head is ``directeur``, and
``parent`` is the guardian of a pupil of that class (promoted into it from last year).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from pilotage.accounts.models import RoleAssignment, User
from pilotage.core.audit import SEED, audit_record
from pilotage.demo.context import Context
from pilotage.demo.names import (
    FAMILY_NAMES,
    MALE_FIRST_NAMES,
    Sex,
    person_name,
    weighted_choice,
)
from pilotage.demo.orgunits import (
    RURAL,
    URBAIN,
    C,
    L,
    P,
    ProvinceInfo,
    apportion,
    provinces_in_scale,
    seat_name,
)
from pilotage.demo.people import EMAIL_DOMAIN, TEACHER_PREFIX, first_school, password_hash
from pilotage.demo.rows import RowWriter, bulk_load
from pilotage.orgunits.models import AcademicYear, OrgUnit, School, Semester
from pilotage.schooling.grading import mark_text
from pilotage.schooling.models import (
    Absence,
    Assessment,
    AssessmentKind,
    Enrolment,
    EnrolmentStatus,
    GradeLevel,
    Guardian,
    GuardianRelation,
    Mark,
    MarkCode,
    MarkSheet,
    Pupil,
    SchoolClass,
    Stream,
    Subject,
    SubjectCoefficient,
    Teacher,
    TeachingAssignment,
    Transfer,
    TransferStatus,
)
from pilotage.schooling.roles import SCHOOL_HEAD, TEACHER
from pilotage.schooling.structure import structure_load_morocco

# --- Figures ------------------------------------------------------------------------------
# Keys are (cycle, milieu); public schools. Orders of magnitude for Morocco, not statistics.

# Pupils in one year group of a public school, before scaling.
COHORT = {
    (P, URBAIN): 130, (P, RURAL): 55,
    (C, URBAIN): 330, (C, RURAL): 160,
    (L, URBAIN): 330, (L, RURAL): 170,
}  # fmt: skip
PRIVATE_COHORT = 0.45  # private schools are smaller
# Year groups shrink along a cycle (dropout, orientation after the tronc commun).
LEVEL_WEIGHT = {
    "1AP": 1.04, "2AP": 1.03, "3AP": 1.01, "4AP": 0.99, "5AP": 0.97, "6AP": 0.96,
    "1AC": 1.08, "2AC": 1.0, "3AC": 0.92,
    "TC": 1.12, "1BAC": 0.98, "2BAC": 0.9,
}  # fmt: skip
CLASS_SIZE = {
    (P, URBAIN): 36, (P, RURAL): 26,
    (C, URBAIN): 40, (C, RURAL): 34,
    (L, URBAIN): 38, (L, RURAL): 34,
}  # fmt: skip
PRIVATE_CLASS_SIZE = 28
MIN_CLASS, MAX_CLASS = 12, 46
# Lycée streams and their share of the year group.
STREAM_SHARES = {
    "TC": {"SC": 0.6, "LSH": 0.4},
    "1BAC": {"SE": 0.52, "SM": 0.1, "L": 0.38},
    "2BAC": {"PC": 0.28, "SVT": 0.26, "SM": 0.1, "L": 0.36},
}

BOYS_SHARE = {
    (P, URBAIN): 0.51, (P, RURAL): 0.51,
    (C, URBAIN): 0.50, (C, RURAL): 0.54,
    (L, URBAIN): 0.46, (L, RURAL): 0.49,
}  # fmt: skip
# Share of pupils older than the theoretical age of their grade (late entry, repetition),
# on average over the cycle: it grows along the cycle (see ``over_age_share``).
OVER_AGE = {
    (P, URBAIN): 0.18, (P, RURAL): 0.28,
    (C, URBAIN): 0.22, (C, RURAL): 0.32,
    (L, URBAIN): 0.22, (L, RURAL): 0.28,
}  # fmt: skip
TWO_YEARS_OVER, THREE_YEARS_OVER = 0.3, 0.08  # of over-age pupils
REPEATING_SHARE = 0.5  # of over-age pupils; in 1AP over-age is mostly late entry
REPEATING_SHARE_1AP = 0.2
LATE_ENTRY = 0.5  # new pupils of 1AP: over-age (late entry) at half the cycle's rate
# In-year dropouts of the current year (they have an enrolment of the year, closed).
DROPOUT = {
    (P, URBAIN): 0.002, (P, RURAL): 0.006,
    (C, URBAIN): 0.012, (C, RURAL): 0.03,
    (L, URBAIN): 0.012, (L, RURAL): 0.02,
}  # fmt: skip

# From one year to the next (2024-2025 → 2025-2026), for each pupil of a grade: the chance
# of repeating it (scaled by the pupil's weakness), of leaving school (more for over-age
# pupils); the others are promoted. Private schools: half of each.
REPEAT = {
    (P, URBAIN): 0.08, (P, RURAL): 0.10,
    (C, URBAIN): 0.10, (C, RURAL): 0.12,
    (L, URBAIN): 0.10, (L, RURAL): 0.11,
}  # fmt: skip
LEAVE = {
    (P, URBAIN): 0.012, (P, RURAL): 0.03,
    (C, URBAIN): 0.035, (C, RURAL): 0.06,
    (L, URBAIN): 0.03, (L, RURAL): 0.045,
}  # fmt: skip
LEAVE_OVER_AGE = 1.6
# End of a cycle (6AP, 3AC): of the pupils who do not repeat, the share going on to the
# next cycle (by cycle, milieu, sex), the others leave school. About 90 % of a 6AP
# cohort reach 1AC and 75 % of a 3AC cohort reach the tronc commun; fewer in the
# countryside, fewest among rural girls.
CONTINUE = {
    (P, URBAIN, "M"): 0.975, (P, URBAIN, "F"): 0.975,
    (P, RURAL, "M"): 0.93, (P, RURAL, "F"): 0.87,
    (C, URBAIN, "M"): 0.85, (C, URBAIN, "F"): 0.86,
    (C, RURAL, "M"): 0.76, (C, RURAL, "F"): 0.66,
}  # fmt: skip
# 2BAC: repeat, leave without the baccalauréat; the others graduate and leave the demo.
BAC_REPEAT, BAC_LEAVE = 0.2, 0.08
# A pupil changing school at the end of a cycle stays in the commune when it has a school
# of the next cycle (else any of the province, by size); a private pupil sometimes goes on
# in a public school.
SAME_COMMUNE = 0.85
PRIVATE_TO_PUBLIC = 0.25
# New pupils in 1AP: the previous year's 1AP (less its repeaters), with this noise.
INTAKE_SD = 0.06
NEXT_CYCLE = {P: C, C: L}
# Streams from one lycée grade to the next (TC sciences: SE or SM; lettres stay lettres).
NEXT_STREAM = {
    "SC": (("SE", 0.84), ("SM", 0.16)),
    "LSH": (("L", 1.0),),
    "SE": (("PC", 0.52), ("SVT", 0.48)),
    "SM": (("SM", 1.0),),
    "L": (("L", 1.0),),
}
TRANSFER_IN = 0.006
TRANSFER_REASONS = [
    "déménagement de la famille",
    "mutation du parent",
    "rapprochement familial",
    "changement d'établissement demandé par la famille",
]

# Teachers. Primary: one generalist per class. Secondary: subject teachers, each taking
# as many classes as their weekly service allows.
SERVICE_HOURS = {C: 24, L: 21}
WEEKLY_HOURS = {
    C: {"AR": 5, "FR": 6, "EN": 2, "MATH": 5, "SVT": 2, "PC": 2, "EI": 2, "HG": 3, "INFO": 1,
        "EPS": 3},
    L: {"AR": 3, "FR": 4, "EN": 3, "MATH": 5, "SVT": 4, "PC": 4, "EI": 2, "HG": 3, "PHILO": 3,
        "INFO": 2, "EPS": 2},
}  # fmt: skip
WOMEN_TEACHERS = {
    (P, URBAIN): 0.58, (P, RURAL): 0.38,
    (C, URBAIN): 0.45, (C, RURAL): 0.28,
    (L, URBAIN): 0.45, (L, RURAL): 0.28,
}  # fmt: skip
QUALIFIED = {"public": 0.94, "prive": 0.78}
QUALIFICATIONS = {P: ["CRMEF", "CRMEF", "CFI"], C: ["CRMEF", "CRMEF", "ENS"], L: ["CRMEF", "ENS"]}
UNQUALIFIED = ["Licence", "Licence", "Master"]

# Marks: mean by cycle, then pupil, class and subject effects and the noise of each test.
MARK_MEAN = {P: 12.3, C: 11.0, L: 10.8}
ACTIVITY_BONUS = 1.0
PUPIL_SD, SUBJECT_SD, CLASS_SD, TEST_SD = 2.5, 1.5, 1.0, 1.8
OVER_AGE_PENALTY = 1.2
ABSENT_AT_TEST = 0.02
EPS_EXEMPT = 0.01  # pupils excused from physical education: "DISP" on every EPS mark
MARKS_SAMPLE_SHARE = 0.05
# The semester-1 columns that sheet_ensure creates, and roughly when each is entered.
COLUMNS = [
    (AssessmentKind.TEST.value, 1, (10, 20), 0.0),
    (AssessmentKind.TEST.value, 2, (12, 1), 0.0),
    (AssessmentKind.TEST.value, 3, (1, 12), 0.0),
    (AssessmentKind.ACTIVITY.value, 1, (1, 22), ACTIVITY_BONUS),
]
# The same for semester 2 (previous year only: the current year is in its first semester).
COLUMNS_2 = [
    (AssessmentKind.TEST.value, 1, (3, 5), 0.0),
    (AssessmentKind.TEST.value, 2, (4, 16), 0.0),
    (AssessmentKind.TEST.value, 3, (5, 28), 0.0),
    (AssessmentKind.ACTIVITY.value, 1, (6, 5), ACTIVITY_BONUS),
]
MARK_TEXT = [mark_text(Decimal(q) / 4) for q in range(81)]  # 0.00, 0.25 … 20.00

# Absences: mean half-days absent in semester 1, spread unevenly between pupils.
ABSENCES = {
    (P, URBAIN): 2.0, (P, RURAL): 3.0,
    (C, URBAIN): 3.0, (C, RURAL): 4.0,
    (L, URBAIN): 3.5, (L, RURAL): 4.0,
}  # fmt: skip
ABSENCE_SPREAD = 0.8  # gamma shape: lower is more uneven
JUSTIFIED = 0.4
REASONS = [
    "maladie",
    "raison familiale",
    "rendez-vous médical",
    "décès dans la famille",
    "intempéries",
]
REASON_WEIGHTS = list(itertools.accumulate([55, 25, 10, 5, 5]))
HOURS_PER_SESSION = 4
MAX_ABSENCES = 40

# Massar codes: a letter per region (invented), the province's rank, a counter.
REGION_LETTERS = "JKLMNPRSTGHD"


# --- Planning (no database writes) --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SchoolInfo:
    unit_id: int
    path: str
    code: str
    name_fr: str
    name_ar: str
    cycles: tuple[str, ...]
    sector: str
    milieu: str
    province: ProvinceInfo
    town: str  # the commune's name, for birth places
    seat: str  # the province's chief town, the other usual birth place


@dataclass(frozen=True, slots=True)
class ClassPlan:
    cycle: str
    level: str
    stream: str | None
    number: int
    size: int

    @property
    def name(self) -> str:
        if self.stream:
            return f"{self.level} {self.stream}-{self.number}"
        return f"{self.level}-{self.number}"


LEVELS: dict[str, list[str]] = {
    P: ["1AP", "2AP", "3AP", "4AP", "5AP", "6AP"],
    C: ["1AC", "2AC", "3AC"],
    L: ["TC", "1BAC", "2BAC"],
}


NEXT_LEVEL = {a: b for levels in LEVELS.values() for a, b in itertools.pairwise(levels)}


def over_age_share(cycle: str, level: str, school: SchoolInfo) -> float:
    """Share of over-age pupils in a grade: from 0.4 to 1.6 times the cycle's mean, first
    grade to last (repetitions pile up); half in private schools."""
    levels = LEVELS[cycle]
    rank = levels.index(level) / max(len(levels) - 1, 1)
    private = 0.5 if school.sector == "prive" else 1.0
    return OVER_AGE[(cycle, school.milieu)] * (0.4 + 1.2 * rank) * private


def next_stream(level: str, stream: str | None, rng: random.Random) -> str | None:
    """The stream of a pupil promoted to ``level`` from ``stream`` (drawn at the TC)."""
    if level == "TC":
        shares = STREAM_SHARES["TC"]
        return rng.choices(list(shares), weights=list(shares.values()))[0]
    if stream is None or stream not in NEXT_STREAM:
        return stream
    choices = NEXT_STREAM[stream]
    if len(choices) == 1:
        return choices[0][0]
    return rng.choices([c for c, _w in choices], weights=[w for _c, w in choices])[0]


def natural_cohorts(school: SchoolInfo, rng: random.Random) -> list[tuple[str, str, float]]:
    """(cycle, level, pupils) for each year group the school teaches, before scaling."""
    size = rng.lognormvariate(0, 0.35) * (PRIVATE_COHORT if school.sector == "prive" else 1)
    return [
        (
            cycle,
            level,
            COHORT[(cycle, school.milieu)]
            * size
            * LEVEL_WEIGHT[level]
            * rng.lognormvariate(0, 0.08),
        )
        for cycle in (P, C, L)
        if cycle in school.cycles
        for level in LEVELS[cycle]
    ]


def plan_classes(
    school: SchoolInfo, cohorts: list[tuple[str, str, float]], factor: float, rng: random.Random
) -> list[ClassPlan]:
    classes: list[ClassPlan] = []
    for cycle, level, natural in cohorts:
        pupils = natural * factor
        target = (
            PRIVATE_CLASS_SIZE if school.sector == "prive" else CLASS_SIZE[(cycle, school.milieu)]
        )
        n = max(1, round(pupils / target))
        mean = pupils / n
        shares = STREAM_SHARES.get(level)
        if shares:
            per_stream = apportion(n, list(shares.values()), minimum=0)
            streams: list[str | None] = [
                s for s, k in zip(shares, per_stream, strict=True) for _ in range(k)
            ]
        else:
            streams = [None] * n
        numbers: Counter[str | None] = Counter()
        for stream in streams:
            numbers[stream] += 1
            size = min(max(round(rng.gauss(mean, 2.0)), MIN_CLASS), MAX_CLASS)
            classes.append(ClassPlan(cycle, level, stream, numbers[stream], size))
    return classes


def schools_in_scale(ctx: Context) -> list[SchoolInfo]:
    """Every school of the scale's provinces, province by province in tree order."""
    schools = []
    for province in provinces_in_scale(ctx.scale):
        towns = {
            path: name.removeprefix("Commune de ").removeprefix("Commune d'")
            for path, name in OrgUnit.objects.filter(
                depth=4, path__startswith=province.path
            ).values_list("path", "name_fr")
        }
        rows = (
            School.objects.filter(org_unit__path__startswith=province.path)
            .order_by("org_unit__path")
            .values_list(
                "org_unit_id",
                "org_unit__path",
                "school_code",
                "org_unit__name_fr",
                "org_unit__name_ar",
                "has_primaire",
                "has_college",
                "has_lycee",
                "sector",
                "milieu",
            )
        )
        steplen = OrgUnit.steplen
        seat = seat_name(province)[0]
        for unit_id, path, code, name_fr, name_ar, has_p, has_c, has_l, sector, milieu in rows:
            cycles = tuple(c for c, has in ((P, has_p), (C, has_c), (L, has_l)) if has)
            schools.append(
                SchoolInfo(
                    unit_id,
                    path,
                    code,
                    name_fr,
                    name_ar,
                    cycles,
                    sector,
                    milieu,
                    province,
                    towns.get(path[:-steplen], ""),
                    seat,
                )
            )
    return schools


def plan_scale_classes(
    ctx: Context, schools: Sequence[SchoolInfo]
) -> list[tuple[SchoolInfo, list[ClassPlan]]]:
    """The classes of every school, scaled so the total is near ``scale.pupils``.

    Rounding to whole classes (and the minimum class size) moves the total away from the
    simple proportion, so the factor is corrected a few times on the actual total."""
    cohorts = [natural_cohorts(s, ctx.rng("schooling", "size", s.code)) for s in schools]
    natural = sum(n for school in cohorts for _c, _l, n in school)
    factor = ctx.scale.pupils / natural if ctx.scale.pupils and natural else 1.0
    plans: list[tuple[SchoolInfo, list[ClassPlan]]] = []
    for _attempt in range(4):
        plans = [
            (s, plan_classes(s, c, factor, ctx.rng("schooling", "classes", s.code)))
            for s, c in zip(schools, cohorts, strict=True)
        ]
        total = sum(c.size for _s, classes in plans for c in classes)
        if not ctx.scale.pupils or not total or abs(total / ctx.scale.pupils - 1) < 0.01:
            break
        factor *= ctx.scale.pupils / total
    return plans


def subjects_by_level() -> dict[tuple[str, str | None], list[str]]:
    """The subjects each (level, stream) studies, as configured, weightiest first."""
    subjects: dict[tuple[str, str | None], list[str]] = defaultdict(list)
    for level, stream, subject in SubjectCoefficient.objects.order_by(
        "grade_level__order", "stream__code", "-coefficient", "subject__code"
    ).values_list("grade_level__code", "stream__code", "subject__code"):
        subjects[(level, stream)].append(subject)
    return subjects


@dataclass(frozen=True, slots=True)
class Post:
    """One teacher to hire: the cycle, the subject (None for a primary generalist) and
    the (class index, subject) pairs they teach."""

    cycle: str
    specialty: str | None
    teaches: tuple[tuple[int, str], ...]


def plan_staff(
    plans: Sequence[ClassPlan], subjects_of: dict[tuple[str, str | None], list[str]]
) -> list[Post]:
    """Primary: one generalist per class, teaching all its subjects. Secondary: for each
    subject, as few teachers as their weekly service allows, classes shared out evenly
    and in order (a teacher has neighbouring classes, as timetables usually give)."""
    posts = [
        Post(P, None, tuple((i, s) for s in subjects_of[(p.level, p.stream)]))
        for i, p in enumerate(plans)
        if p.cycle == P
    ]
    for cycle in (C, L):
        slots: dict[str, list[int]] = defaultdict(list)
        for index, plan in enumerate(plans):
            if plan.cycle == cycle:
                for subject in subjects_of[(plan.level, plan.stream)]:
                    slots[subject].append(index)
        for subject in sorted(slots):
            indexes = slots[subject]
            per_teacher = max(1, SERVICE_HOURS[cycle] // WEEKLY_HOURS[cycle].get(subject, 2))
            n = math.ceil(len(indexes) / per_teacher)
            for t in range(n):
                share = indexes[t * len(indexes) // n : (t + 1) * len(indexes) // n]
                posts.append(Post(cycle, subject, tuple((i, subject) for i in share)))
    return posts


def school_sessions(semester: Semester) -> list[tuple[dt.date, str]]:
    """Half-days of class in the semester, without the holidays (approximately).

    Semester 1: weekdays from the pupils' first Monday of September to the semester's end,
    without the autumn breaks and public holidays. Semester 2: from its start to mid-June
    (the rest is exams and summer), without the spring breaks and public holidays."""
    if semester.number == 1:
        y = semester.start.year
        holidays = {
            dt.date(y, 11, 6), dt.date(y, 11, 18), dt.date(y + 1, 1, 1), dt.date(y + 1, 1, 14),
        }  # fmt: skip
        breaks = [(dt.date(y, 10, 19), dt.date(y, 10, 26)), (dt.date(y, 12, 7), dt.date(y, 12, 14))]
        day = dt.date(y, 9, 5)
        day += dt.timedelta(days=(7 - day.weekday()) % 7)
        last = semester.end
    else:
        y = semester.start.year
        holidays = {dt.date(y, 5, 1)}
        breaks = [(dt.date(y, 3, 16), dt.date(y, 3, 23)), (dt.date(y, 5, 3), dt.date(y, 5, 10))]
        day = semester.start
        last = min(semester.end, dt.date(y, 6, 15))
    sessions = []
    while day <= last:
        if day.weekday() < 5 and day not in holidays and not any(a <= day <= b for a, b in breaks):
            sessions += [(day, "am"), (day, "pm")]
        day += dt.timedelta(days=1)
    return sessions


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def split_evenly(n: int, target: int) -> list[int]:
    """Sizes of the classes ``n`` pupils make: about ``target`` each, within
    MIN_CLASS–MAX_CLASS whenever ``n`` allows it, differing by at most one pupil."""
    k = max(1, round(n / target))
    while n / k > MAX_CLASS:
        k += 1
    while k > 1 and n / k < MIN_CLASS:
        k -= 1
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


# --- The step ---------------------------------------------------------------------------------


def create_school_records(ctx: Context) -> None:
    """Both years, province by province: first the previous year of every school of the
    province (which decides where each pupil goes next), then the current year of each."""
    structure_load_morocco(actor=None)
    schools = schools_in_scale(ctx)
    plans = plan_scale_classes(ctx, schools)
    ctx.progress.total(2 * sum(c.size for _s, classes in plans for c in classes))
    writer = RowWriter(connection)
    seeder = _Seeder(ctx, writer)
    with bulk_load(connection, [t.model for t in writer.tables]):
        for _code, group in itertools.groupby(plans, key=lambda p: p[0].province.code):
            province = list(group)
            seeder.start_province(province)
            for school, classes in province:
                seeder.write_previous(school, classes)
                writer.flush_if_full()
            for school, classes in province:
                seeder.write_current(school, classes)
                writer.flush_if_full()
        writer.flush()
    seeder.finish()
    for key, value in seeder.totals.items():
        ctx.counts[key] = ctx.counts.get(key, 0) + value
    # For the population step: pupils by province, year, age, sex and milieu.
    ctx.shared["pupils_by_age"] = seeder.by_age


@dataclass
class _Assigned:
    teacher_id: int
    user_id: int


@dataclass
class _Roster:
    """The active pupils of one class: id, ability, EPS exemption, entry date if late."""

    pupils: list[tuple[int, float, bool, dt.date | None]] = field(default_factory=list)


@dataclass(slots=True)
class _Kid:
    """What follows a pupil from one year to the next. ``over``: years older than the
    theoretical age of the grade (the birth date is fixed, so a repeater gains one)."""

    pupil_id: int
    sex: str
    over: int
    ability: float
    stream: str | None = None
    repeating: bool = False  # repeats the grade this year
    continuing: bool = False  # was at a school of the demo the year before


@dataclass(frozen=True, slots=True)
class _Place:
    """A school that can receive the pupils finishing a cycle elsewhere."""

    unit_id: int
    commune: str
    sector: str
    capacity: int  # pupils of its first grade of the cycle, the previous year


class _Seeder:
    def __init__(self, ctx: Context, writer: RowWriter):
        self.ctx = ctx
        self.w = writer
        self.year = AcademicYear.objects.get(is_current=True)
        self.previous = AcademicYear.objects.get(start__year=self.year.start.year - 1)
        self.semester = Semester.objects.get(academic_year=self.year, number=1)
        self.previous_semesters = list(Semester.objects.filter(academic_year=self.previous))
        self.levels = {g.code: g for g in GradeLevel.objects.all()}
        self.streams = dict(Stream.objects.values_list("code", "pk"))
        self.subjects = dict(Subject.objects.values_list("code", "pk"))
        self.subjects_of = subjects_by_level()
        self.tz = timezone.get_default_timezone()
        self.sessions = school_sessions(self.semester)
        self.previous_sessions = {s.pk: school_sessions(s) for s in self.previous_semesters}
        self.transfer_days = [d for d, s in self.sessions if s == "am" and d.month in (10, 11, 12)]
        self.heads = dict(
            RoleAssignment.objects.filter(role=SCHOOL_HEAD).values_list("org_unit_id", "user_id")
        )
        regions = {u.path: u.code for u in OrgUnit.objects.filter(depth=2).only("path", "code")}
        self.region_letter = {
            path: REGION_LETTERS[(int(code[-2:]) - 1) % len(REGION_LETTERS)]
            if code[-2:].isdigit()
            else REGION_LETTERS[0]
            for path, code in regions.items()
        }
        self.massar_seq: Counter[str] = Counter()
        self.massar_prefixes: dict[str, str] = {}
        self.ppr_seq: Counter[str] = Counter()
        # Classes of schools already written in this province, by level: where a
        # transferred pupil comes from.
        self.origins: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        self.totals: Counter[str] = Counter()
        # Province state, between the two passes: the pupils each school receives for the
        # current year by (grade, stream), its teachers, its counts, its previous 1AP.
        self.incoming: dict[int, dict[tuple[str, str | None], list[_Kid]]] = {}
        self.staff_of: dict[int, dict[tuple[str, str | None], list[_Assigned]]] = {}
        self.counts_of: dict[int, Counter[str]] = {}
        self.intake_of: dict[int, int] = {}
        self.places: dict[tuple[str, str], list[_Place]] = {}
        # Pupils enrolled, by (province code, year id, age, sex, milieu): the population step
        # derives the school-age population from it.
        self.by_age: Counter[tuple[str, int, int, str, str]] = Counter()
        self.ward: int | None = None

        school = first_school()
        self.demo_school = school.pk if school else None
        users = dict(
            User.objects.filter(username__in=("enseignant", "parent")).values_list("username", "pk")
        )
        self.demo_teacher = users.get("enseignant")
        parent = User.objects.filter(username="parent").first()
        self.demo_parent = parent
        males = {fr for fr, _ar in MALE_FIRST_NAMES}
        self.parent_is_father = parent is not None and parent.first_name in males

        w = writer
        self.users = w.table(
            User, ["id", "username", "password", "first_name", "last_name", "email"]
        )
        self.roles = w.table(RoleAssignment, ["user_id", "role", "org_unit_id"])
        self.teachers = w.table(
            Teacher,
            ["id", "user_id", "ppr", "school_id", "specialty_id", "is_qualified", "qualification"],
        )
        self.classes = w.table(
            SchoolClass,
            ["id", "school_id", "academic_year_id", "grade_level_id", "stream_id", "name"],
        )
        self.pupils = w.table(
            Pupil,
            [
                "id",
                "code_massar",
                "last_name",
                "first_name",
                "last_name_ar",
                "first_name_ar",
                "sex",
                "birth_date",
                "birth_place",
            ],
        )
        self.enrolments = w.table(
            Enrolment,
            [
                "pupil_id",
                "school_id",
                "academic_year_id",
                "grade_level_id",
                "school_class_id",
                "status",
                "entered_on",
                "left_on",
            ],
        )
        self.teachings = w.table(
            TeachingAssignment, ["teacher_id", "school_class_id", "subject_id"]
        )
        self.sheets = w.table(
            MarkSheet, ["id", "school_class_id", "subject_id", "semester_id", "version"]
        )
        self.assessments = w.table(Assessment, ["id", "sheet_id", "kind", "number"])
        self.marks = w.table(
            Mark, ["assessment_id", "pupil_id", "value", "code", "updated_by_id", "updated_at"]
        )
        self.absences = w.table(
            Absence,
            [
                "pupil_id",
                "school_class_id",
                "date",
                "session",
                "hours",
                "justified",
                "reason",
                "recorded_by_id",
            ],
        )
        self.guardians = w.table(Guardian, ["pupil_id", "user_id", "relation"])
        self.transfers = w.table(
            Transfer,
            [
                "pupil_id",
                "academic_year_id",
                "from_school_id",
                "to_school_id",
                "status",
                "reason",
                "requested_by_id",
                "requested_at",
                "decided_by_id",
                "decided_at",
            ],
        )

    # --- one province -------------------------------------------------------------------

    def start_province(self, province: list[tuple[SchoolInfo, list[ClassPlan]]]) -> None:
        """Forget the previous province (transfers and moves stay within one) and list
        where each cycle's newcomers can go: every school teaching it, by its size."""
        self.origins.clear()
        self.incoming.clear()
        self.staff_of.clear()
        self.counts_of.clear()
        self.intake_of.clear()
        self.places.clear()
        steplen = OrgUnit.steplen
        for school, classes in province:
            for cycle in school.cycles:
                first = LEVELS[cycle][0]
                capacity = sum(c.size for c in classes if c.level == first)
                self.places.setdefault((cycle, school.sector), []).append(
                    _Place(school.unit_id, school.path[:-steplen], school.sector, capacity)
                )

    def finish(self) -> None:
        """After the last flush: a father gives his name to the demo parent's child (the
        pupil was written a year before becoming the ward)."""
        parent = self.demo_parent
        if self.ward is None or parent is None or not self.parent_is_father:
            return
        arabic = dict(FAMILY_NAMES).get(parent.last_name)
        fields: dict[str, str] = {"last_name": parent.last_name}
        if arabic:
            fields["last_name_ar"] = arabic
        Pupil.objects.filter(pk=self.ward).update(**fields)

    # --- one school ---------------------------------------------------------------------

    def marks_wanted(self, school: SchoolInfo) -> bool:
        mode = self.ctx.marks_mode
        if mode == "all" or school.unit_id == self.demo_school:
            return mode != "none"
        if mode == "none":
            return False
        draw = self.ctx.rng("schooling", "marks-sample", school.code).random()
        return draw < MARKS_SAMPLE_SHARE

    def _write_classes(self, school: SchoolInfo, plans: list[ClassPlan], year_id: int) -> list[int]:
        class_ids = []
        for plan in plans:
            class_id = self.w.next_id(SchoolClass)
            class_ids.append(class_id)
            self.classes.add(
                (
                    class_id,
                    school.unit_id,
                    year_id,
                    self.levels[plan.level].pk,
                    self.streams[plan.stream] if plan.stream else None,
                    plan.name,
                )
            )
        return class_ids

    def write_previous(self, school: SchoolInfo, plans: list[ClassPlan]) -> None:
        """2024-2025: the planned classes filled with new pupils, their marks of both
        semesters and their absences; then each pupil's outcome, which sends them to a
        class of the current year (here or at another school) or out of school."""
        rng = self.ctx.rng("schooling", "previous", school.code)
        marks_rng = self.ctx.rng("schooling", "previous", "marks", school.code)
        absences_rng = self.ctx.rng("schooling", "previous", "absences", school.code)
        flows_rng = self.ctx.rng("schooling", "flows", school.code)
        counts: Counter[str] = Counter()
        self.counts_of[school.unit_id] = counts
        class_ids = self._write_classes(school, plans, self.previous.pk)
        pool: dict[tuple[str, str | None], list[_Assigned]] = {}
        self.staff_of[school.unit_id] = pool
        assigned = self._staff(school, plans, rng, counts, pool)
        self.intake_of[school.unit_id] = sum(p.size for p in plans if p.level == "1AP")
        for (index, subject), who in assigned.items():
            self.teachings.add((who.teacher_id, class_ids[index], self.subjects[subject]))
        marks = self.marks_wanted(school)
        for index, (plan, class_id) in enumerate(zip(plans, class_ids, strict=True)):
            kids = self._cohort(school, plan, rng, counts)
            roster = _Roster(
                [(k.pupil_id, k.ability, rng.random() < EPS_EXEMPT, None) for k in kids]
            )
            teachers = {
                s: assigned[(index, s)].user_id for s in self.subjects_of[(plan.level, plan.stream)]
            }
            for semester in self.previous_semesters:
                if marks:
                    self._marks(plan, class_id, roster, teachers, semester, marks_rng, counts)
                recorder = teachers[self.subjects_of[(plan.level, plan.stream)][0]]
                self._absences(
                    school,
                    plan,
                    class_id,
                    roster,
                    recorder,
                    self.previous_sessions[semester.pk],
                    absences_rng,
                    counts,
                )
            for kid in kids:
                self._flow(school, plan, class_id, kid, flows_rng, counts)
        self.ctx.progress.advance(sum(p.size for p in plans), school.code)

    def _cohort(
        self, school: SchoolInfo, plan: ClassPlan, rng: random.Random, counts: Counter[str]
    ) -> list[_Kid]:
        """The pupils of one class of the previous year, all new to the demo."""
        key = (plan.cycle, school.milieu)
        level = self.levels[plan.level]
        boys = BOYS_SHARE[key]
        over_age = over_age_share(plan.cycle, plan.level, school)
        born = self.previous.start.year - level.entry_age
        kids = [
            self._new_kid(school, plan.cycle, boys, over_age, born, plan.stream, rng)
            for _k in range(plan.size)
        ]
        repeat = REPEATING_SHARE_1AP if plan.level == "1AP" else REPEATING_SHARE
        for kid in kids:
            kid.repeating = kid.over > 0 and rng.random() < repeat
        counts["pupils"] += plan.size
        return kids

    def _flow(
        self,
        school: SchoolInfo,
        plan: ClassPlan,
        class_id: int,
        kid: _Kid,
        rng: random.Random,
        counts: Counter[str],
    ) -> None:
        """Write the previous year's enrolment with its outcome and send the pupil on:
        promoted (to the next grade, here or, after 6AP and 3AC, at a school of the next
        cycle), repeating (same grade, same school), graduated (2BAC) or out of school.
        Statuses as the class council's closing leaves them; the indicators read the
        enrolments of both years, not these statuses."""
        key = (plan.cycle, school.milieu)
        private = 0.5 if school.sector == "prive" else 1.0
        # Weaker pupils repeat more: exp(-a/sd) has mean exp(1/2) for a ~ N(0, sd).
        weakness = math.exp(-kid.ability / PUPIL_SD - 0.5)
        level = plan.level
        over = LEAVE_OVER_AGE if kid.over else 1.0
        if level == "2BAC":
            repeat, leave = BAC_REPEAT * private * weakness, BAC_LEAVE * over
        else:
            repeat, leave = REPEAT[key] * private * weakness, LEAVE[key] * private * over
        repeat = min(repeat, 0.6)
        draw = rng.random()
        status = EnrolmentStatus.PROMOTED.value
        self.by_age[
            (
                school.province.code,
                self.previous.pk,
                self.levels[level].entry_age + kid.over,
                kid.sex,
                school.milieu,
            )
        ] += 1
        if draw < repeat:
            status = (
                EnrolmentStatus.REPEATING.value if kid.repeating else EnrolmentStatus.ENROLLED.value
            )
            self._send(school.unit_id, level, kid.stream, kid, repeating=True)
            counts["repeating_next"] += 1
        elif level == "2BAC":
            if draw < repeat + leave:
                status = EnrolmentStatus.DROPPED_OUT.value
                counts["left"] += 1
            else:
                status = EnrolmentStatus.GRADUATED.value
                counts["graduated"] += 1
        elif level in ("6AP", "3AC"):
            keep = CONTINUE[(plan.cycle, school.milieu, kid.sex)]
            target = self._destination(school, NEXT_CYCLE[plan.cycle], rng)
            if target is None or rng.random() >= keep:
                status = EnrolmentStatus.DROPPED_OUT.value
                counts["left"] += 1
            else:
                first = LEVELS[NEXT_CYCLE[plan.cycle]][0]
                stream = next_stream(first, None, rng)
                self._send(target, first, stream, kid, repeating=False)
                counts["promoted"] += 1
        elif draw < repeat + leave:
            status = EnrolmentStatus.DROPPED_OUT.value
            counts["left"] += 1
        else:
            following = NEXT_LEVEL[level]
            self._send(
                school.unit_id,
                following,
                next_stream(following, kid.stream, rng),
                kid,
                repeating=False,
            )
            counts["promoted"] += 1
        self.enrolments.add(
            (
                kid.pupil_id,
                school.unit_id,
                self.previous.pk,
                self.levels[level].pk,
                class_id,
                status,
                self.previous.start,
                self.previous.end,
            )
        )
        counts["enrolments"] += 1

    def _send(
        self, unit_id: int, level: str, stream: str | None, kid: _Kid, *, repeating: bool
    ) -> None:
        nxt = _Kid(
            kid.pupil_id,
            kid.sex,
            kid.over + (1 if repeating else 0),
            kid.ability,
            stream,
            repeating,
            True,
        )
        self.incoming.setdefault(unit_id, {}).setdefault((level, stream), []).append(nxt)

    def _destination(self, school: SchoolInfo, cycle: str, rng: random.Random) -> int | None:
        """Where a pupil finishing a cycle continues: the same school if it teaches the next
        cycle, else mostly a school of the same commune and sector, else of the province
        (a private pupil now and then goes on in a public school), by size."""
        if cycle in school.cycles:
            return school.unit_id
        sector = school.sector
        if sector == "prive" and rng.random() < PRIVATE_TO_PUBLIC:
            sector = "public"
        places = self.places.get((cycle, sector)) or self.places.get((cycle, "public"))
        if not places:
            places = self.places.get((cycle, "prive"))
        if not places:
            return None
        commune = school.path[: -OrgUnit.steplen]
        near = [p for p in places if p.commune == commune]
        if near and rng.random() < SAME_COMMUNE:
            places = near
        weights = [max(p.capacity, 1) for p in places]
        return rng.choices(places, weights=weights)[0].unit_id

    def write_current(self, school: SchoolInfo, previous_plans: list[ClassPlan]) -> None:
        """2025-2026: the pupils sent here by the previous year, new pupils in 1AP (and a
        few arrivals from outside the demo where a grade would be too small), in-year
        dropouts and transfers, semester-1 marks and absences."""
        # Marks and absences draw from streams of their own, so choosing --marks does not
        # change anyone's absences.
        rng = self.ctx.rng("schooling", school.code)
        marks_rng = self.ctx.rng("schooling", "marks", school.code)
        absences_rng = self.ctx.rng("schooling", "absences", school.code)
        counts = self.counts_of.pop(school.unit_id)
        groups = self.incoming.pop(school.unit_id, {})
        plans, members, leavers = self._current_classes(school, groups, rng, counts)
        class_ids = self._write_classes(school, plans, self.year.pk)
        pool = self.staff_of.pop(school.unit_id)
        assigned = self._staff(school, plans, rng, counts, pool)
        staff_user = self.heads.get(school.unit_id) or next(iter(assigned.values())).user_id

        ward_class = -1
        if school.unit_id == self.demo_school and self.demo_teacher:
            ward_class = self._demo_class(school, plans, assigned)

        rosters = []
        for index, (plan, class_id) in enumerate(zip(plans, class_ids, strict=True)):
            roster = self._enrol(
                school,
                plan,
                class_id,
                members[index],
                leavers[index],
                rng,
                staff_user,
                counts,
                ward=index == ward_class,
            )
            rosters.append(roster)
        # Only now: a transfer comes from another school.
        for plan, class_id in zip(plans, class_ids, strict=True):
            self.origins[plan.level].append((school.unit_id, class_id, staff_user))

        for (index, subject), who in assigned.items():
            self.teachings.add((who.teacher_id, class_ids[index], self.subjects[subject]))
        marks = self.marks_wanted(school)
        for index, (plan, class_id) in enumerate(zip(plans, class_ids, strict=True)):
            subjects = self.subjects_of[(plan.level, plan.stream)]
            teachers = {s: assigned[(index, s)].user_id for s in subjects}
            if marks:
                self._marks(
                    plan, class_id, rosters[index], teachers, self.semester, marks_rng, counts
                )
            self._absences(
                school,
                plan,
                class_id,
                rosters[index],
                teachers[subjects[0]],
                self.sessions,
                absences_rng,
                counts,
            )

        counts["classes"] = len(plans) + len(previous_plans)
        audit_record(
            actor=None,
            action=SEED,
            obj=OrgUnit(pk=school.unit_id, code=school.code, name_fr=school.name_fr),
            path=school.path,
            changes={key: [None, value] for key, value in sorted(counts.items())}
            | {"seed": [None, self.ctx.seed]},
        )
        self.totals.update(counts)
        self.ctx.progress.advance(sum(p.size for p in previous_plans), school.code)

    def _current_classes(
        self,
        school: SchoolInfo,
        groups: dict[tuple[str, str | None], list[_Kid]],
        rng: random.Random,
        counts: Counter[str],
    ) -> tuple[list[ClassPlan], list[list[_Kid]], list[list[_Kid]]]:
        """Classes of the current year from the pupils each grade and stream has: the
        pupils shuffled and shared out evenly; in-year dropouts set aside first (they are
        on a class's history, not on its roll)."""
        plans: list[ClassPlan] = []
        members: list[list[_Kid]] = []
        leavers: list[list[_Kid]] = []
        for cycle in (P, C, L):
            if cycle not in school.cycles:
                continue
            key = (cycle, school.milieu)
            boys = BOYS_SHARE[key]
            target = PRIVATE_CLASS_SIZE if school.sector == "prive" else CLASS_SIZE[key]
            dropout = DROPOUT[key]
            for level in LEVELS[cycle]:
                born = self.year.start.year - self.levels[level].entry_age
                over_age = over_age_share(cycle, level, school)
                streams = list(STREAM_SHARES.get(level, {None: 1.0}))
                level_groups = {s: list(groups.get((level, s), [])) for s in streams}
                if level == "1AP":
                    n = round(
                        self.intake_of.get(school.unit_id, 0)
                        * (1 - REPEAT[key])
                        * rng.lognormvariate(0, INTAKE_SD)
                    )
                    level_groups[None] += [
                        self._new_kid(school, cycle, boys, over_age * LATE_ENTRY, born, None, rng)
                        for _k in range(n)
                    ]
                    counts["pupils"] += n
                if not any(level_groups.values()):
                    level_groups[streams[0]] = []
                for stream, kids in level_groups.items():
                    if not kids and stream != streams[0]:
                        continue
                    # Arrivals from outside the demo (another province, abroad, back to
                    # school) where a grade would otherwise be too small to be a class.
                    missing = max(0, MIN_CLASS + 2 - len(kids))
                    kids += [
                        self._new_kid(school, cycle, boys, over_age, born, stream, rng)
                        for _k in range(missing)
                    ]
                    counts["pupils"] += missing
                    counts["arrivals"] += missing
                    rng.shuffle(kids)
                    gone = [k for k in kids if rng.random() < dropout]
                    left = {id(k) for k in gone}
                    staying = [k for k in kids if id(k) not in left] if gone else kids
                    sizes = split_evenly(len(staying), target)
                    start = 0
                    first_class = len(plans)
                    for number, size in enumerate(sizes, start=1):
                        plans.append(ClassPlan(cycle, level, stream, number, size))
                        members.append(staying[start : start + size])
                        leavers.append([])
                        start += size
                    for kid in gone:
                        leavers[first_class + int(rng.random() * len(sizes))].append(kid)
        return plans, members, leavers

    def _enrol(
        self,
        school: SchoolInfo,
        plan: ClassPlan,
        class_id: int,
        kids: list[_Kid],
        gone: list[_Kid],
        rng: random.Random,
        staff_user: int,
        counts: Counter[str],
        *,
        ward: bool,
    ) -> _Roster:
        level = self.levels[plan.level]
        start = self.year.start
        origins = self.origins[plan.level]
        roster = _Roster()
        for kid in kids:
            if ward and self.ward is None and kid.continuing and not kid.repeating:
                self._make_ward(kid.pupil_id)
            status = (
                EnrolmentStatus.REPEATING.value if kid.repeating else EnrolmentStatus.ENROLLED.value
            )
            entered = start
            since = None
            if origins and rng.random() < TRANSFER_IN:
                since = entered = rng.choice(self.transfer_days)
                self._transfer(
                    kid.pupil_id, plan, rng.choice(origins), school, staff_user, since, rng
                )
                status = EnrolmentStatus.TRANSFERRED_IN.value
                counts["transfers"] += 1
                counts["enrolments"] += 1
            self.enrolments.add(
                (
                    kid.pupil_id,
                    school.unit_id,
                    self.year.pk,
                    level.pk,
                    class_id,
                    status,
                    entered,
                    None,
                )
            )
            self._count(school, level.entry_age + kid.over, kid.sex)
            roster.pupils.append((kid.pupil_id, kid.ability, rng.random() < EPS_EXEMPT, since))
        counts["enrolments"] += len(kids)
        # Pupils who left during the semester: still on the class's history, not its roll.
        for kid in gone:
            left = rng.choice(self.transfer_days)
            self.enrolments.add(
                (
                    kid.pupil_id,
                    school.unit_id,
                    self.year.pk,
                    level.pk,
                    class_id,
                    EnrolmentStatus.DROPPED_OUT.value,
                    start,
                    left,
                )
            )
            self._count(school, level.entry_age + kid.over, kid.sex)
            counts["enrolments"] += 1
            counts["dropouts"] += 1
        return roster

    def _count(self, school: SchoolInfo, age: int, sex: str) -> None:
        self.by_age[(school.province.code, self.year.pk, age, sex, school.milieu)] += 1

    def _ppr(self, province: ProvinceInfo) -> str:
        self.ppr_seq[province.code] += 1
        n = self.ppr_seq[province.code]
        if n > 99_999:
            raise ValueError(f"{province.code}: more than 99 999 teachers")
        return f"{province.number:02d}{n:05d}"

    def _teacher(
        self, school: SchoolInfo, cycle: str, specialty: str | None, rng: random.Random
    ) -> _Assigned:
        ppr = self._ppr(school.province)
        username = f"{TEACHER_PREFIX}{ppr}"
        sex: Sex = "F" if rng.random() < WOMEN_TEACHERS[(cycle, school.milieu)] else "M"
        name = person_name(rng, sex)
        user_id = self.w.next_id(User)
        self.users.add(
            (
                user_id,
                username,
                password_hash(),
                name.first_name,
                name.last_name,
                f"{username}@{EMAIL_DOMAIN}",
            )
        )
        self.roles.add((user_id, TEACHER, school.unit_id))
        qualified = rng.random() < QUALIFIED.get(school.sector, 0.9)
        qualification = rng.choice(QUALIFICATIONS[cycle] if qualified else UNQUALIFIED)
        teacher_id = self.w.next_id(Teacher)
        self.teachers.add(
            (
                teacher_id,
                user_id,
                ppr,
                school.unit_id,
                self.subjects[specialty] if specialty else None,
                qualified,
                qualification,
            )
        )
        return _Assigned(teacher_id, user_id)

    def _staff(
        self,
        school: SchoolInfo,
        plans: list[ClassPlan],
        rng: random.Random,
        counts: Counter[str],
        pool: dict[tuple[str, str | None], list[_Assigned]],
    ) -> dict[tuple[int, str], _Assigned]:
        """Who teaches each subject of each class (class index, subject code). The k-th
        post of a cycle and subject goes to the school's k-th teacher of that cycle and
        subject (``pool``, the same people from one year to the next); a post beyond
        those hires a new teacher."""
        assigned: dict[tuple[int, str], _Assigned] = {}
        taken: Counter[tuple[str, str | None]] = Counter()
        for post in plan_staff(plans, self.subjects_of):
            key = (post.cycle, post.specialty)
            staff = pool.setdefault(key, [])
            if taken[key] < len(staff):
                teacher = staff[taken[key]]
            else:
                teacher = self._teacher(school, post.cycle, post.specialty, rng)
                staff.append(teacher)
                counts["teachers"] += 1
            taken[key] += 1
            for index, subject in post.teaches:
                assigned[(index, subject)] = teacher
        return assigned

    def _demo_class(
        self, school: SchoolInfo, plans: list[ClassPlan], assigned: dict[tuple[int, str], _Assigned]
    ) -> int:
        """Give ``enseignant`` maths and French in a 6AP class (else 5AP, else the first
        class that has both); return that class's index."""
        candidates = [
            i
            for i, p in enumerate(plans)
            if {"MATH", "FR"} <= set(self.subjects_of[(p.level, p.stream)])
        ]
        if not candidates or self.demo_teacher is None:
            return -1
        index = next(
            (i for level in ("6AP", "5AP") for i in candidates if plans[i].level == level),
            candidates[0],
        )
        teacher_id = self.w.next_id(Teacher)
        self.teachers.add(
            (
                teacher_id,
                self.demo_teacher,
                self._ppr(school.province),
                school.unit_id,
                None,
                True,
                "CRMEF",
            )
        )
        for subject in ("MATH", "FR"):
            assigned[(index, subject)] = _Assigned(teacher_id, self.demo_teacher)
        return index

    def _new_kid(
        self,
        school: SchoolInfo,
        cycle: str,
        boys: float,
        over_age: float,
        born: int,
        stream: str | None,
        rng: random.Random,
    ) -> _Kid:
        """A pupil new to the demo: written now, with a birth date ``over`` years before
        the theoretical one (``born``: the year a pupil of the right age was born)."""
        sex: Sex = "M" if rng.random() < boys else "F"
        name = person_name(rng, sex)
        over = 0
        if rng.random() < over_age:
            draw = rng.random()
            over = 3 if draw < THREE_YEARS_OVER else 2 if draw < TWO_YEARS_OVER else 1
        birth = dt.date(born - over, 1, 1) + dt.timedelta(days=rng.randrange(365))
        code = school.province.code
        self.massar_seq[code] += 1
        seq = self.massar_seq[code]
        if seq > 9_999_999:
            raise ValueError(f"{code}: more than 9 999 999 pupils")
        pupil_id = self.w.next_id(Pupil)
        place = school.town if rng.random() < 0.8 or not school.town else school.seat
        self.pupils.add(
            (
                pupil_id,
                f"{self._massar_prefix(school.province)}{seq:07d}",
                name.last_name,
                name.first_name,
                name.last_name_ar,
                name.first_name_ar,
                sex,
                birth,
                place,
            )
        )
        ability = rng.gauss(0, PUPIL_SD) - (OVER_AGE_PENALTY if over else 0)
        return _Kid(pupil_id, sex, over, ability, stream)

    def _massar_prefix(self, province: ProvinceInfo) -> str:
        """The region's letter and the province's rank: ``J72`` for Tanger-Assilah."""
        prefix = self.massar_prefixes.get(province.code)
        if prefix is None:
            letter = self.region_letter.get(province.path[: 2 * OrgUnit.steplen], "J")
            prefix = self.massar_prefixes[province.code] = f"{letter}{province.number:02d}"
        return prefix

    def _make_ward(self, pupil_id: int) -> None:
        """``parent`` becomes this pupil's guardian; a father gives the pupil his name
        (in :meth:`finish`, the pupil's row being written already)."""
        parent = self.demo_parent
        if parent is None:
            return
        relation = GuardianRelation.FATHER if self.parent_is_father else GuardianRelation.MOTHER
        self.guardians.add((pupil_id, parent.pk, relation.value))
        self.ward = pupil_id

    def _transfer(
        self,
        pupil_id: int,
        plan: ClassPlan,
        origin: tuple[int, int, int],
        school: SchoolInfo,
        staff_user: int,
        day: dt.date,
        rng: random.Random,
    ) -> None:
        from_school, from_class, from_staff = origin
        self.enrolments.add(
            (
                pupil_id,
                from_school,
                self.year.pk,
                self.levels[plan.level].pk,
                from_class,
                EnrolmentStatus.TRANSFERRED_OUT.value,
                self.year.start,
                day,
            )
        )
        asked = day - dt.timedelta(days=rng.randint(3, 15))
        self.transfers.add(
            (
                pupil_id,
                self.year.pk,
                from_school,
                school.unit_id,
                TransferStatus.ACCEPTED.value,
                rng.choice(TRANSFER_REASONS),
                from_staff,
                dt.datetime.combine(asked, dt.time(10, rng.randrange(60)), self.tz),
                staff_user,
                dt.datetime.combine(day, dt.time(9, rng.randrange(60)), self.tz),
            )
        )

    def _marks(
        self,
        plan: ClassPlan,
        class_id: int,
        roster: _Roster,
        teachers: dict[str, int],
        semester: Semester,
        rng: random.Random,
        counts: Counter[str],
    ) -> None:
        gauss, rand = rng.gauss, rng.random
        add = self.marks.add
        mean = MARK_MEAN[plan.cycle]
        # Drawn out of 20; primary marks are out of 10 (docs/schooling.md § Marks).
        halve = plan.cycle == P
        first_year = semester.academic_year.start.year
        columns_of = COLUMNS if semester.number == 1 else COLUMNS_2
        for subject in self.subjects_of[(plan.level, plan.stream)]:
            user = teachers[subject]
            sheet_id = self.w.next_id(MarkSheet)
            self.sheets.add((sheet_id, class_id, self.subjects[subject], semester.pk, 1))
            columns = []
            for kind, number, (month, day), bonus in columns_of:
                assessment_id = self.w.next_id(Assessment)
                self.assessments.add((assessment_id, sheet_id, kind, number))
                year = first_year if month >= 9 else first_year + 1
                when = dt.datetime(
                    year, month, day, rng.randint(17, 21), rng.randrange(60), tzinfo=self.tz
                ) + dt.timedelta(days=rng.randint(-6, 6))
                columns.append((assessment_id, bonus, when))
            class_effect = gauss(0, CLASS_SD)
            eps = subject == "EPS"
            for pupil_id, ability, exempt, _since in roster.pupils:
                if eps and exempt:
                    for assessment_id, _bonus, when in columns:
                        add((assessment_id, pupil_id, None, MarkCode.EXEMPT.value, user, when))
                    continue
                base = mean + ability + class_effect + gauss(0, SUBJECT_SD)
                for assessment_id, bonus, when in columns:
                    if rand() < ABSENT_AT_TEST:
                        add((assessment_id, pupil_id, None, MarkCode.ABSENT.value, user, when))
                        continue
                    q = min(max(round((base + bonus + gauss(0, TEST_SD)) * 4), 0), 80)
                    add(
                        (assessment_id, pupil_id, MARK_TEXT[q // 2 if halve else q], "", user, when)
                    )
            counts["sheets"] += 1
            counts["marks"] += len(roster.pupils) * len(columns)

    def _absences(
        self,
        school: SchoolInfo,
        plan: ClassPlan,
        class_id: int,
        roster: _Roster,
        recorder: int,
        sessions: list[tuple[dt.date, str]],
        rng: random.Random,
        counts: Counter[str],
    ) -> None:
        mean = ABSENCES[(plan.cycle, school.milieu)]
        n_sessions = len(sessions)
        if not n_sessions:
            return
        rand = rng.random
        add = self.absences.add
        n = 0
        for pupil_id, _ability, _exempt, since in roster.pupils:
            k = poisson(rng, mean * rng.gammavariate(ABSENCE_SPREAD, 1 / ABSENCE_SPREAD))
            if not k:
                continue
            # k distinct half-days (rng.sample costs more than the few draws it saves).
            chosen: set[int] = set()
            while len(chosen) < min(k, MAX_ABSENCES):
                chosen.add(int(rand() * n_sessions))
            for i in sorted(chosen):
                day, session = sessions[i]
                if since is not None and day < since:
                    continue
                justified = rand() < JUSTIFIED
                reason = weighted_choice(rng, REASONS, REASON_WEIGHTS) if justified else ""
                add(
                    (
                        pupil_id,
                        class_id,
                        day,
                        session,
                        HOURS_PER_SESSION,
                        justified,
                        reason,
                        recorder,
                    )
                )
                n += 1
        counts["absences"] += n
