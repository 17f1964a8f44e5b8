"""Indicators: full recompute of every built-in indicator × every org unit × every
disaggregation, against a hand-written DuckDB query over the same rows in Parquet.

The claim (issue "Performance steering", benchmarks): ours ≤ 2 × DuckDB at the ``region``
scale (about a million pupils a year, two academic years so that flow rates exist).

What it builds, in a throwaway PostgreSQL database: ``seed_demo --scale <scale>`` (the
demo's schools, pupils of two years, classes, teachers, marks of the sampled schools,
absences, population estimates). Building is not timed.

What it measures, wall time of each whole run (best of ``--repeat``):

- ours: ``facts_rebuild()`` (the fact tables from the school records, in PostgreSQL), then
  for every built-in indicator, every level of the tree (all its units in one call, as a
  drill-down does) and every disaggregation the indicator allows (none, then each
  dimension alone), ``engine.compute`` — the values an API client or a dashboard gets;
- the baseline: the same raw rows (enrolments, pupils, grades, units, schools, classes,
  marks with their sheets, absences, assignments, teachers, population) exported from
  PostgreSQL to Parquet beforehand (not timed), then in DuckDB, in one connection: the
  latest enrolment of each pupil and year, the next and previous year's grade of the same
  pupil, marks and absences per pupil and year, the per-school facts, and one GROUP BY per
  level × disaggregation producing every part of every indicator. DuckDB uses both cores.

Both sides' enrolments, GER and repetition rates per region are compared and the
differences reported (there should be none).

    .venv/bin/python bench/indicators_recompute.py                 # region, recorded
    .venv/bin/python bench/indicators_recompute.py --scale small --no-record
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import common
import psycopg

GOAL = 2.0
DIMS = ("sex", "milieu", "sector", "cycle", "grade")

# Raw tables exported for DuckDB: (name in DuckDB, SQL over the PostgreSQL schema).
EXPORTS = {
    "enrolment": "SELECT id, pupil_id, school_id, academic_year_id, grade_level_id, entered_on"
    " FROM schooling_enrolment",
    "pupil": "SELECT id, sex, birth_date FROM schooling_pupil",
    "grade": 'SELECT id, code, cycle, "order" AS ord FROM schooling_gradelevel',
    "unit": "SELECT id, code, path, depth FROM orgunits_orgunit",
    "school": "SELECT org_unit_id, milieu, sector FROM orgunits_school",
    "year": "SELECT id, code, start FROM orgunits_academicyear",
    "klass": "SELECT id, school_id, academic_year_id, grade_level_id FROM schooling_schoolclass",
    "mark": "SELECT m.pupil_id, c.academic_year_id, c.school_id, m.value FROM schooling_mark m"
    " JOIN schooling_assessment a ON a.id = m.assessment_id"
    " JOIN schooling_marksheet s ON s.id = a.sheet_id"
    " JOIN schooling_schoolclass c ON c.id = s.school_class_id WHERE m.value IS NOT NULL",
    "absence": "SELECT x.pupil_id, c.academic_year_id, c.school_id FROM schooling_absence x"
    " JOIN schooling_schoolclass c ON c.id = x.school_class_id",
    "assignment": "SELECT teacher_id, school_class_id FROM schooling_teachingassignment",
    "teacher": "SELECT id, is_qualified FROM schooling_teacher",
    "population": "SELECT path, academic_year_id, age, sex, population"
    " FROM indicators_populationestimate",
    "cycle_setting": "SELECT cycle, entry_age, duration FROM indicators_cyclesetting",
}

# The per-school facts, as pilotage/schooling/selectors.py computes them.
DUCK_FACTS = """
CREATE OR REPLACE TEMP TABLE yr AS
SELECT y.id, year(y.start) AS first_year,
       lead(y.id) OVER (ORDER BY y.start) AS next_id,
       lag(y.id) OVER (ORDER BY y.start) AS prev_id
FROM year y;
CREATE OR REPLACE TEMP TABLE has_enrolments AS
SELECT DISTINCT academic_year_id AS id FROM enrolment;
CREATE OR REPLACE TEMP TABLE cur AS
SELECT pupil_id, school_id, grade_level_id, academic_year_id FROM (
  SELECT *, row_number() OVER (PARTITION BY pupil_id, academic_year_id
                               ORDER BY entered_on DESC, id DESC) AS rn
  FROM enrolment) WHERE rn = 1;
