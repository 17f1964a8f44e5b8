"""Morocco's education structure as default configuration: levels, lycée streams, subjects
with coefficients, certificate weightings, mark scales and class-council thresholds.

Sources and reasoning for each figure are in docs/schooling.md. Everything here is data a
ministry may change in the admin; ``structure_load_morocco`` only fills what is missing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from pilotage.orgunits.models import Cycle
from pilotage.schooling import grading
from pilotage.schooling.models import (
    CouncilPolicy,
    ExamWeighting,
    GradeLevel,
    GradingScale,
    Stream,
    Subject,
    SubjectCoefficient,
)

# code, cycle, order, entry age, French, Arabic, English
GRADE_LEVELS = [
    ("1AP", Cycle.PRIMAIRE, 1, 6, "1re année primaire", "السنة الأولى ابتدائي", "Primary year 1"),
    ("2AP", Cycle.PRIMAIRE, 2, 7, "2e année primaire", "السنة الثانية ابتدائي", "Primary year 2"),
    ("3AP", Cycle.PRIMAIRE, 3, 8, "3e année primaire", "السنة الثالثة ابتدائي", "Primary year 3"),
    ("4AP", Cycle.PRIMAIRE, 4, 9, "4e année primaire", "السنة الرابعة ابتدائي", "Primary year 4"),
    ("5AP", Cycle.PRIMAIRE, 5, 10, "5e année primaire", "السنة الخامسة ابتدائي", "Primary year 5"),
    ("6AP", Cycle.PRIMAIRE, 6, 11, "6e année primaire", "السنة السادسة ابتدائي", "Primary year 6"),
    (
        "1AC",
        Cycle.COLLEGE,
        7,
        12,
        "1re année collège",
        "السنة الأولى إعدادي",
        "Lower secondary year 1",
    ),
    (
        "2AC",
        Cycle.COLLEGE,
        8,
        13,
        "2e année collège",
        "السنة الثانية إعدادي",
        "Lower secondary year 2",
    ),
    (
        "3AC",
        Cycle.COLLEGE,
        9,
        14,
        "3e année collège",
        "السنة الثالثة إعدادي",
        "Lower secondary year 3",
    ),
    ("TC", Cycle.LYCEE, 10, 15, "Tronc commun", "الجذع المشترك", "Common core"),
    (
        "1BAC",
        Cycle.LYCEE,
        11,
        16,
        "1re année du baccalauréat",
        "السنة الأولى باكالوريا",
        "Baccalaureate year 1",
    ),
    (
        "2BAC",
        Cycle.LYCEE,
        12,
        17,
        "2e année du baccalauréat",
        "السنة الثانية باكالوريا",
        "Baccalaureate year 2",
    ),
]

STREAMS = [
    ("SC", "Sciences", "علوم", "Sciences", ["TC"]),
    ("LSH", "Lettres et sciences humaines", "آداب وعلوم إنسانية", "Arts and humanities", ["TC"]),
    ("SE", "Sciences expérimentales", "علوم تجريبية", "Experimental sciences", ["1BAC"]),
    ("SM", "Sciences mathématiques", "علوم رياضية", "Mathematical sciences", ["1BAC", "2BAC"]),
    ("PC", "Sciences physiques", "علوم فيزيائية", "Physical sciences", ["2BAC"]),
    (
        "SVT",
        "Sciences de la vie et de la terre",
        "علوم الحياة والأرض",
        "Life and earth sciences",
        ["2BAC"],
    ),
    ("L", "Lettres", "آداب", "Arts", ["1BAC", "2BAC"]),
]

SUBJECTS = [
    ("AR", "Arabe", "اللغة العربية", "Arabic"),
    ("FR", "Français", "اللغة الفرنسية", "French"),
    ("AMZ", "Amazighe", "اللغة الأمازيغية", "Amazigh"),
    ("EN", "Anglais", "اللغة الإنجليزية", "English"),
    ("MATH", "Mathématiques", "الرياضيات", "Mathematics"),
    ("SVT", "Sciences de la vie et de la terre", "علوم الحياة والأرض", "Life and earth sciences"),
    ("PC", "Physique-chimie", "الفيزياء والكيمياء", "Physics and chemistry"),
    ("EVS", "Éveil scientifique", "النشاط العلمي", "Science awareness"),
    ("EI", "Éducation islamique", "التربية الإسلامية", "Islamic education"),
    ("HG", "Histoire-géographie", "الاجتماعيات", "History and geography"),
    ("PHILO", "Philosophie", "الفلسفة", "Philosophy"),
    ("INFO", "Informatique", "المعلوميات", "Computing"),
    ("EPS", "Éducation physique", "التربية البدنية", "Physical education"),
    ("ART", "Éducation artistique", "التربية الفنية", "Arts education"),
]

# Coefficients per level (and stream for the lycée). Primary subjects all weigh 1.
_PRIMARY = {"AR": 1, "FR": 1, "AMZ": 1, "MATH": 1, "EVS": 1, "EI": 1, "HG": 1, "EPS": 1, "ART": 1}
_COLLEGE = {
    "AR": 3,
    "FR": 3,
    "EN": 2,
    "MATH": 3,
    "SVT": 2,
    "PC": 2,
    "EI": 2,
    "HG": 2,
    "INFO": 1,
    "EPS": 1,
}
COEFFICIENTS: dict[tuple[str, str | None], dict[str, int]] = {
    **{(f"{n}AP", None): _PRIMARY for n in range(1, 7)},
    **{(f"{n}AC", None): _COLLEGE for n in range(1, 4)},
    ("TC", "SC"): {
        "AR": 2,
        "FR": 4,
        "EN": 2,
        "MATH": 4,
        "SVT": 3,
        "PC": 3,
        "EI": 2,
        "HG": 2,
        "PHILO": 2,
        "INFO": 1,
        "EPS": 1,
    },
    ("TC", "LSH"): {
        "AR": 4,
        "FR": 4,
        "EN": 3,
        "MATH": 2,
        "SVT": 1,
        "PC": 1,
        "EI": 2,
        "HG": 3,
        "PHILO": 2,
        "INFO": 1,
        "EPS": 1,
    },
    ("1BAC", "SE"): {
        "AR": 2,
        "FR": 4,
        "EN": 2,
        "MATH": 4,
        "SVT": 5,
        "PC": 5,
        "EI": 2,
        "HG": 2,
        "PHILO": 2,
        "EPS": 1,
    },
    ("1BAC", "SM"): {
        "AR": 2,
        "FR": 4,
        "EN": 2,
        "MATH": 7,
        "SVT": 2,
        "PC": 5,
        "EI": 2,
        "HG": 2,
        "PHILO": 2,
        "EPS": 1,
    },
    ("1BAC", "L"): {"AR": 4, "FR": 4, "EN": 4, "MATH": 1, "EI": 3, "HG": 3, "PHILO": 3, "EPS": 1},
    ("2BAC", "PC"): {"FR": 4, "EN": 2, "MATH": 7, "SVT": 5, "PC": 7, "PHILO": 2, "EPS": 1},
    ("2BAC", "SVT"): {"FR": 4, "EN": 2, "MATH": 7, "SVT": 7, "PC": 5, "PHILO": 2, "EPS": 1},
    ("2BAC", "SM"): {"FR": 4, "EN": 2, "MATH": 9, "PC": 7, "SVT": 3, "PHILO": 2, "EPS": 1},
    ("2BAC", "L"): {"AR": 4, "FR": 4, "EN": 4, "HG": 3, "PHILO": 4, "EPS": 1},
}

# Certificate weightings (fractions). See docs/schooling.md for the sources.
WEIGHTINGS = {
    # Certificat d'études primaires: continuous assessment 50 %, provincial exam 50 %
    # (counted here as the "local" part).
    "6AP": {"continuous": "0.5", "local_exam": "0.5"},
    # Brevet / certificat d'études collégiales: (3 CC + 3 local + 4 regional) / 10.
    "3AC": {"continuous": "0.3", "local_exam": "0.3", "regional_exam": "0.4"},
    # Baccalauréat: 25 % CC, 25 % regional exam (taken in 1BAC), 50 % national exam.
    "2BAC": {"continuous": "0.25", "regional_exam": "0.25", "national_exam": "0.5"},
}

# The mentions of the baccalauréat, on marks out of 20 (docs/schooling.md § Marks).
BAC_MENTIONS = [
    {"from": "16", "fr": "Très bien", "ar": "حسن جداً", "en": "Very good"},
    {"from": "14", "fr": "Bien", "ar": "حسن", "en": "Good"},
    {"from": "12", "fr": "Assez bien", "ar": "مستحسن", "en": "Fairly good"},
    {"from": "10", "fr": "Passable", "ar": "مقبول", "en": "Pass"},
]

# Mark scale per cycle: maximum, pass mark, mentions, S1 and S2 weights in the annual
# average. Primary marks are out of 10 with a pass at 5, collège and lycée marks out of 20
# with a pass at 10; the annual average is (S1 + S2) / 2 everywhere. The sources and what
# is still to be confirmed are in docs/schooling.md § Marks; migration
# 0004_grading_scale writes the same rows into existing databases.
SCALES: dict[str, dict[str, Any]] = {
    Cycle.PRIMAIRE: {
        "mark_max": "10",
        "pass_mark": "5",
        "mentions": [],
        "weights": ("1", "1"),
        "source": "Primaire : notes sur 10, réussite à 5/10 (docs/schooling.md § Marks)",
    },
    Cycle.COLLEGE: {
        "mark_max": "20",
        "pass_mark": "10",
        "mentions": BAC_MENTIONS,
        "weights": ("1", "1"),
        "source": "Collège : notes sur 20, réussite à 10/20 (docs/schooling.md § Marks)",
    },
    Cycle.LYCEE: {
        "mark_max": "20",
        "pass_mark": "10",
        "mentions": BAC_MENTIONS,
        "weights": ("1", "1"),
        "source": "Lycée : notes sur 20, mentions du baccalauréat (docs/schooling.md § Marks)",
    },
}

# The council's promotion threshold starts at the cycle's pass mark.
COUNCIL = {cycle: int(scale["pass_mark"]) for cycle, scale in SCALES.items()}


def _scale(
    mark_max: Any, pass_mark: Any, mentions: list[dict[str, str]], weights: tuple[Any, Any]
) -> grading.Scale:
    return grading.Scale(
        maximum=Decimal(mark_max),
        pass_mark=Decimal(pass_mark),
        mentions=tuple(
            grading.Mention(
                Decimal(str(m["from"])),
                tuple((lang, str(m[lang])) for lang in ("fr", "ar", "en") if m.get(lang)),
            )
            for m in mentions
        ),
        semester_weights=(Decimal(weights[0]), Decimal(weights[1])),
    )


def default_scale(cycle: str) -> grading.Scale:
    """The shipped default of a cycle (an unknown cycle gets marks out of 20)."""
    row = SCALES.get(cycle, SCALES[Cycle.LYCEE])
    return _scale(row["mark_max"], row["pass_mark"], row["mentions"], row["weights"])


def grading_scale(cycle: str) -> grading.Scale:
    """The configured scale of a cycle, in one query; the shipped default while the
    cycle has no ``GradingScale`` row (a database loaded before the scales existed)."""
    return _row_scale(GradingScale.objects.filter(cycle=cycle).first(), cycle)


def _row_scale(row: GradingScale | None, cycle: str) -> grading.Scale:
    if row is None:
        return default_scale(cycle)
    return _scale(
        row.mark_max,
        row.pass_mark,
        list(row.mentions or []),
        (row.first_semester_weight, row.second_semester_weight),
    )


def grading_scales() -> dict[str, grading.Scale]:
    """Every cycle's scale in one query (the shipped default for a cycle without a row)."""
    rows = {row.cycle: row for row in GradingScale.objects.all()}
    return {cycle: _row_scale(rows.get(cycle), cycle) for cycle in Cycle.values}


