"""Import of enrolments: ``import_students`` (full validation, then the set-based apply)
against a raw PostgreSQL COPY of the same file and against django-import-export.

The claim (issue "School records", Performance): importing a national pupils file runs at
≥ 0.5 × the rate of a raw COPY of the same file, validation included.

What it builds, in a throwaway database: the Moroccan structure and tree, the year
2025-2026, ``--schools`` schools in one commune (primary schools, collèges and lycées), no
pupil. Then a CSV of ``--rows`` rows in the import_students format (docs/imports.md):
unique codes Massar, Moroccan names in Latin and Arabic script, birth dates that fit the
level, classes of 35 pupils, rows grouped by class as a Massar export is.

What it measures, in the same run on the same file:

- COPY: ``COPY staging FROM STDIN (FORMAT csv, HEADER)`` through psycopg 3
  ``cursor.copy``, into a plain table (and an unlogged one) of eleven text columns; no
  check, no key, no index: the floor of getting the bytes into PostgreSQL;
- ours: ``students_import`` (what ``manage.py import_students FILE`` calls), first import
  on the empty database, every row validated; the split validation / apply, and the CPU
  of this process and of its PostgreSQL backend;
- django-import-export on the first ``--slice`` rows: a ``ModelResource`` for Pupil
  (``code_massar`` as the key, model validation on) then one for Enrolment (foreign keys
  by code through ``ForeignKeyWidget``, the class found or created per row), the way a
  Django project would wire the library; and ours on the same slice for the ratio.

Between runs the pupils, enrolments and classes are emptied with TRUNCATE, so each run
starts from empty tables. Then ``--profile-rows`` rows of ours again under cProfile: the
top functions say where the time goes.

django-import-export is not in the requirements (a bench-only comparison): install it with
``.venv/bin/pip install django-import-export``, or pass ``--no-import-export``. It is not
added to INSTALLED_APPS: its resources work without the app.

    .venv/bin/python bench/import_enrolments.py                       # 1 000 000 rows
    .venv/bin/python bench/import_enrolments.py --rows 200000 --slice 20000 --no-record
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import datetime as dt
import importlib.util
import io
import os
import pstats
import random
import shlex
import signal
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import common
import psycopg

FIRST_YEAR = 2025
YEAR_CODE = f"{FIRST_YEAR}-{FIRST_YEAR + 1}"
CLASS_SIZE = 35
GOAL_RATIO = 0.5
COLUMNS = (
    "code_massar",
    "nom",
    "prenom",
    "nom_ar",
    "prenom_ar",
    "sexe",
    "date_naissance",
    "code_etablissement",
    "niveau",
    "classe",
    "annee_scolaire",
)
CYCLE_LEVELS = {
    "primaire": ("1AP", "2AP", "3AP", "4AP", "5AP", "6AP"),
    "college": ("1AC", "2AC", "3AC"),
    "lycee": ("TC", "1BAC", "2BAC"),
}
LAST_NAMES = (
    ("Alaoui", "العلوي"),
    ("Bennani", "بناني"),
    ("Chraibi", "الشرايبي"),
    ("El Idrissi", "الإدريسي"),
    ("El Fassi", "الفاسي"),
    ("Naciri", "الناصري"),
    ("Tazi", "التازي"),
    ("Zerouali", "الزروالي"),
    ("Benjelloun", "بنجلون"),
    ("Amrani", "العمراني"),
    ("Berrada", "برادة"),
    ("Ouazzani", "الوزاني"),
    ("El Amrani", "العمراني"),
    ("Lahlou", "لحلو"),
    ("Sqalli", "السقلي"),
    ("Kettani", "الكتاني"),
    ("Bouzidi", "البوزيدي"),
    ("Hajji", "الحجي"),
    ("Mansouri", "المنصوري"),
    ("Ziani", "الزياني"),
)
FIRST_NAMES = (
    ("Yasmine", "ياسمين", "F"),
    ("Omar", "عمر", "M"),
    ("Salma", "سلمى", "F"),
    ("Youssef", "يوسف", "M"),
    ("Imane", "إيمان", "F"),
    ("Mehdi", "المهدي", "M"),
    ("Hiba", "هبة", "F"),
    ("Anas", "أنس", "M"),
    ("Khadija", "خديجة", "F"),
    ("Hamza", "حمزة", "M"),
    ("Fatima Zahra", "فاطمة الزهراء", "F"),
    ("Ayoub", "أيوب", "M"),
    ("Nour", "نور", "F"),
    ("Adam", "آدم", "M"),
    ("Rim", "ريم", "F"),
    ("Ilyas", "إلياس", "M"),
)


# --- Data set ----------------------------------------------------------------------------


@dataclass
class Setup:
    schools: list[tuple[str, tuple[str, ...]]]  # (school code, levels)
    entry_age: dict[str, int]
    built_in: float


def build_schools(n_schools: int) -> Setup:
    """Structure, tree, year 2025-2026 and ``n_schools`` schools (half primary, a third
    collèges, the rest lycées) in one commune of the first province, through the services
    ``seed_demo`` uses; no class, no pupil."""
    from pilotage.orgunits.countries import country_load_morocco
    from pilotage.orgunits.models import OrgUnit, OrgUnitLevel
    from pilotage.orgunits.services import academic_year_create, orgunit_create, school_save
    from pilotage.schooling.models import GradeLevel
    from pilotage.schooling.structure import structure_load_morocco

    started = time.perf_counter()
    structure_load_morocco()
    country_load_morocco()
    academic_year_create(actor=None, first_year=FIRST_YEAR, current=True)
    province = OrgUnit.objects.filter(depth=3).order_by("code").first()
    assert province is not None  # noqa: S101 - country_load_morocco just made them
    commune = orgunit_create(
        actor=None,
        parent=province,
        level=OrgUnitLevel.objects.get(depth=4),
        code="BENCH-COMMUNE",
        name_fr="Commune du banc d'essai",
    )
    school_level = OrgUnitLevel.objects.get(depth=5)
    schools = []
    for s in range(n_schools):
        cycle = "primaire" if s % 6 < 3 else "college" if s % 6 < 5 else "lycee"
        commune.refresh_from_db(fields=["path", "depth", "numchild"])
        unit = orgunit_create(
            actor=None,
            parent=commune,
            level=school_level,
            code=f"BENCH-{s:03d}",
            name_fr=f"Établissement du banc d'essai {s}",
        )
        code = f"{90000 + s}B"
        school_save(
            actor=None,
            org_unit=unit,
            school_code=code,
            cycles=[cycle],
            sector="public",
            milieu="urbain",
        )
        schools.append((code, CYCLE_LEVELS[cycle]))
    entry_age = dict(GradeLevel.objects.values_list("code", "entry_age"))
    return Setup(schools, entry_age, time.perf_counter() - started)


def write_csv(path: Path, rows: int, setup: Setup, seed: int = 2025) -> None:
    """``rows`` valid rows, grouped by class of 35; classes go round the schools, each
    school cycling through its levels (class ``5AP-12`` is the twelfth 5AP class)."""
    rng = random.Random(seed)
    counters: dict[tuple[str, str], int] = {}
    n_schools = len(setup.schools)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        school = level = name = ""
        for i in range(rows):
            if i % CLASS_SIZE == 0:
                k = i // CLASS_SIZE
                school, levels = setup.schools[k % n_schools]
                level = levels[(k // n_schools) % len(levels)]
                counters[(school, level)] = number = counters.get((school, level), 0) + 1
                name = f"{level}-{number}"
            last, last_ar = LAST_NAMES[rng.randrange(len(LAST_NAMES))]
            first, first_ar, sex = FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]
            age = setup.entry_age[level] + rng.choice((0, 0, 0, 0, 1, 1, 2))
            birth = dt.date(FIRST_YEAR - age, rng.randint(1, 12), rng.randint(1, 28))
            writer.writerow(
                (
                    f"{'JKMNPRS'[i % 7]}{130_000_000 + i:09d}",
                    last,
                    first,
                    last_ar,
                    first_ar,
                    sex,
                    birth.isoformat() if i % 4 else birth.strftime("%d/%m/%Y"),
                    school,
                    level,
                    name,
                    YEAR_CODE,
                )
            )


def write_slice(source: Path, target: Path, rows: int) -> None:
    with source.open(encoding="utf-8") as src, target.open("w", encoding="utf-8") as out:
        for i, line in enumerate(src):
            if i > rows:
                break
            out.write(line)


# --- Runs --------------------------------------------------------------------------------


@dataclass
class Run:
    label: str
    rows: int
    wall: float
    cpu_python: float = 0.0
    cpu_postgres: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    note: str = ""

    @property
    def rate(self) -> float:
        return self.rows / self.wall if self.wall else 0.0


def run_copy(db_url: str, path: Path, *, unlogged: bool) -> Run:
    kind = "UNLOGGED " if unlogged else ""
    table = "bench_staging_unlogged" if unlogged else "bench_staging"
    columns = ", ".join(f"{c} text" for c in COLUMNS)
    with psycopg.connect(db_url) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute(f"CREATE {kind}TABLE {table} ({columns})")
        conn.commit()
        backend = conn.info.backend_pid
        cpu0, pg0, t0 = time.process_time(), common.cpu_seconds([backend]), time.perf_counter()
        sql = f"COPY {table} FROM STDIN (FORMAT csv, HEADER true)"
        with conn.cursor() as cur, cur.copy(sql) as copy, path.open("rb") as f:
            while chunk := f.read(1 << 20):
                copy.write(chunk)
        conn.commit()
        wall = time.perf_counter() - t0
        cpu, pg = time.process_time() - cpu0, common.cpu_seconds([backend]) - pg0
        found = conn.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
        count = int(found[0]) if found else 0
        conn.execute(f"DROP TABLE {table}")
        conn.commit()
    what = "an unlogged" if unlogged else "a plain"
    return Run(f"COPY into {what} table of text columns", count, wall, cpu, pg)


SQL_FLOOR = """
INSERT INTO schooling_pupil (code_massar, last_name, first_name, last_name_ar,
    first_name_ar, sex, birth_date, birth_place, created_at)