CREATE OR REPLACE TEMP TABLE first_grade AS
SELECT e.pupil_id, e.academic_year_id, min(g.ord) AS ord
FROM enrolment e JOIN grade g ON g.id = e.grade_level_id GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE prev_grade AS
SELECT DISTINCT pupil_id, academic_year_id, grade_level_id FROM enrolment;
CREATE OR REPLACE TEMP TABLE mk AS
SELECT pupil_id, academic_year_id, school_id, sum(value) AS total, count(*) AS n
FROM mark GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE ab AS
SELECT pupil_id, academic_year_id, school_id, count(*) AS n FROM absence GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE ages AS
SELECT cycle, entry_age AS lo, entry_age + duration - 1 AS hi FROM cycle_setting;
CREATE OR REPLACE TEMP TABLE pupil_fact AS
SELECT c.school_id, u.path, c.academic_year_id, s.milieu, s.sector, g.cycle,
       g.code AS grade, p.sex,
       count(*) AS enrolled,
       sum(CASE WHEN y.first_year - year(p.birth_date) BETWEEN
           (SELECT lo FROM ages WHERE cycle = 'primaire')
           AND (SELECT hi FROM ages WHERE cycle = 'primaire') THEN 1 ELSE 0 END) AS age_primaire,
       sum(CASE WHEN y.first_year - year(p.birth_date) BETWEEN
           (SELECT lo FROM ages WHERE cycle = 'college')
           AND (SELECT hi FROM ages WHERE cycle = 'college') THEN 1 ELSE 0 END) AS age_college,
       sum(CASE WHEN y.first_year - year(p.birth_date) BETWEEN
           (SELECT lo FROM ages WHERE cycle = 'lycee')
           AND (SELECT hi FROM ages WHERE cycle = 'lycee') THEN 1 ELSE 0 END) AS age_lycee,
       CASE WHEN max(hp.id) IS NOT NULL
         THEN sum(CASE WHEN pg.pupil_id IS NULL THEN 1 ELSE 0 END) END AS new_entrants,
       CASE WHEN max(hn.id) IS NOT NULL THEN sum(CASE WHEN nx.ord > g.ord THEN 1 ELSE 0 END) END
         AS promoted,
       CASE WHEN max(hn.id) IS NOT NULL THEN sum(CASE WHEN nx.ord = g.ord THEN 1 ELSE 0 END) END
         AS repeated,
       coalesce(sum(mk.total), 0) AS marks_sum, coalesce(sum(mk.n), 0) AS marks_count,
       sum(CASE WHEN mk.n > 0 THEN 1 ELSE 0 END) AS assessed,
       sum(CASE WHEN mk.n > 0 AND mk.total >= 10 * mk.n THEN 1 ELSE 0 END) AS passed,
       coalesce(sum(ab.n), 0) AS absent_half_days
FROM cur c
JOIN pupil p ON p.id = c.pupil_id
JOIN grade g ON g.id = c.grade_level_id
JOIN unit u ON u.id = c.school_id
JOIN school s ON s.org_unit_id = c.school_id
JOIN yr y ON y.id = c.academic_year_id
LEFT JOIN has_enrolments hn ON hn.id = y.next_id
LEFT JOIN has_enrolments hp ON hp.id = y.prev_id
LEFT JOIN first_grade nx ON nx.pupil_id = c.pupil_id AND nx.academic_year_id = y.next_id
LEFT JOIN prev_grade pg ON pg.pupil_id = c.pupil_id AND pg.academic_year_id = y.prev_id
     AND pg.grade_level_id = c.grade_level_id
LEFT JOIN mk ON mk.pupil_id = c.pupil_id AND mk.academic_year_id = c.academic_year_id
     AND mk.school_id = c.school_id
LEFT JOIN ab ON ab.pupil_id = c.pupil_id AND ab.academic_year_id = c.academic_year_id
     AND ab.school_id = c.school_id
GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE class_fact AS
SELECT k.school_id, u.path, k.academic_year_id, s.milieu, s.sector, g.cycle, g.code AS grade,
       count(*) AS classes
FROM klass k JOIN grade g ON g.id = k.grade_level_id JOIN unit u ON u.id = k.school_id
JOIN school s ON s.org_unit_id = k.school_id GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE teacher_fact AS
SELECT k.school_id, u.path, k.academic_year_id, s.milieu, s.sector, g.cycle,
       count(DISTINCT a.teacher_id) AS teachers,
       count(DISTINCT CASE WHEN t.is_qualified THEN a.teacher_id END) AS qualified
