"""Reads of school records, cut to what the actor may see, in a fixed number of queries.

Officers and school heads see whole schools of their subtree; a teacher sees the classes
they teach; a parent sees their own children. ``class_results`` is the one place averages,
ranks and mentions are computed from marks: pages, bulletins, council and API share it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum

from pilotage.core.scope import scope_of
from pilotage.orgunits.models import AcademicYear, OrgUnit, School, Semester
from pilotage.schooling import grading
from pilotage.schooling.models import (
    ACTIVE_STATUSES,
    Absence,
    Assessment,
    AssessmentKind,
    Enrolment,
    GradeLevel,
    GradingScale,
    Mark,
    MarkDeadline,
    MarkSheet,
    Pupil,
    SchoolClass,
    SubjectCoefficient,
    Teacher,
    TeachingAssignment,
)
from pilotage.schooling.permissions import school_staff
from pilotage.schooling.roles import (
    FOLLOW_CHILDREN,
    MANAGE_SCHOOL,
    SET_DEADLINES,
    TEACH,
    VIEW_SCHOOL,
)
from pilotage.schooling.structure import grading_scale

CONTINUOUS_KINDS = (AssessmentKind.TEST, AssessmentKind.ACTIVITY)


def schools_visible(actor: Any) -> QuerySet[OrgUnit]:
    scope = scope_of(actor)
    return OrgUnit.objects.filter(
        scope.q("path", school_staff()), school__isnull=False
    ).select_related("school")


def schools_managed(actor: Any) -> QuerySet[OrgUnit]:
    """Schools whose enrolments, transfers and councils the actor runs."""
    return OrgUnit.objects.filter(scope_of(actor).q_for(MANAGE_SCHOOL), school__isnull=False)


def classes_visible(actor: Any, *, year: AcademicYear | None = None) -> QuerySet[SchoolClass]:
    scope = scope_of(actor)
    managed = scope.q_for(VIEW_SCHOOL, "school__path")
    taught = scope.q_for(TEACH, "school__path") & Q(teachings__teacher__user=actor)
    qs = SchoolClass.objects.filter(
        pk__in=SchoolClass.objects.filter(managed | taught).values("pk")
    )
    if year is not None:
        qs = qs.filter(academic_year=year)
    return qs.select_related("school", "grade_level", "stream", "academic_year")


def classes_with_counts(actor: Any, *, year: AcademicYear | None = None) -> QuerySet[SchoolClass]:
    return classes_visible(actor, year=year).annotate(
        pupils=Count("enrolments", filter=Q(enrolments__status__in=ACTIVE_STATUSES))
    )


def class_roster(school_class: SchoolClass) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(school_class=school_class, status__in=ACTIVE_STATUSES)
        .select_related("pupil")
        .order_by("pupil__last_name", "pupil__first_name")
    )


def pupils_visible(actor: Any) -> QuerySet[Pupil]:
    """Pupils whose current or past enrolment is in a school or class the actor covers,
    and, for parents, their own children."""
    scope = scope_of(actor)
    managed = Enrolment.objects.filter(scope.q_for(VIEW_SCHOOL, "school__path"))
    taught = Enrolment.objects.filter(
        scope.q_for(TEACH, "school__path"), school_class__teachings__teacher__user=actor
    )
    own = Q(guardians__user=actor) if scope.allows(FOLLOW_CHILDREN) else Q(pk__in=[])
    return Pupil.objects.filter(
        Q(pk__in=managed.values("pupil_id")) | Q(pk__in=taught.values("pupil_id")) | own
    ).distinct()


def pupil_enrolments(pupil: Pupil) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(pupil=pupil)
        .select_related("school", "academic_year", "grade_level", "school_class")
        .order_by("-academic_year__start", "-entered_on")
    )


def wards_of(actor: Any) -> QuerySet[Pupil]:
    return Pupil.objects.filter(guardians__user=actor).prefetch_related(
        Prefetch(
            "enrolments",
            queryset=Enrolment.objects.filter(status__in=ACTIVE_STATUSES).select_related(
                "school", "school_class", "grade_level", "academic_year"
            ),
            to_attr="active_enrolments",
        )
    )


def sheets_visible(actor: Any) -> QuerySet[MarkSheet]:
    """Every sheet of the schools the actor manages or oversees; for a teacher, only the
    class × subject pairs they teach (a colleague's marks are not theirs to read)."""
    scope = scope_of(actor)
    teaches = TeachingAssignment.objects.filter(
        school_class=OuterRef("school_class"), subject=OuterRef("subject"), teacher__user=actor
    )
    return MarkSheet.objects.filter(
        scope.q_for(VIEW_SCHOOL, "school_class__school__path")
        | (scope.q_for(TEACH, "school_class__school__path") & Exists(teaches))
    ).select_related(
        "school_class__school", "school_class__grade_level", "subject", "semester__academic_year"
    )


@dataclass
class GridRow:
    enrolment: Enrolment
    marks: dict[str, Mark] = field(default_factory=dict)


@dataclass
class Grid:
    sheet: MarkSheet
    assessments: list[Assessment]
    rows: list[GridRow]


def sheet_grid(sheet: MarkSheet, *, with_editors: bool = True) -> Grid:
    """Everything the marks grid shows, in three queries whatever the class size:
    the columns, the roster, the marks with who last changed them (``with_editors``;
    the API leaves them out)."""
    assessments = list(sheet.assessments.all())
    rows = [GridRow(e) for e in class_roster(sheet.school_class)]
    by_pupil = {row.enrolment.pupil_id: row for row in rows}
    columns = {a.pk: a.column for a in assessments}
    marks = Mark.objects.filter(assessment__sheet=sheet)
    if with_editors:
        marks = marks.select_related("updated_by")
    for mark in marks:
        row = by_pupil.get(mark.pupil_id)
        if row is not None:
            row.marks[columns[mark.assessment_id]] = mark
    return Grid(sheet=sheet, assessments=assessments, rows=rows)


@dataclass
class PupilResult:
    enrolment: Enrolment
    subjects: dict[int, Decimal | None]
    average: Decimal | None = None
    rank: int | None = None
    mention: str = ""


@dataclass
class ClassResults:
    school_class: SchoolClass
    semester: Semester
    subjects: list[Any]
    coefficients: dict[int, Decimal]
    pupils: list[PupilResult]
    class_average: Decimal | None = None
    scale: grading.Scale = field(default_factory=grading.Scale)  # the cycle's mark scale


def coefficients_for(school_class: SchoolClass) -> dict[int, Decimal]:
    rows = SubjectCoefficient.objects.filter(grade_level_id=school_class.grade_level_id)
    rows = (
        rows.filter(stream_id=school_class.stream_id)
        if school_class.stream_id
        else rows.filter(stream__isnull=True)
    )
    return dict(rows.values_list("subject_id", "coefficient"))


def class_results(school_class: SchoolClass, semester: Semester) -> ClassResults:
    """Subject averages (continuous assessment), general average with coefficients, rank
    and mention (on the cycle's scale) for every pupil of a class in a semester: five
    queries in all."""
    scale = grading_scale(school_class.grade_level.cycle)
    coefficients = coefficients_for(school_class)
    roster = list(class_roster(school_class))
    entries: dict[tuple[int, int], list[grading.Entry]] = defaultdict(list)
    subjects: dict[int, Any] = {}
    marks = Mark.objects.filter(
        assessment__sheet__school_class=school_class,
        assessment__sheet__semester=semester,
        assessment__kind__in=CONTINUOUS_KINDS,
    ).values_list("pupil_id", "assessment__sheet__subject_id", "value", "code")
    for pupil_id, subject_id, value, code in marks:
        entries[(pupil_id, subject_id)].append(grading.Entry(value, code))
    for sheet in MarkSheet.objects.filter(
        school_class=school_class, semester=semester
    ).select_related("subject"):
        subjects[sheet.subject_id] = sheet.subject
    results = []
    for enrolment in roster:
        subject_averages = {
            subject_id: grading.continuous_average(
                entries.get((enrolment.pupil_id, subject_id), [])
            )
            for subject_id in subjects
        }
        results.append(
            PupilResult(
                enrolment=enrolment,
                subjects=subject_averages,
                average=grading.weighted_average(subject_averages, coefficients),
            )
        )
    ranking = grading.ranks({r.enrolment.pupil_id: r.average for r in results})
    for r in results:
        r.rank = ranking.get(r.enrolment.pupil_id)
        r.mention = grading.mention(r.average, scale)
    averages = [r.average for r in results if r.average is not None]
    class_average = grading.rounded(sum(averages, Decimal(0)) / len(averages)) if averages else None
    ordered_subjects = sorted(
        subjects.values(), key=lambda s: (-coefficients.get(s.pk, Decimal(0)), s.code)
    )
    return ClassResults(
        school_class, semester, ordered_subjects, coefficients, results, class_average, scale
    )


def absence_summary(
    school_class: SchoolClass, *, start: Any = None, end: Any = None
) -> dict[int, dict[str, int]]:
    """Hours of absence per pupil (total and unjustified) in one grouped query."""
    qs = Absence.objects.filter(school_class=school_class)
    if start is not None:
        qs = qs.filter(date__gte=start)
    if end is not None:
        qs = qs.filter(date__lte=end)
    rows = qs.values("pupil_id").annotate(
        total=Sum("hours"), unjustified=Sum("hours", filter=Q(justified=False))
    )
    return {
        r["pupil_id"]: {"hours": r["total"] or 0, "unjustified": r["unjustified"] or 0}
        for r in rows
    }


def absence_rate(hours_absent: int, sessions: int, hours_per_session: int = 4) -> Decimal | None:
    """Share of the scheduled hours missed, in percent, to one decimal."""
    scheduled = sessions * hours_per_session
    if scheduled <= 0:
        return None
    return (Decimal(100) * hours_absent / scheduled).quantize(Decimal("0.1"))


def deadlines_visible(actor: Any) -> QuerySet[MarkDeadline]:
    """The mark-entry deadlines set on the units the actor may set them on, latest
    semester first."""
    return (
        MarkDeadline.objects.filter(scope_of(actor).q_for(SET_DEADLINES, "org_unit__path"))
        .select_related("semester__academic_year", "org_unit")
        .order_by("-semester__start", "org_unit__path")
    )


# -- figures for the indicators' fact tables ------------------------------------------------
# The indicators app keeps per-school fact tables (pilotage/indicators/facts.py). What the
# school records hold is this app's business, so the queries that read them live here:
# each returns a SELECT (SQL and parameters) over one year, for every school or a few,
# whose columns are listed in its docstring; the indicators app inserts its rows.
# ruff: noqa: S608 - only our models' table and column names are formatted into the SQL;
# every value goes in as a parameter.


def _table(model: type[Any]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _birth_year(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {column}) AS INTEGER)"
    return f"CAST(strftime('%%Y', {column}) AS INTEGER)"


def _school_filter(column: str, schools: Sequence[int] | None) -> tuple[str, list[Any]]:
    if schools is None:
        return "", []
    marks = ", ".join(["%s"] * len(schools))
    return f" AND {column} IN ({marks})", list(schools)


def grade_ladder() -> list[tuple[int, str, str]]:
    """Every grade as (id, code, cycle), in the order pupils go through them."""
    return list(GradeLevel.objects.order_by("order").values_list("pk", "code", "cycle"))


def year_has_enrolments(year_id: int | None) -> bool:
    return year_id is not None and Enrolment.objects.filter(academic_year_id=year_id).exists()


def pupils_schools(pupil_ids: Sequence[int], year_ids: Sequence[int]) -> set[tuple[int, int]]:
    """(school id, year id) of every enrolment of those pupils in those years."""
    return set(
        Enrolment.objects.filter(pupil_id__in=pupil_ids, academic_year_id__in=year_ids)
        .values_list("school_id", "academic_year_id")
        .distinct()
    )


PUPIL_FIGURES = (
    "school_id, path, academic_year_id, milieu, sector, cycle, grade_level_id, sex,"
    " enrolled, age_primaire, age_college, age_lycee, new_entrants, promoted, repeated,"
    " marks_sum, marks_count, assessed, passed, absent_half_days"
)


def pupil_figures_sql(
    *,
    year: AcademicYear,
    before_id: int | None,
    after_id: int | None,
    schools: Sequence[int] | None,
    ages: dict[str, tuple[int, int]],
) -> tuple[str, list[Any]]:
    """Per school × grade × sex of ``year`` (columns: PUPIL_FIGURES).

    Each pupil counts once, at the school and grade of their latest enrolment of the year
    (by entry date). Ages are reached in the calendar year of the start of the school year;
    ``ages`` gives each cycle's official (first, last) age. With ``after_id`` (the next
    year, when it has enrolments), the same pupil's earliest enrolment of the next year
    says whether they were promoted (a higher grade) or repeated (the same grade);
    otherwise both are NULL. With ``before_id``, pupils not in the same grade the year
    before are new entrants; otherwise NULL. Marks and half-days of absence are those
    recorded in the school's classes of the year; a pupil passes at the cycle's pass mark
    (``GradingScale``: 5 of 10 in primary, 10 of 20 after). No status field is read."""
    e, p, g = _table(Enrolment), _table(Pupil), _table(GradeLevel)
    s, u = _table(School), _table(OrgUnit)
    sc, sh, a, m = _table(SchoolClass), _table(MarkSheet), _table(Assessment), _table(Mark)
    ab = _table(Absence)
    order = connection.ops.quote_name("order")
    where_class, class_params = _school_filter("c.school_id", schools)
    where_cur, cur_params = _school_filter("e.school_id", schools)

    params: list[Any] = [year.pk, *cur_params]
    ctes = [
        f"cur AS (SELECT e.pupil_id, e.school_id, e.grade_level_id FROM {e} e"
        f" WHERE e.academic_year_id = %s{where_cur}"
        f" AND NOT EXISTS (SELECT 1 FROM {e} l WHERE l.pupil_id = e.pupil_id"
        f" AND l.academic_year_id = e.academic_year_id"
        f" AND (l.entered_on > e.entered_on OR (l.entered_on = e.entered_on AND l.id > e.id))))"
    ]
    joins = []
    if after_id is not None:
        ctes.append(
            f"nxt AS (SELECT n.pupil_id, MIN(gn.{order}) AS ord FROM {e} n"
            f" JOIN {g} gn ON gn.id = n.grade_level_id"
            f" WHERE n.academic_year_id = %s AND n.pupil_id IN (SELECT pupil_id FROM cur)"
            f" GROUP BY n.pupil_id)"
        )
        params.append(after_id)
        joins.append("LEFT JOIN nxt ON nxt.pupil_id = cur.pupil_id")
        promoted = f"SUM(CASE WHEN nxt.ord > g.{order} THEN 1 ELSE 0 END)"
        repeated = f"SUM(CASE WHEN nxt.ord = g.{order} THEN 1 ELSE 0 END)"
    else:
        promoted = repeated = "NULL"
    if before_id is not None:
        ctes.append(
            f"prv AS (SELECT DISTINCT b.pupil_id, b.grade_level_id FROM {e} b"
            f" WHERE b.academic_year_id = %s AND b.pupil_id IN (SELECT pupil_id FROM cur))"
        )
        params.append(before_id)
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
        f" WHERE c.academic_year_id = %s{where_class} AND x.value IS NOT NULL"
        f" GROUP BY x.pupil_id)"
    )
    params += [year.pk, *class_params]
    ctes.append(
        f"ab AS (SELECT x.pupil_id, COUNT(*) AS n FROM {ab} x"
        f" JOIN {sc} c ON c.id = x.school_class_id"
        f" WHERE c.academic_year_id = %s{where_class} GROUP BY x.pupil_id)"
    )
    params += [year.pk, *class_params]
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
    sql = (
        f"WITH {', '.join(ctes)}"
        f" SELECT cur.school_id, u.path, %s, s.milieu, s.sector, g.cycle, cur.grade_level_id,"
        f" p.sex, COUNT(*), {', '.join(age_columns)}, {new_entrants}, {promoted}, {repeated},"
        f" COALESCE(SUM(mk.total), 0), COALESCE(SUM(mk.n), 0),"
        f" SUM(CASE WHEN mk.n > 0 THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN mk.n > 0 AND mk.total >= COALESCE(gs.pass_mark, 10) * mk.n"
        f" THEN 1 ELSE 0 END),"
        f" COALESCE(SUM(ab.n), 0)"
        f" FROM cur JOIN {p} p ON p.id = cur.pupil_id JOIN {g} g ON g.id = cur.grade_level_id"
        f" JOIN {u} u ON u.id = cur.school_id JOIN {s} s ON s.org_unit_id = cur.school_id"
        f" LEFT JOIN {_table(GradingScale)} gs ON gs.cycle = g.cycle"
        f" {' '.join(joins)}"
        f" GROUP BY cur.school_id, u.path, s.milieu, s.sector, g.cycle, cur.grade_level_id, p.sex"
    )
    return sql, [*params, year.pk, *age_params]


