# ruff: noqa: S608 - only table and column names of our models are formatted into the SQL
# below; every value goes in as a query parameter.
"""Keeping the fact tables up to date from the school records.

One set-based ``INSERT … SELECT`` per fact table computes the rows of one year, either for
every school (``facts_rebuild``, the recovery command) or for a handful of schools
(``facts_refresh``, run by the worker a second after a write). Both run the same SQL, so a
refreshed school and a rebuilt one cannot disagree.

Freshness. The school records' services publish ``schooling.records_changed`` (see
``core/events.py``) inside their transaction; :func:`facts_touch` marks the school × year
dirty there (one upsert, so a committed write is never missed) and, when the mark is new,
queues the refresh job on commit. The job claims the dirty rows (deletes them in a
transaction of its own) *before* reading the records, so a write that commits meanwhile
marks its school again and is picked up by the next run.

A pupil's enrolment also changes the neighbouring years' facts: the flows of the year
before (where did last year's pupils go?) and the new entrants of the year after. When the
writer names the pupils, the schools of their enrolments in the adjacent years are marked
too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from pilotage.core.jobs import Reporter
from pilotage.indicators.models import (
    ClassFact,
    CycleSetting,
    FactDirty,
    PupilFact,
    TeacherFact,
)
from pilotage.orgunits.models import AcademicYear, OrgUnit, School
from pilotage.schooling.models import (
    Absence,
    Assessment,
    Enrolment,
    GradeLevel,
    Mark,
    MarkSheet,
    Pupil,
    SchoolClass,
    Teacher,
    TeachingAssignment,
)

logger = logging.getLogger(__name__)


def _t(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _birth_year(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {column}) AS INTEGER)"
    return f"CAST(strftime('%%Y', {column}) AS INTEGER)"


def _adjacent(year: AcademicYear) -> tuple[AcademicYear | None, AcademicYear | None]:
    before = AcademicYear.objects.filter(start__lt=year.start).order_by("-start").first()
    after = AcademicYear.objects.filter(start__gt=year.start).order_by("start").first()
    return before, after


def _has_enrolments(year: AcademicYear | None) -> bool:
    return year is not None and Enrolment.objects.filter(academic_year=year).exists()


def _school_filter(column: str, schools: Sequence[int] | None) -> tuple[str, list[Any]]:
    if schools is None:
        return "", []
    marks = ", ".join(["%s"] * len(schools))
    return f" AND {column} IN ({marks})", list(schools)


def _latest(alias: str) -> str:
    """No later enrolment of the same pupil in the same year: the pupil's latest one."""
    e = _t(Enrolment)
    return (
        f"NOT EXISTS (SELECT 1 FROM {e} l WHERE l.pupil_id = {alias}.pupil_id"
        f" AND l.academic_year_id = {alias}.academic_year_id"
        f" AND (l.entered_on > {alias}.entered_on"
        f" OR (l.entered_on = {alias}.entered_on AND l.id > {alias}.id)))"
    )