FROM assignment a JOIN klass k ON k.id = a.school_class_id JOIN grade g ON g.id = k.grade_level_id
JOIN teacher t ON t.id = a.teacher_id JOIN unit u ON u.id = k.school_id
JOIN school s ON s.org_unit_id = k.school_id GROUP BY ALL;
"""

# Every part of every indicator for one level (path prefix length) and disaggregation.
DUCK_PARTS = """
SELECT substr(path, 1, {length}) AS prefix, academic_year_id{dims},
  sum(enrolled) AS enrolled, sum(age_primaire) AS age_primaire, sum(age_college) AS age_college,
  sum(age_lycee) AS age_lycee,
  sum(CASE WHEN cycle = 'primaire' THEN age_primaire WHEN cycle = 'college' THEN age_college
           ELSE age_lycee END) AS official,
  sum(CASE WHEN grade IN (SELECT code FROM firsts) THEN new_entrants END) AS intake,
  sum(CASE WHEN promoted IS NOT NULL AND grade <> (SELECT code FROM final) THEN enrolled END)
    AS flow_base,
  sum(CASE WHEN grade <> (SELECT code FROM final) THEN promoted END) AS promoted,
  sum(CASE WHEN grade <> (SELECT code FROM final) THEN repeated END) AS repeated,
  sum(CASE WHEN grade IN (SELECT code FROM lasts) AND promoted IS NOT NULL THEN enrolled END)
    AS transition_base,
  sum(CASE WHEN grade IN (SELECT code FROM lasts) THEN promoted END) AS transited,
  sum(marks_sum) AS marks_sum, sum(marks_count) AS marks_count, sum(assessed) AS assessed,
  sum(passed) AS passed, sum(absent_half_days) AS absent
FROM pupil_fact GROUP BY ALL
"""
DUCK_GRADE_FLOWS = """
SELECT substr(path, 1, {length}) AS prefix, academic_year_id, grade{dims},
  sum(enrolled) AS base, sum(promoted) AS promoted, sum(repeated) AS repeated
FROM pupil_fact WHERE promoted IS NOT NULL GROUP BY ALL
"""
DUCK_STAFF = """
SELECT substr(path, 1, {length}) AS prefix, academic_year_id{dims}, sum(classes) AS classes
FROM class_fact GROUP BY ALL
"""
DUCK_TEACHERS = """
SELECT substr(path, 1, {length}) AS prefix, academic_year_id{dims},
  sum(teachers) AS teachers, sum(qualified) AS qualified
FROM teacher_fact GROUP BY ALL
"""
DUCK_POPULATION = """
SELECT substr(path, 1, {length}) AS prefix, academic_year_id, age, sex,
  sum(population) AS population