SELECT code_massar, nom, prenom, nom_ar, prenom_ar, sexe,
    CASE WHEN date_naissance LIKE '%/%' THEN to_date(date_naissance, 'DD/MM/YYYY')
         ELSE date_naissance::date END, '', now()
FROM bench_floor;
INSERT INTO schooling_schoolclass (school_id, academic_year_id, grade_level_id, name)
SELECT DISTINCT s.org_unit_id, y.id, g.id, f.classe
FROM bench_floor f
JOIN orgunits_school s ON s.school_code = f.code_etablissement
JOIN orgunits_academicyear y ON y.code = f.annee_scolaire
JOIN schooling_gradelevel g ON g.code = f.niveau;
INSERT INTO schooling_enrolment (pupil_id, school_id, academic_year_id, grade_level_id,
    school_class_id, status, entered_on)
SELECT p.id, s.org_unit_id, y.id, g.id, c.id, 'enrolled', y.start
FROM bench_floor f
JOIN schooling_pupil p ON p.code_massar = f.code_massar
JOIN orgunits_school s ON s.school_code = f.code_etablissement
JOIN orgunits_academicyear y ON y.code = f.annee_scolaire
JOIN schooling_gradelevel g ON g.code = f.niveau
JOIN schooling_schoolclass c ON c.school_id = s.org_unit_id AND c.academic_year_id = y.id
    AND c.name = f.classe;