def _pupil_sql(year: AcademicYear, schools: Sequence[int] | None) -> tuple[str, list[Any]]:
    before, after = _adjacent(year)
    has_before, has_after = _has_enrolments(before), _has_enrolments(after)
    ages = {c.cycle: (c.entry_age, c.last_age) for c in CycleSetting.objects.all()}
    e, p, g = _t(Enrolment), _t(Pupil), _t(GradeLevel)
    s, u = _t(School), _t(OrgUnit)
    sc, sh, a, m, ab = _t(SchoolClass), _t(MarkSheet), _t(Assessment), _t(Mark), _t(Absence)
    order = _q("order")
    where_school, school_params = _school_filter("c.school_id", schools)
    where_cur, cur_params = _school_filter("e.school_id", schools)

    params: list[Any] = [year.pk, *cur_params]
    cur = (
        f"SELECT e.pupil_id, e.school_id, e.grade_level_id FROM {e} e"
        f" WHERE e.academic_year_id = %s{where_cur} AND {_latest('e')}"
    )
    ctes = [f"cur AS ({cur})"]
    joins = []
    if has_after and after is not None:
        ctes.append(
            f"nxt AS (SELECT n.pupil_id, MIN(gn.{order}) AS ord FROM {e} n"
            f" JOIN {g} gn ON gn.id = n.grade_level_id"
            f" WHERE n.academic_year_id = %s AND n.pupil_id IN (SELECT pupil_id FROM cur)"
            f" GROUP BY n.pupil_id)"
        )
        params.append(after.pk)
        joins.append("LEFT JOIN nxt ON nxt.pupil_id = cur.pupil_id")
        promoted = f"SUM(CASE WHEN nxt.ord > g.{order} THEN 1 ELSE 0 END)"
        repeated = f"SUM(CASE WHEN nxt.ord = g.{order} THEN 1 ELSE 0 END)"
    else:
        promoted = repeated = "NULL"
    if has_before and before is not None:
        ctes.append(
            f"prv AS (SELECT DISTINCT b.pupil_id, b.grade_level_id FROM {e} b"
            f" WHERE b.academic_year_id = %s AND b.pupil_id IN (SELECT pupil_id FROM cur))"
        )
        params.append(before.pk)
        joins.append(
            "LEFT JOIN prv ON prv.pupil_id = cur.pupil_id"
            " AND prv.grade_level_id = cur.grade_level_id"
        )
        new_entrants = "SUM(CASE WHEN prv.pupil_id IS NULL THEN 1 ELSE 0 END)"
    else:
        new_entrants = "NULL"
    ctes.append(
        f"mk AS (SELECT x.pupil_id, SUM(x.value) AS total, COUNT(x.value) AS n FROM {m} x"
        f" JOIN {a} a ON a.id = x.assessment_id JOIN {sh} sh ON sh.id = a.sheet_id"
        f" JOIN {sc} c ON c.id = sh.school_class_id"
        f" WHERE c.academic_year_id = %s{where_school} AND x.value IS NOT NULL"
        f" GROUP BY x.pupil_id)"
    )
    params += [year.pk, *school_params]
    ctes.append(
        f"ab AS (SELECT x.pupil_id, COUNT(*) AS n FROM {ab} x"
        f" JOIN {sc} c ON c.id = x.school_class_id"
        f" WHERE c.academic_year_id = %s{where_school} GROUP BY x.pupil_id)"
    )
    params += [year.pk, *school_params]
    joins += [
        "LEFT JOIN mk ON mk.pupil_id = cur.pupil_id",
        "LEFT JOIN ab ON ab.pupil_id = cur.pupil_id",
    ]
    age = f"(%s - {_birth_year('p.birth_date')})"
    age_columns = []
    age_params: list[Any] = []
    for cycle in ("primaire", "college", "lycee"):
        low, high = ages.get(cycle, (-1, -2))
        age_columns.append(f"SUM(CASE WHEN {age} BETWEEN %s AND %s THEN 1 ELSE 0 END)")
        age_params += [year.first_calendar_year, low, high]
    columns = (
        "school_id, path, academic_year_id, milieu, sector, cycle, grade_level_id, sex,"
        " enrolled, age_primaire, age_college, age_lycee, new_entrants, promoted, repeated,"
        " marks_sum, marks_count, assessed, passed, absent_half_days"
    )
    select = (
        f"SELECT cur.school_id, u.path, %s, s.milieu, s.sector, g.cycle, cur.grade_level_id,"
        f" p.sex, COUNT(*), {', '.join(age_columns)}, {new_entrants}, {promoted}, {repeated},"
        f" COALESCE(SUM(mk.total), 0), COALESCE(SUM(mk.n), 0),"
        f" SUM(CASE WHEN mk.n > 0 THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN mk.n > 0 AND mk.total >= 10 * mk.n THEN 1 ELSE 0 END),"
        f" COALESCE(SUM(ab.n), 0)"
        f" FROM cur JOIN {p} p ON p.id = cur.pupil_id JOIN {g} g ON g.id = cur.grade_level_id"
        f" JOIN {u} u ON u.id = cur.school_id JOIN {s} s ON s.org_unit_id = cur.school_id"
        f" {' '.join(joins)}"
        f" GROUP BY cur.school_id, u.path, s.milieu, s.sector, g.cycle, cur.grade_level_id, p.sex"
    )
    sql = f"WITH {', '.join(ctes)} INSERT INTO {_t(PupilFact)} ({columns}) {select}"
    if connection.vendor == "postgresql":
        # PostgreSQL puts the WITH after INSERT … when the CTEs feed the SELECT.
        sql = f"INSERT INTO {_t(PupilFact)} ({columns}) WITH {', '.join(ctes)} {select}"
    return sql, [*params, year.pk, *age_params]