CLASS_FIGURES = "school_id, path, academic_year_id, milieu, sector, cycle, grade_level_id, classes"


def class_figures_sql(
    *, year: AcademicYear, schools: Sequence[int] | None
) -> tuple[str, list[Any]]:
    """Classes per school × grade of ``year`` (columns: CLASS_FIGURES)."""
    sc, g, s, u = _table(SchoolClass), _table(GradeLevel), _table(School), _table(OrgUnit)
    where, params = _school_filter("c.school_id", schools)
    sql = (
        f"SELECT c.school_id, u.path, c.academic_year_id, s.milieu, s.sector, g.cycle,"
        f" c.grade_level_id, COUNT(*) FROM {sc} c JOIN {g} g ON g.id = c.grade_level_id"
        f" JOIN {u} u ON u.id = c.school_id JOIN {s} s ON s.org_unit_id = c.school_id"
        f" WHERE c.academic_year_id = %s{where}"
        f" GROUP BY c.school_id, u.path, c.academic_year_id, s.milieu, s.sector, g.cycle,"
        f" c.grade_level_id"
    )
    return sql, [year.pk, *params]


TEACHER_FIGURES = "school_id, path, academic_year_id, milieu, sector, cycle, teachers, qualified"


def teacher_figures_sql(
    *, year: AcademicYear, schools: Sequence[int] | None
) -> tuple[str, list[Any]]:
    """Distinct teachers assigned to a class of each cycle, and the qualified ones, per
    school of ``year`` (columns: TEACHER_FIGURES)."""
    ta, sc, g, t = (
        _table(TeachingAssignment),
        _table(SchoolClass),
        _table(GradeLevel),
        _table(Teacher),
    )
    s, u = _table(School), _table(OrgUnit)
    where, params = _school_filter("c.school_id", schools)
    sql = (
        f"SELECT c.school_id, u.path, c.academic_year_id, s.milieu, s.sector, g.cycle,"
        f" COUNT(DISTINCT ta.teacher_id),"
        f" COUNT(DISTINCT CASE WHEN t.is_qualified THEN ta.teacher_id END)"
        f" FROM {ta} ta JOIN {sc} c ON c.id = ta.school_class_id"
        f" JOIN {g} g ON g.id = c.grade_level_id JOIN {t} t ON t.id = ta.teacher_id"
        f" JOIN {u} u ON u.id = c.school_id JOIN {s} s ON s.org_unit_id = c.school_id"
        f" WHERE c.academic_year_id = %s{where}"
        f" GROUP BY c.school_id, u.path, c.academic_year_id, s.milieu, s.sector, g.cycle"
    )
    return sql, [year.pk, *params]


def classes_without_marks(unit: OrgUnit, year: AcademicYear) -> QuerySet[SchoolClass]:
    """The classes of ``unit``'s subtree in ``year`` without a single mark (any subject,
    semester or assessment): a gap the data-quality page of the indicators shows. The
    caller has checked that the actor sees ``unit``."""
    marked = Mark.objects.filter(assessment__sheet__school_class=OuterRef("pk"))
    return (
        SchoolClass.objects.filter(school__path__startswith=unit.path, academic_year=year)
        .exclude(Exists(marked))
        .select_related("school", "grade_level")
        .order_by("school__path", "grade_level__order", "name")
    )


def schools_without_enrolments(unit: OrgUnit, year: AcademicYear) -> QuerySet[OrgUnit]:
    """The active schools of ``unit``'s subtree with no enrolment at all in ``year``; the
    caller has checked that the actor sees ``unit``."""
    enrolled = Enrolment.objects.filter(school=OuterRef("pk"), academic_year=year)
    return (
        OrgUnit.objects.filter(path__startswith=unit.path, school__isnull=False, is_active=True)
        .exclude(Exists(enrolled))
        .order_by("path")
    )