@transaction.atomic
def structure_load_morocco(*, actor: Any = None) -> dict[str, int]:
    """Create what is missing; never overwrite what a ministry has configured."""
    levels = {}
    for code, cycle, order, age, fr, ar, en in GRADE_LEVELS:
        levels[code], _ = GradeLevel.objects.get_or_create(
            code=code,
            defaults={
                "cycle": cycle,
                "order": order,
                "entry_age": age,
                "name_fr": fr,
                "name_ar": ar,
                "name_en": en,
            },
        )
    streams = {}
    for code, fr, ar, en, level_codes in STREAMS:
        streams[code], created = Stream.objects.get_or_create(
            code=code, defaults={"name_fr": fr, "name_ar": ar, "name_en": en}
        )
        if created:
            streams[code].grade_levels.set([levels[c] for c in level_codes])
    subjects = {}
    for code, fr, ar, en in SUBJECTS:
        subjects[code], _ = Subject.objects.get_or_create(
            code=code, defaults={"name_fr": fr, "name_ar": ar, "name_en": en}
        )
    for (level_code, stream_code), table in COEFFICIENTS.items():
        for subject_code, coefficient in table.items():
            SubjectCoefficient.objects.get_or_create(
                grade_level=levels[level_code],
                stream=streams[stream_code] if stream_code else None,
                subject=subjects[subject_code],
                defaults={"coefficient": Decimal(coefficient)},
            )
    for level_code, weights in WEIGHTINGS.items():
        ExamWeighting.objects.get_or_create(
            grade_level=levels[level_code], defaults={k: Decimal(v) for k, v in weights.items()}
        )
    for scale_cycle, scale in SCALES.items():
        GradingScale.objects.get_or_create(
            cycle=scale_cycle,
            defaults={
                "mark_max": Decimal(scale["mark_max"]),
                "pass_mark": Decimal(scale["pass_mark"]),
                "mentions": scale["mentions"],
                "first_semester_weight": Decimal(scale["weights"][0]),
                "second_semester_weight": Decimal(scale["weights"][1]),
                "source": scale["source"],
            },
        )
    for council_cycle, threshold in COUNCIL.items():
        CouncilPolicy.objects.get_or_create(
            cycle=council_cycle, defaults={"promote_from": Decimal(threshold)}
        )
    return {"levels": len(levels), "streams": len(streams), "subjects": len(subjects)}