def _class_sql(year: AcademicYear, schools: Sequence[int] | None) -> tuple[str, list[Any]]:
    sc, g, s, u = _t(SchoolClass), _t(GradeLevel), _t(School), _t(OrgUnit)
    where, params = _school_filter("c.school_id", schools)
    sql = (
        f"INSERT INTO {_t(ClassFact)} (school_id, path, academic_year_id, milieu, sector, cycle,"
        f" grade_level_id, classes)"
        f" SELECT c.school_id, u.path, c.academic_year_id, s.milieu, s.sector, g.cycle,"
        f" c.grade_level_id, COUNT(*) FROM {sc} c JOIN {g} g ON g.id = c.grade_level_id"
        f" JOIN {u} u ON u.id = c.school_id JOIN {s} s ON s.org_unit_id = c.school_id"
        f" WHERE c.academic_year_id = %s{where}"
        f" GROUP BY c.school_id, u.path, c.academic_year_id, s.milieu, s.sector, g.cycle,"
        f" c.grade_level_id"
    )
    return sql, [year.pk, *params]


def _teacher_sql(year: AcademicYear, schools: Sequence[int] | None) -> tuple[str, list[Any]]:
    ta, sc, g, t = _t(TeachingAssignment), _t(SchoolClass), _t(GradeLevel), _t(Teacher)
    s, u = _t(School), _t(OrgUnit)
    where, params = _school_filter("c.school_id", schools)
    sql = (
        f"INSERT INTO {_t(TeacherFact)} (school_id, path, academic_year_id, milieu, sector,"
        f" cycle, teachers, qualified)"
        f" SELECT c.school_id, u.path, c.academic_year_id, s.milieu, s.sector, g.cycle,"
        f" COUNT(DISTINCT ta.teacher_id),"
        f" COUNT(DISTINCT CASE WHEN t.is_qualified THEN ta.teacher_id END)"
        f" FROM {ta} ta JOIN {sc} c ON c.id = ta.school_class_id"
        f" JOIN {g} g ON g.id = c.grade_level_id JOIN {t} t ON t.id = ta.teacher_id"
        f" JOIN {u} u ON u.id = c.school_id JOIN {s} s ON s.org_unit_id = c.school_id"
        f" WHERE c.academic_year_id = %s{where}"
        f" GROUP BY c.school_id, u.path, c.academic_year_id, s.milieu, s.sector, g.cycle"
    )
    return sql, [year.pk, *params]


FACT_MODELS: tuple[type[Model], ...] = (PupilFact, ClassFact, TeacherFact)


def _write(year: AcademicYear, schools: Sequence[int] | None) -> None:
    with transaction.atomic():
        for model in FACT_MODELS:
            qs = model._default_manager.filter(academic_year=year)
            if schools is not None:
                qs = qs.filter(school_id__in=schools)
            qs._raw_delete(qs.db)
        with connection.cursor() as cursor:
            for build in (_pupil_sql, _class_sql, _teacher_sql):
                sql, params = build(year, schools)
                cursor.execute(sql, params)