FROM population GROUP BY ALL
"""
# PostgreSQL column types → DuckDB's, so that an empty table keeps its types.
DUCK_TYPES = {
    "int2": "INTEGER",
    "int4": "INTEGER",
    "int8": "BIGINT",
    "numeric": "DOUBLE",
    "date": "DATE",
    "bool": "BOOLEAN",
    "varchar": "VARCHAR",
    "text": "VARCHAR",
}
SOURCE_DIMS = {
    "parts": set(DIMS),
    "flows": set(DIMS) - {"grade"},
    "staff": {"milieu", "sector", "cycle", "grade"},
    "teachers": {"milieu", "sector", "cycle"},
}


def build(scale: str) -> dict[str, Any]:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", scale=scale, verbosity=0)
    from pilotage.schooling.models import Enrolment, Mark

    return {
        "build_s": time.perf_counter() - started,
        "enrolments": Enrolment.objects.count(),
        "marks": Mark.objects.count(),
    }


def ours_once() -> dict[str, float]:
    from pilotage.indicators.catalogue import BUILTIN
    from pilotage.indicators.engine import compute
    from pilotage.indicators.facts import facts_rebuild
    from pilotage.orgunits.models import AcademicYear, OrgUnit

    started = time.perf_counter()
    facts_rebuild()
    facts_done = time.perf_counter()
    years = list(AcademicYear.objects.all())
    levels = sorted(set(OrgUnit.objects.values_list("depth", flat=True)))
    units = {d: list(OrgUnit.objects.filter(depth=d)) for d in levels}
    values = 0
    for indicator in BUILTIN:
        for depth in levels:
            for by in ("", *(d for d in DIMS if d in indicator.dimensions)):
                values += len(compute(indicator.code, units=units[depth], years=years, by=by))
    return {
        "facts_s": facts_done - started,
        "values_s": time.perf_counter() - facts_done,
        "total_s": time.perf_counter() - started,
        "values": values,
    }


def export_parquet(database_url: str, folder: Path) -> dict[str, int]:
    """Each table of EXPORTS as CSV from PostgreSQL, then Parquet with the same types."""
    import duckdb

    sizes = {}
    con = duckdb.connect()
    with psycopg.connect(database_url) as conn:
        for name, query in EXPORTS.items():
            csv = folder / f"{name}.csv"
            described = conn.execute(f"SELECT * FROM ({query}) q LIMIT 0").description or []
            columns = {}
            for column in described:
                info = conn.adapters.types.get(column.type_code)
                columns[column.name] = DUCK_TYPES.get(info.name if info else "", "VARCHAR")
            copy_sql = f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER true)"
            with csv.open("wb") as out, conn.cursor().copy(copy_sql) as copy:
                for chunk in copy:
                    out.write(chunk)
            con.execute(
                f"COPY (SELECT * FROM read_csv('{csv}', header = true, columns = $columns))"
                f" TO '{folder / name}.parquet' (FORMAT parquet)",
                {"columns": columns},
            )
            csv.unlink()
            sizes[name] = (folder / f"{name}.parquet").stat().st_size
    con.close()
    return sizes


def duckdb_once(folder: Path, levels: list[int], steplen: int) -> dict[str, float]:
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect()
    for name in EXPORTS:
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{folder / name}.parquet')")
    con.execute(DUCK_FACTS)
    con.execute(
        "CREATE TEMP TABLE firsts AS SELECT code FROM (SELECT code, row_number() OVER"
        " (PARTITION BY cycle ORDER BY ord) AS r FROM grade) WHERE r = 1;"
        "CREATE TEMP TABLE lasts AS SELECT code FROM (SELECT code, cycle, row_number() OVER"
        " (PARTITION BY cycle ORDER BY ord DESC) AS r FROM grade) WHERE r = 1"
        " AND cycle <> (SELECT cycle FROM grade ORDER BY ord DESC LIMIT 1);"
        "CREATE TEMP TABLE final AS SELECT code FROM grade ORDER BY ord DESC LIMIT 1;"
    )
    facts_done = time.perf_counter()
    rows = 0
    for depth in levels:
        length = depth * steplen
        rows += len(con.execute(DUCK_POPULATION.format(length=length)).fetchall())
        for by in ("", *DIMS):
            for source, query in (
                ("parts", DUCK_PARTS),
                ("flows", DUCK_GRADE_FLOWS),
                ("staff", DUCK_STAFF),
                ("teachers", DUCK_TEACHERS),
            ):
                if by and by not in SOURCE_DIMS[source]:
                    continue
                dims = f", {by}" if by else ""
                rows += len(con.execute(query.format(length=length, dims=dims)).fetchall())
    con.close()
    return {
        "facts_s": facts_done - started,
        "values_s": time.perf_counter() - facts_done,
        "total_s": time.perf_counter() - started,
        "rows": rows,
    }


def compare(folder: Path) -> list[str]:
    """Enrolment, GER and repetition per region and year, ours against DuckDB's."""
    import duckdb

    from pilotage.indicators.engine import compute
    from pilotage.orgunits.models import AcademicYear, OrgUnit

    years = list(AcademicYear.objects.all())
    regions = list(OrgUnit.objects.filter(depth=2))
    ours = {
        (v.unit, v.period, code): v.value
        for code in ("enrolment", "repetition_rate")
        for v in compute(code, units=regions, years=years)
    }
    con = duckdb.connect()
    for name in EXPORTS:
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{folder / name}.parquet')")
    con.execute(DUCK_FACTS)
    theirs = {}
    for code, expr in (
        ("enrolment", "sum(enrolled)"),
        (
            "repetition_rate",
            "100.0 * sum(CASE WHEN grade <> (SELECT code FROM grade ORDER BY ord DESC LIMIT 1)"
            " THEN repeated END) / nullif(sum(CASE WHEN promoted IS NOT NULL AND grade <>"
            " (SELECT code FROM grade ORDER BY ord DESC LIMIT 1) THEN enrolled END), 0)",
        ),
    ):
        for unit, year, value in con.execute(
            f"SELECT u.code, y.code, {expr} FROM pupil_fact f"
            " JOIN unit u ON u.depth = 2 AND f.path LIKE u.path || '%'"
            " JOIN year y ON y.id = f.academic_year_id GROUP BY ALL"
        ).fetchall():
            if value is not None:
                theirs[(unit, year, code)] = float(value)
    differences = []
    for key in sorted(set(ours) | set(theirs)):
        a, b = ours.get(key), theirs.get(key)
        if a is None or b is None or abs(a - b) > 1e-6 * max(1.0, abs(b)):
            differences.append(f"{key}: ours {a}, DuckDB {b}")
    return differences