"""


def run_sql_floor(db_url: str, path: Path, variant: FloorVariant | None = None) -> Run:
    """What PostgreSQL alone needs to write the same pupils, classes and enrolments into
    the real tables (their indexes, unique and foreign-key constraints): COPY into a
    temporary table, then three INSERT … SELECT, one transaction, no row validation.

    With a ``variant``, its DDL runs first in the same transaction (not timed), the
    deferred foreign-key checks are run by ``SET CONSTRAINTS ALL IMMEDIATE`` (what the
    commit would do), and the transaction rolls back: the schema is left as it was."""
    columns = ", ".join(f"{c} text" for c in COLUMNS)
    with psycopg.connect(db_url) as conn:
        for statement in variant.ddl if variant else ():
            conn.execute(statement)
        backend = conn.info.backend_pid
        cpu0, pg0, t0 = time.process_time(), common.cpu_seconds([backend]), time.perf_counter()
        conn.execute(f"CREATE TEMPORARY TABLE bench_floor ({columns}) ON COMMIT DROP")
        sql = "COPY bench_floor FROM STDIN (FORMAT csv, HEADER true)"
        with conn.cursor() as cur, cur.copy(sql) as copy, path.open("rb") as f:
            while chunk := f.read(1 << 20):
                copy.write(chunk)
        conn.execute("ANALYZE bench_floor")
        for statement in SQL_FLOOR.split(";"):
            if statement.strip():
                conn.execute(statement)
        if variant:
            conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
        else:
            conn.commit()
        wall = time.perf_counter() - t0
        cpu, pg = time.process_time() - cpu0, common.cpu_seconds([backend]) - pg0
        found = conn.execute("SELECT count(*) FROM schooling_enrolment").fetchone()
        count = int(found[0]) if found else 0
        if variant:
            conn.rollback()
    label = "COPY into a temporary table, then INSERT … SELECT into the real tables"
    return Run(
        f"{label} ({variant.label})" if variant else f"{label} (no validation)",
        count,
        wall,
        cpu,
        pg,
    )


@dataclass
class FloorVariant:
    label: str
    ddl: list[str]


def floor_variants() -> list[FloorVariant]:
    """The SQL floor on other schemas, to price each index and foreign key per row: the
    indexes migration schooling 0003 dropped put back; the enrolment's foreign keys
    dropped; every index but the primary keys and the code Massar's dropped; both."""
    fks = [
        ("schooling_enrolment", "pupil_id"),
        ("schooling_enrolment", "school_id"),
        ("schooling_enrolment", "academic_year_id"),
        ("schooling_enrolment", "grade_level_id"),
        ("schooling_enrolment", "school_class_id"),
    ]
    drop_fks = [
        "DO $$DECLARE c record; BEGIN FOR c IN SELECT conname FROM pg_constraint WHERE"
        " conrelid = 'schooling_enrolment'::regclass AND contype = 'f' LOOP EXECUTE"
        " format('ALTER TABLE schooling_enrolment DROP CONSTRAINT %I', c.conname);"
        " END LOOP; END$$"
    ]
    drop_indexes = [
        "DROP INDEX enrolment_school_year, enrolment_class, pupil_name,"
        " schooling_enrolment_pupil_id_6ea8a3f8",
        "ALTER TABLE schooling_enrolment DROP CONSTRAINT IF EXISTS one_active_enrolment_per_year",
        "DROP INDEX IF EXISTS one_active_enrolment_per_year",
    ]
    restore = [f"CREATE INDEX ON {table} ({column})" for table, column in fks[1:]] + [
        "CREATE INDEX ON schooling_pupil (code_massar varchar_pattern_ops)"
    ]
    return [
        FloorVariant("the 5 indexes dropped by migration 0003 put back", restore),
        FloorVariant(f"without the enrolment's {len(fks)} foreign keys", drop_fks),
        FloorVariant("without the 5 secondary indexes", drop_indexes),
        FloorVariant("without foreign keys nor secondary indexes", drop_fks + drop_indexes),
    ]


