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
from django.db.models import Model, OuterRef, Subquery
from django.utils import timezone

from pilotage.core.jobs import Reporter
from pilotage.indicators.models import (
    ClassFact,
    CycleSetting,
    FactDirty,
    PupilFact,
    TeacherFact,
)
from pilotage.orgunits.models import AcademicYear, OrgUnit
from pilotage.schooling.selectors import (
    CLASS_FIGURES,
    PUPIL_FIGURES,
    TEACHER_FIGURES,
    class_figures_sql,
    pupil_figures_sql,
    pupils_schools,
    teacher_figures_sql,
    year_has_enrolments,
)

logger = logging.getLogger(__name__)


def _t(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _adjacent(year: AcademicYear) -> tuple[AcademicYear | None, AcademicYear | None]:
    before = AcademicYear.objects.filter(start__lt=year.start).order_by("-start").first()
    after = AcademicYear.objects.filter(start__gt=year.start).order_by("start").first()
    return before, after


def _statements(year: AcademicYear, schools: Sequence[int] | None) -> list[tuple[str, list[Any]]]:
    before, after = _adjacent(year)
    before_id = before.pk if before and year_has_enrolments(before.pk) else None
    after_id = after.pk if after and year_has_enrolments(after.pk) else None
    ages = {c.cycle: (c.entry_age, c.last_age) for c in CycleSetting.objects.all()}
    pupils = pupil_figures_sql(
        year=year, before_id=before_id, after_id=after_id, schools=schools, ages=ages
    )
    classes = class_figures_sql(year=year, schools=schools)
    teachers = teacher_figures_sql(year=year, schools=schools)
    return [
        (f"INSERT INTO {_t(PupilFact)} ({PUPIL_FIGURES}) {pupils[0]}", pupils[1]),
        (f"INSERT INTO {_t(ClassFact)} ({CLASS_FIGURES}) {classes[0]}", classes[1]),
        (f"INSERT INTO {_t(TeacherFact)} ({TEACHER_FIGURES}) {teachers[0]}", teachers[1]),
    ]


FACT_MODELS: tuple[type[Model], ...] = (PupilFact, ClassFact, TeacherFact)


def _write(year: AcademicYear, schools: Sequence[int] | None) -> None:
    with transaction.atomic():
        for model in FACT_MODELS:
            qs = model._default_manager.filter(academic_year=year)
            if schools is not None:
                qs = qs.filter(school_id__in=schools)
            qs._raw_delete(qs.db)
        with connection.cursor() as cursor:
            for sql, params in _statements(year, schools):
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
        elif len(pairs) == 1:
            # SQLite has one writer at a time. One school (a marks sheet, an attendance
            # call): usually already marked during a burst, so update first.
            ((school, year),) = pairs
            cursor.execute(
                f"UPDATE {table} SET marked_at = %s WHERE school_id = %s AND academic_year_id = %s",
                [now, school, year],
            )
            if cursor.rowcount == 0:
                cursor.execute(
                    f"INSERT INTO {table} (school_id, academic_year_id, marked_at)"
                    f" VALUES (%s, %s, %s)",
                    [school, year, now],
                )
                created = True
        else:
            # Several (an import's batch): insert what is new, then touch the others.
            values = ", ".join(["(%s, %s, %s)"] * len(pairs))
            cursor.execute(
                f"INSERT INTO {table} (school_id, academic_year_id, marked_at) VALUES {values}"
                f" ON CONFLICT (school_id, academic_year_id) DO NOTHING"
                f" RETURNING school_id, academic_year_id",
                [x for school, year in pairs for x in (school, year, now)],
            )
            inserted = set(cursor.fetchall())
            created = bool(inserted)
            rest = [pair for pair in pairs if pair not in inserted]
            if rest:
                which = " OR ".join(["(school_id = %s AND academic_year_id = %s)"] * len(rest))
                cursor.execute(
                    f"UPDATE {table} SET marked_at = %s WHERE {which}",
                    [now, *(x for pair in rest for x in pair)],
                )
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
        order = list(AcademicYear.objects.order_by("start").values_list("pk", flat=True))
        at = order.index(year_id) if year_id in order else -1
        neighbours = [order[i] for i in (at - 1, at + 1) if at >= 0 and 0 <= i < len(order)]
        if neighbours:
            pairs |= pupils_schools(pupils, neighbours)
    if _mark(pairs):
        transaction.on_commit(_enqueue_refresh)


def _enqueue_refresh() -> None:
    from pilotage.indicators.tasks import refresh_facts

    try:
        refresh_facts.enqueue()
    except Exception:  # the queue being down must not fail a committed write
        logger.exception("Could not queue the indicators' refresh")


# -- paths copied from the tree ----------------------------------------------------------


def _path_copies() -> list[tuple[type[Model], str]]:
    """Every table of this app that copies a unit's path, with the unit's column."""
    from pilotage.indicators.models import DataApproval, DataValue, PopulationEstimate

    return [
        (PupilFact, "school_id"),
        (ClassFact, "school_id"),
        (TeacherFact, "school_id"),
        (PopulationEstimate, "org_unit_id"),
        (DataValue, "org_unit_id"),
        (DataApproval, "org_unit_id"),
    ]


def paths_refresh(*, under: str) -> None:
    """Copy the current path of each unit onto our rows below ``under`` (the tree keeps
    siblings in code order, so adding a unit renumbers the ones after it)."""
    for model, column in _path_copies():
        current = OrgUnit.objects.filter(pk=OuterRef(column)).values("path")[:1]
        model._default_manager.filter(path__startswith=under).update(path=Subquery(current))