def best(runs: list[dict[str, float]], key: str = "total_s") -> dict[str, float]:
    return min(runs, key=lambda r: r[key])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", default="region", choices=["small", "region", "national"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    info = common.machine()
    with common.temp_database("bench_indicators") as url, tempfile.TemporaryDirectory() as tmp:
        common.django_setup(url)
        built = build(args.scale)
        print(f"built {args.scale}: {built}", flush=True)
        from pilotage.orgunits.models import OrgUnit

        folder = Path(tmp)
        sizes = export_parquet(url, folder)
        levels = sorted(set(OrgUnit.objects.values_list("depth", flat=True)))
        ours_runs: list[dict[str, float]] = []
        duck_runs: list[dict[str, float]] = []
        pg_pids: Callable[[], list[int]] = lambda: common.pg_backend_pids(url)  # noqa: E731
        for i in range(args.repeat):
            before = common.cpu_seconds(pg_pids())
            run = ours_once()
            run["pg_cpu_s"] = common.cpu_seconds(pg_pids()) - before
            ours_runs.append(run)
            duck_runs.append(duckdb_once(folder, levels, OrgUnit.steplen))
            print(f"run {i + 1}: ours {ours_runs[-1]}, duckdb {duck_runs[-1]}", flush=True)
        differences = compare(folder)
    ours, duck = best(ours_runs), best(duck_runs)
    ratio = ours["total_s"] / duck["total_s"]
    info["load average at the end"] = " ".join(f"{x:.2f}" for x in __import__("os").getloadavg())
    from importlib.metadata import version

    info["duckdb"] = version("duckdb")
    median_ours = statistics.median(r["total_s"] for r in ours_runs)
    median_duck = statistics.median(r["total_s"] for r in duck_runs)
    check = (
        "identical"
        if not differences
        else f"{len(differences)} differences: " + "; ".join(differences[:5])
    )
    command = f"`.venv/bin/python bench/indicators_recompute.py {shlex.join(sys.argv[1:])}`"
    lines = [
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {command}",
        "",
        "Machine:",
        "",
        common.machine_text(info),
        "",
        f"Data: `seed_demo --scale {args.scale}` ({built['enrolments']:,} enrolments over the"
        f" years, {built['marks']:,} marks; built in {built['build_s']:.0f} s, not timed)."
        f" Parquet for DuckDB: {sum(sizes.values()) / 1e6:.1f} MB (export not timed).",
        "",
        f"Work: every built-in indicator × every level of the tree ({len(levels)} levels, all"
        " units of a level in one call) × every disaggregation it allows (none, then each"
        f" dimension alone), every year. Best of {args.repeat} runs (median total: ours"
        f" {median_ours:.2f} s, DuckDB {median_duck:.2f} s).",
        "",
        "| | facts from the records (s) | values (s) | total (s) |",
        "|---|---:|---:|---:|",
        f"| ours: `facts_rebuild` + `engine.compute` ({int(ours['values']):,} values),"
        f" PostgreSQL | {ours['facts_s']:.2f} | {ours['values_s']:.2f} | {ours['total_s']:.2f} |",
        f"| DuckDB {info['duckdb']}, hand-written SQL over Parquet ({int(duck['rows']):,} result"
        f" rows) | {duck['facts_s']:.2f} | {duck['values_s']:.2f} | {duck['total_s']:.2f} |",
        "",
        f"Ratio ours / DuckDB: **{ratio:.2f}** (goal ≤ {GOAL:g}). PostgreSQL backend CPU during"
        f" our best run: {ours['pg_cpu_s']:.1f} s.",
        "",
        f"Check: enrolment and repetition rate per region and year, ours against DuckDB: {check}.",
    ]
    body = "\n".join(lines)
    print(body)
    if not args.no_record:
        common.record_section(f"Indicators: full recompute ({args.scale})", body)


if __name__ == "__main__":
    main()