class Clock:
    """Stands in for ``Progress``: notes when validation ends (``total`` is called
    between the two passes)."""

    def __init__(self) -> None:
        self.validated_at = 0.0

    def total(self, _rows: int) -> None:
        self.validated_at = time.perf_counter()

    def advance(self, *_args: Any, **_kwargs: Any) -> None:
        pass


def backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def empty_tables() -> None:
    """Back to empty pupils, enrolments and classes (new files, fresh statistics)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE schooling_enrolment, schooling_pupil, schooling_schoolclass CASCADE"
        )
        cursor.execute("ANALYZE schooling_enrolment, schooling_pupil, schooling_schoolclass")


def counts() -> tuple[int, int, int]:
    from pilotage.schooling.models import Enrolment, Pupil, SchoolClass

    return Pupil.objects.count(), Enrolment.objects.count(), SchoolClass.objects.count()


def run_ours(
    db_url: str, path: Path, rows: int, label: str, profile: cProfile.Profile | None = None
) -> Run:
    """The import writes on a second connection while it validates: the PostgreSQL CPU
    is that of every backend of the database, sampled (see common.CpuSampler)."""
    from pilotage.schooling.imports import students_import

    backend_pid()  # this process's connection is open before the sampler starts
    clock = Clock()
    sampler = common.CpuSampler(lambda: common.pg_backend_pids(db_url), interval=0.2)
    cpu0, t0 = time.process_time(), time.perf_counter()
    sampler.start()
    with path.open("rb") as stream:
        if profile:
            profile.enable()
        result = students_import(
            actor=None,
            stream=stream,
            filename=path.name,
            progress=clock,  # type: ignore[arg-type]
        )
        if profile:
            profile.disable()
    wall = time.perf_counter() - t0
    cpu, pg = time.process_time() - cpu0, sampler.stop()
    pupils, enrolments, classes = counts()
    note = (
        f"{result['pupils_created']} pupils, {result['enrolments_created']} enrolments,"
        f" {result['classes_created']} classes created; in the database {pupils} / "
        f"{enrolments} / {classes}"
    )
    if (pupils, enrolments) != (rows, rows):
        note += " — MISMATCH"
    phases = {"validation": clock.validated_at - t0, "apply": t0 + wall - clock.validated_at}
    return Run(label, rows, wall, cpu, pg, phases, note)


def run_import_export(path: Path, rows: int) -> Run:
    """django-import-export 4, as a project would wire it for this file: a Pupil resource
    keyed on code_massar with model validation, then an Enrolment resource whose foreign
    keys are found by code and whose class is found or created per row."""
    import tablib
    from import_export import fields, resources, widgets

    from pilotage.orgunits.models import AcademicYear, OrgUnit
    from pilotage.schooling.models import Enrolment, GradeLevel, Pupil, SchoolClass

    year = AcademicYear.objects.get(code=YEAR_CODE)
    dates = widgets.DateWidget()
    dates.formats = ("%Y-%m-%d", "%d/%m/%Y")  # both forms the file uses

    class PupilResource(resources.ModelResource):
        code_massar = fields.Field(attribute="code_massar", column_name="code_massar")
        last_name = fields.Field(attribute="last_name", column_name="nom")
        first_name = fields.Field(attribute="first_name", column_name="prenom")
        last_name_ar = fields.Field(attribute="last_name_ar", column_name="nom_ar")
        first_name_ar = fields.Field(attribute="first_name_ar", column_name="prenom_ar")
        sex = fields.Field(attribute="sex", column_name="sexe")
        birth_date = fields.Field(
            attribute="birth_date",
            column_name="date_naissance",
            widget=dates,
        )

        class Meta:
            model = Pupil
            import_id_fields = ("code_massar",)
            fields = (
                "code_massar",
                "last_name",
                "first_name",
                "last_name_ar",
                "first_name_ar",
                "sex",
                "birth_date",
            )
            skip_unchanged = True
            clean_model_instances = True

    class EnrolmentResource(resources.ModelResource):
        pupil = fields.Field(
            attribute="pupil",
            column_name="code_massar",
            widget=widgets.ForeignKeyWidget(Pupil, field="code_massar"),
        )
        school = fields.Field(
            attribute="school",
            column_name="code_etablissement",
            widget=widgets.ForeignKeyWidget(OrgUnit, field="school__school_code"),
        )
        academic_year = fields.Field(
            attribute="academic_year",
            column_name="annee_scolaire",
            widget=widgets.ForeignKeyWidget(AcademicYear, field="code"),
        )
        grade_level = fields.Field(
            attribute="grade_level",
            column_name="niveau",
            widget=widgets.ForeignKeyWidget(GradeLevel, field="code"),
        )

        class Meta:
            model = Enrolment
            import_id_fields = ("pupil", "academic_year")
            fields = ("pupil", "school", "academic_year", "grade_level")
            skip_unchanged = True
            clean_model_instances = True

        def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
            super().import_instance(instance, row, **kwargs)
            instance.school_class, _created = SchoolClass.objects.get_or_create(
                school=instance.school,
                academic_year=instance.academic_year,
                name=row["classe"],
                defaults={"grade_level": instance.grade_level},
            )
            if instance.entered_on is None:
                instance.entered_on = year.start

    dataset = tablib.Dataset().load(path.read_text(encoding="utf-8"), format="csv")
    pid = backend_pid()
    cpu0, pg0, t0 = time.process_time(), common.cpu_seconds([pid]), time.perf_counter()
    pupils_result = PupilResource().import_data(dataset, dry_run=False, raise_errors=True)
    t1 = time.perf_counter()
    enrol_result = EnrolmentResource().import_data(dataset, dry_run=False, raise_errors=True)
    wall = time.perf_counter() - t0
    cpu, pg = time.process_time() - cpu0, common.cpu_seconds([pid]) - pg0
    pupils, enrolments, classes = counts()
    note = (
        f"pupils: {totals(pupils_result)}; enrolments: {totals(enrol_result)};"
        f" in the database {pupils} / {enrolments} / {classes}"
    )
    if (pupils, enrolments) != (rows, rows):
        note += " — MISMATCH"
    return Run(
        f"django-import-export {version('django-import-export')} (Pupil, then Enrolment)",
        rows,
        wall,
        cpu,
        pg,
        {"Pupil resource": t1 - t0, "Enrolment resource": t0 + wall - t1},
        note,
    )


def totals(result: Any) -> str:
    return ", ".join(f"{k} {v}" for k, v in result.totals.items() if v) or "nothing"


def top_functions(profile: cProfile.Profile, limit: int = 10) -> list[str]:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(limit)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    for line in lines[start + 1 : start + 1 + limit]:
        parts = line.split(None, 5)
        if len(parts) == 6:
            ncalls, tottime, _pc, cumtime, _pc2, where = parts
            where = where.replace(str(common.ROOT) + "/", "").replace(
                str(Path(sys.prefix)) + "/", ""
            )
            share = float(tottime) / total * 100
            rows.append(f"| `{where}` | {ncalls} | {tottime} | {share:.0f} % | {cumtime} |")
    return rows


# --- Report ------------------------------------------------------------------------------


def floor_prices(floor: Run, variants: list[Run]) -> str:
    """Microseconds a row for the indexes and foreign keys, from the variants' PostgreSQL
    CPU (wall time counts the machine's other load too)."""
    restored, no_fks, no_indexes, bare = variants

    def per_row(a: Run, b: Run) -> float:
        return (a.cpu_postgres - b.cpu_postgres) / floor.rows * 1e6

    return (
        f"PostgreSQL CPU a row: {floor.cpu_postgres / floor.rows * 1e6:.0f} µs as is;"
        f" the 5 dropped indexes cost {per_row(restored, floor):.1f} µs together;"
        f" the enrolment's 5 foreign keys {per_row(floor, no_fks):.1f} µs together;"
        f" the 5 secondary indexes {per_row(floor, no_indexes):.1f} µs together;"
        f" without either, {bare.cpu_postgres / floor.rows * 1e6:.0f} µs a row is left"
        " (heap, primary keys, code Massar's unique index, the joins)."
    )


def fmt(x: float) -> str:
    return f"{x:,.0f}".replace(",", " ")


def table(runs: list[Run]) -> str:
    lines = [
        "| run | rows | wall s | rows/s | CPU s this process | CPU s PostgreSQL backend |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        lines.append(
            f"| {r.label} | {fmt(r.rows)} | {r.wall:.1f} | {fmt(r.rate)} | {r.cpu_python:.1f} |"
            f" {r.cpu_postgres:.1f} |"
        )
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--slice", type=int, default=50_000, help="rows for django-import-export")
    p.add_argument("--schools", type=int, default=60)
    p.add_argument("--profile-rows", type=int, default=100_000, help="0: no profile")
    p.add_argument("--no-import-export", dest="import_export", action="store_false")
    p.add_argument("--no-record", dest="record", action="store_false")
    p.add_argument(
        "--no-floor-variants",
        dest="floor_variants",
        action="store_false",
        help="skip the SQL floor without foreign keys / indexes (the price of each)",
    )
    return p.parse_args()


def main() -> int:  # noqa: PLR0915 - one linear script
    args = parse_args()
    # A plain kill still drops the database and the temporary files (finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    warnings.filterwarnings("ignore", message="No directory at")
    info = common.machine()
    print("Import of enrolments —", ", ".join(f"{k}: {v}" for k, v in info.items()), flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    full = workdir / "students.csv"
    part = workdir / "students-slice.csv"
    prof = workdir / "students-profile.csv"
    runs: list[Run] = []
    slice_runs: list[Run] = []
    variant_runs: list[Run] = []
    profile_lines: list[str] = []
    profile_run: Run | None = None
    try:
        with common.temp_database("pilotage_import_bench") as db_url:
            common.django_setup(db_url, DJANGO_DEBUG="false")
            from django.core.management import call_command
            from django.db import connections

            call_command("migrate", verbosity=0)
            setup = build_schools(args.schools)
            t0 = time.perf_counter()
            write_csv(full, args.rows, setup)
            made = time.perf_counter() - t0
            size = full.stat().st_size / 1e6
            print(
                f"data: {len(setup.schools)} schools built in {setup.built_in:.1f} s;"
                f" {fmt(args.rows)} rows, {size:.0f} MB, written in {made:.1f} s",
                flush=True,
            )
            for unlogged in (False, True):
                runs.append(run_copy(db_url, full, unlogged=unlogged))
                print(f"{runs[-1].label}: {fmt(runs[-1].rate)} rows/s", flush=True)
            empty_tables()
            runs.append(run_sql_floor(db_url, full))
            print(f"{runs[-1].label}: {fmt(runs[-1].rate)} rows/s", flush=True)
            if args.floor_variants:
                for variant in floor_variants():
                    empty_tables()
                    variant_runs.append(run_sql_floor(db_url, full, variant))
                    print(f"{variant_runs[-1].label}: {fmt(variant_runs[-1].rate)} rows/s")
            if args.import_export and importlib.util.find_spec("import_export") is None:
                print("django-import-export is not installed: skipped (see the docstring)")
                args.import_export = False
            if args.import_export:
                write_slice(full, part, args.slice)
                empty_tables()
                print(f"django-import-export on {fmt(args.slice)} rows …", flush=True)
                slice_runs.append(run_import_export(part, args.slice))
                print(f"  {fmt(slice_runs[-1].rate)} rows/s; {slice_runs[-1].note}", flush=True)
                empty_tables()
                slice_runs.append(run_ours(db_url, part, args.slice, "ours on the same slice"))
                print(f"ours on the slice: {fmt(slice_runs[-1].rate)} rows/s", flush=True)
            empty_tables()
            print(f"ours on {fmt(args.rows)} rows …", flush=True)
            runs.append(
                run_ours(db_url, full, args.rows, "ours: `import_students` (students_import)")
            )
            print(f"  {fmt(runs[-1].rate)} rows/s; {runs[-1].note}", flush=True)
            if args.profile_rows:
                write_slice(full, prof, args.profile_rows)
                empty_tables()
                profile = cProfile.Profile()
                print(f"ours under cProfile on {fmt(args.profile_rows)} rows …", flush=True)
                profile_run = run_ours(
                    db_url, prof, args.profile_rows, "ours under cProfile", profile
                )
                profile_lines = top_functions(profile)
            connections.close_all()
    finally:
        for f in (full, part, prof):
            f.unlink(missing_ok=True)
        workdir.rmdir()

    text = report(args, info, setup, runs, slice_runs, profile_run, profile_lines, variant_runs)
    print()
    print(text)
    if args.record:
        common.record_section("Import of enrolments", text)
        print(f"\nrecorded in {common.BENCHMARKS_MD}")
    return 0


def report(
    args: argparse.Namespace,
    info: dict[str, str],
    setup: Setup,
    runs: list[Run],
    slice_runs: list[Run],
    profile_run: Run | None,
    profile_lines: list[str],
    variant_runs: list[Run],
) -> str:
    copy_plain, ours = runs[0], runs[-1]
    command = "python bench/import_enrolments.py " + shlex.join(sys.argv[1:])
    parts = [
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC: `.venv/bin/{command.strip()}`",
        "",
        "Machine (shared with other work during the run: see the load average):",
        "",
        common.machine_text(info),
        f"- load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        "",
        f"Data: {len(setup.schools)} schools (primary, collège, lycée), year {YEAR_CODE}, an"
        f" empty database; {fmt(args.rows)} valid rows in the import_students format, classes"
        f" of {CLASS_SIZE}.",
        "",
        table(runs),
        "",
        f"Ours: validation {ours.phases['validation']:.1f} s, apply"
        f" {ours.phases['apply']:.1f} s; {ours.note}.",
        "",
        f"**ours / COPY (plain table) = {ours.rate / copy_plain.rate:.3f}** (goal ≥"
        f" {GOAL_RATIO}: {'met' if ours.rate >= GOAL_RATIO * copy_plain.rate else 'not met'}).",
    ]
    floor = next((r for r in runs if r.label.startswith("COPY into a temporary")), None)
    if floor:
        parts.append(
            f"ours / (COPY + INSERT … SELECT into the real tables) = {ours.rate / floor.rate:.2f};"
            f" that floor / COPY = {floor.rate / copy_plain.rate:.3f}."
        )
    if floor and variant_runs:
        parts += ["", "The SQL floor on other schemas (each rolled back):", "", table(variant_runs)]
        parts += ["", floor_prices(floor, variant_runs)]
    if slice_runs:
        ie, ours_slice = slice_runs
        parts += [
            "",
            f"On the first {fmt(args.slice)} rows (each run on empty tables):",
            "",
            table(slice_runs),
            "",
            "django-import-export: "
            + ", ".join(f"{k} {v:.1f} s" for k, v in ie.phases.items())
            + f"; {ie.note}.",
            "",
            f"**ours / django-import-export = {ours_slice.rate / ie.rate:.1f}** on the slice"
            f" ({ours.rate / ie.rate:.1f} with ours on the full file).",
        ]
    if profile_run:
        parts += [
            "",
            f"Ours under cProfile on {fmt(profile_run.rows)} rows (empty tables):"
            f" {profile_run.wall:.1f} s with the profiler, validation"
            f" {profile_run.phases['validation']:.1f} s, apply {profile_run.phases['apply']:.1f}"
            f" s; CPU {profile_run.cpu_python:.1f} s here, {profile_run.cpu_postgres:.1f} s in"
            " PostgreSQL. Top 10 functions by own time:",
            "",
            "| function | calls | own s | share | cumulative s |",
            "|---|---:|---:|---:|---:|",
            *profile_lines,
        ]
    return "\n".join(parts)


if __name__ == "__main__":
    sys.exit(main())