def facts_rebuild(
    *, years: Iterable[AcademicYear] | None = None, progress: Reporter | None = None
) -> dict[str, int]:
    """Recompute every fact row of the given years (all years by default)."""
    chosen = list(years if years is not None else AcademicYear.objects.order_by("start"))
    if progress:
        progress.total(len(chosen))
    for year in chosen:
        _write(year, None)
        if progress:
            progress.advance(1, year.code)
    FactDirty.objects.filter(academic_year__in=chosen)._raw_delete(FactDirty.objects.db)
    return {
        "years": len(chosen),
        "pupil_facts": PupilFact.objects.filter(academic_year__in=chosen).count(),
    }


def facts_refresh(*, limit: int = 500) -> int:
    """Recompute the dirty school × years, claiming each batch before reading the records;
    loops until none is left. Returns the number of school × years refreshed."""
    done = 0
    while True:
        with transaction.atomic():
            claimed = list(
                FactDirty.objects.select_for_update(skip_locked=True)
                .order_by("marked_at")
                .values_list("pk", "school_id", "academic_year_id")[:limit]
            )
            FactDirty.objects.filter(pk__in=[pk for pk, _, _ in claimed]).delete()
        if not claimed:
            return done
        by_year: dict[int, list[int]] = {}
        for _pk, school, year in claimed:
            by_year.setdefault(year, []).append(school)
        years = AcademicYear.objects.in_bulk(list(by_year))
        for year_id, schools in by_year.items():
            _write(years[year_id], schools)
        done += len(claimed)


# -- marking dirty -------------------------------------------------------------------------


def _mark(pairs: Iterable[tuple[int, int]]) -> bool:
    """Upsert dirty marks; True if one of them is new (a refresh must be queued)."""
    pairs = sorted(set(pairs))
    if not pairs:
        return False
    now = timezone.now()
    table = _t(FactDirty)
    created = False
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            values = ", ".join(["(%s, %s, %s)"] * len(pairs))
            cursor.execute(
                f"INSERT INTO {table} (school_id, academic_year_id, marked_at) VALUES {values}"
                f" ON CONFLICT (school_id, academic_year_id) DO UPDATE"
                f" SET marked_at = EXCLUDED.marked_at RETURNING (xmax = 0)",
                [x for school, year in pairs for x in (school, year, now)],
            )
            created = any(row[0] for row in cursor.fetchall())
        else:
            # SQLite has one writer at a time: update, then insert what was not there.
            for school, year in pairs:
                cursor.execute(
                    f"UPDATE {table} SET marked_at = %s"
                    f" WHERE school_id = %s AND academic_year_id = %s",
                    [now, school, year],
                )
                if cursor.rowcount == 0:
                    cursor.execute(
                        f"INSERT INTO {table} (school_id, academic_year_id, marked_at)"
                        f" VALUES (%s, %s, %s)",
                        [school, year, now],
                    )
                    created = True
    return created


def facts_touch(
    *,
    school_ids: Iterable[int],
    year_id: int,
    pupil_ids: Iterable[int] | None = None,
) -> None:
    """Mark the facts of ``school_ids`` in ``year_id`` out of date — and, for the named
    pupils, those of their schools in the year before and after. Call inside the writing
    transaction."""
    pairs = {(school, year_id) for school in school_ids}
    pupils = list(pupil_ids or ())
    if pupils:
        year = AcademicYear.objects.get(pk=year_id)
        neighbours = [y.pk for y in _adjacent(year) if y is not None]
        if neighbours:
            pairs |= set(
                Enrolment.objects.filter(pupil_id__in=pupils, academic_year_id__in=neighbours)
                .values_list("school_id", "academic_year_id")
                .distinct()
            )
    if _mark(pairs):
        transaction.on_commit(_enqueue_refresh)


def _enqueue_refresh() -> None:
    from pilotage.indicators.tasks import refresh_facts

    try:
        refresh_facts.enqueue()
    except Exception:  # the queue being down must not fail a committed write
        logger.exception("Could not queue the indicators' refresh")
