"""Reads of school records, cut to what the actor may see, in a fixed number of queries.

Officers and school heads see whole schools of their subtree; a teacher sees the classes
they teach; a parent sees their own children. ``class_results`` is the one place averages,
ranks and mentions are computed from marks: pages, bulletins, council and API share it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from django.db import connection
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Concat, Length, RowNumber, Substr
from django.utils import timezone

from pilotage.core.roles import roles_with
from pilotage.core.scope import scope_of
from pilotage.orgunits.models import AcademicYear, Cycle, OrgUnit, School, Semester
from pilotage.orgunits.selectors import with_parent_names
from pilotage.schooling import grading
from pilotage.schooling.models import (
    ACTIVE_STATUSES,
    Absence,
    Appreciation,
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
    Transfer,
    TransferStatus,
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
                "school", "school_class__grade_level", "grade_level", "academic_year"
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


def sheet_appreciations(sheet: MarkSheet) -> dict[int, Appreciation]:
    """The teacher's appreciations on a sheet by enrolment id, with who wrote them: one
    query whatever the class size."""
    return {
        a.enrolment_id: a
        for a in Appreciation.objects.filter(sheet=sheet).select_related("updated_by")
    }


def class_appreciations(
    school_class: SchoolClass, semester: Semester
) -> dict[tuple[int, int], str]:
    """(pupil id, subject id) → the teacher's appreciation, for a class's bulletins: one
    query whatever the class size."""
    rows = Appreciation.objects.filter(
        sheet__school_class=school_class, sheet__semester=semester
    ).values_list("enrolment__pupil_id", "sheet__subject_id", "text")
    return {(pupil_id, subject_id): text for pupil_id, subject_id, text in rows}


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


# -- home cards, marks-entry progress and the parents' portal ---------------------------------


def semester_current(year: AcademicYear | None | Literal["current"] = "current") -> Semester | None:
    """The semester of ``year`` (by default the current school year) that today falls in;
    before the year its first, after it its last, with its year. One query; ``None``
    without a year or semesters."""
    if year is None:
        return None
    semesters = Semester.objects.select_related("academic_year").order_by("number")
    found = list(
        semesters.filter(academic_year__is_current=True)
        if year == "current"
        else semesters.filter(academic_year=year)
    )
    today = timezone.localdate()
    started = [s for s in found if s.start <= today]
    return started[-1] if started else (found[0] if found else None)


# When a sheet counts as entered, for the progress figures and the teacher's card. The
# sheet model (models.MarkSheet) keeps no status column: its state is read from what it
# holds. A sheet is *entered* when the school head has validated it (``validated_at``
# set), or when every pupil actively enrolled in its class (ACTIVE_STATUSES) has a mark —
# a value, ABS or DISP — in every column (assessment) of the sheet. A sheet with no
# column or a class with no pupil is not entered until validated. The sheets *expected*
# of a class in a semester are its curriculum: one per subject its grade (and stream)
# studies (SubjectCoefficient); only those sheets count as entered, so entered never
# exceeds expected.
ENTERED_RULE = (
    "validated, or every pupil enrolled in the class has a mark (value, ABS or DISP) in "
    "every column of the sheet"
)


def _scope_schools_sql(actor: Any) -> tuple[str, tuple[Any, ...]] | None:
    """The SQL selecting the ids of the active schools the actor sees whole, or ``None``
    when they see none."""
    scope = scope_of(actor)
    if not scope.paths(roles_with(VIEW_SCHOOL)):
        return None
    schools = OrgUnit.objects.filter(
        scope.q_for(VIEW_SCHOOL), school__isnull=False, is_active=True
    ).values("pk")
    sql, params = schools.query.sql_with_params()
    return sql, tuple(params)


def _fill_sql(sheet_where: str) -> str:
    """CTEs ``cols`` (columns per sheet) and ``filled`` (marks of the class's enrolled
    pupils per sheet) over the sheets matching ``sheet_where`` (on alias ``sh``), and
    ``roster`` (enrolled pupils per class of those sheets)."""
    sh, a, m, e = _table(MarkSheet), _table(Assessment), _table(Mark), _table(Enrolment)
    active = ", ".join(["%s"] * len(ACTIVE_STATUSES))
    return (
        f"todo AS (SELECT sh.id, sh.school_class_id FROM {sh} sh WHERE {sheet_where}"
        f" AND sh.validated_at IS NULL),"
        f" cols AS (SELECT a.sheet_id, COUNT(*) AS n FROM {a} a"
        f" WHERE a.sheet_id IN (SELECT id FROM todo) GROUP BY a.sheet_id),"
        f" roster AS (SELECT e.school_class_id, COUNT(*) AS n FROM {e} e"
        f" WHERE e.school_class_id IN (SELECT school_class_id FROM todo)"
        f" AND e.status IN ({active}) GROUP BY e.school_class_id),"
        f" filled AS (SELECT t.id AS sheet_id, COUNT(*) AS n FROM todo t"
        f" JOIN {a} a ON a.sheet_id = t.id JOIN {m} m ON m.assessment_id = a.id"
        f" JOIN {e} e ON e.pupil_id = m.pupil_id AND e.school_class_id = t.school_class_id"
        f" AND e.status IN ({active}) GROUP BY t.id)"
    )


def _fill_params() -> list[Any]:
    return [*ACTIVE_STATUSES, *ACTIVE_STATUSES]


# A sheet row ``sh`` joined (LEFT) to cols ``k``, roster ``r`` and filled ``f`` is entered:
_ENTERED = "(sh.validated_at IS NOT NULL OR (r.n > 0 AND k.n > 0 AND f.n = r.n * k.n))"


@dataclass
class SchoolProgress:
    """Marks entry of one school in a semester: sheets entered / expected."""

    school_id: int
    path: str
    expected: int
    entered: int
    unit: OrgUnit | None = None
    deadline: Any = None

    @property
    def missing(self) -> int:
        return self.expected - self.entered

    @property
    def percent(self) -> int | None:
        return None if not self.expected else (100 * self.entered) // self.expected


def marks_progress(actor: Any, semester: Semester) -> list[SchoolProgress]:
    """Sheets entered / expected (rule: ENTERED_RULE) of every active school the actor
    sees whole, for ``semester``, the furthest behind first (lowest share entered, then
    most sheets missing; schools expecting none last). One grouped query whatever the
    number of schools; no names (see :func:`progress_units`)."""
    schools = _scope_schools_sql(actor)
    if schools is None:
        return []
    rows = _progress_rows(*schools, semester)
    rows.sort(
        key=lambda p: (
            p.expected == 0,
            p.entered / p.expected if p.expected else 0,
            -p.missing,
            p.path,
        )
    )
    return rows


def _progress_rows(
    schools_sql: str, schools_params: Sequence[Any], semester: Semester
) -> list[SchoolProgress]:
    """Sheets entered / expected in ``semester`` of the schools whose ids ``schools_sql``
    selects: one grouped query."""
    sc, co, sh, u = (
        _table(SchoolClass),
        _table(SubjectCoefficient),
        _table(MarkSheet),
        _table(OrgUnit),
    )
    curriculum = (
        "co.grade_level_id = c.grade_level_id AND (co.stream_id = c.stream_id"
        " OR (co.stream_id IS NULL AND c.stream_id IS NULL))"
    )
    sql = (
        f"WITH cls AS (SELECT c.id, c.school_id, c.grade_level_id, c.stream_id FROM {sc} c"
        f" WHERE c.academic_year_id = %s AND c.school_id IN ({schools_sql})),"
        f" {_fill_sql('sh.semester_id = %s AND sh.school_class_id IN (SELECT id FROM cls)')},"
        f" expected AS (SELECT c.school_id, COUNT(*) AS n FROM cls c JOIN {co} co"
        f" ON {curriculum} GROUP BY c.school_id),"
        f" entered AS (SELECT c.school_id, COUNT(*) AS n FROM {sh} sh"
        f" JOIN cls c ON c.id = sh.school_class_id"
        f" JOIN {co} co ON {curriculum} AND co.subject_id = sh.subject_id"
        f" LEFT JOIN cols k ON k.sheet_id = sh.id"
        f" LEFT JOIN roster r ON r.school_class_id = sh.school_class_id"
        f" LEFT JOIN filled f ON f.sheet_id = sh.id"
        f" WHERE sh.semester_id = %s AND {_ENTERED} GROUP BY c.school_id)"
        f" SELECT u.id, u.path, COALESCE(x.n, 0), COALESCE(d.n, 0) FROM {u} u"
        f" LEFT JOIN expected x ON x.school_id = u.id LEFT JOIN entered d ON d.school_id = u.id"
        f" WHERE u.id IN ({schools_sql})"
    )
    params = [
        semester.academic_year_id,
        *schools_params,
        semester.pk,
        *_fill_params(),
        semester.pk,
        *schools_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [SchoolProgress(*row) for row in cursor.fetchall()]


def deadlines_for_paths(semester: Semester, paths: Sequence[str]) -> dict[str, Any]:
    """The mark-entry deadline of ``semester`` in force at each unit path (the deepest
    deadline on the unit or above it wins, as ``services.marks.sheet_deadline``): one
    query for all of them."""
    wanted = {p[:i] for p in paths for i in range(OrgUnit.steplen, len(p) + 1, OrgUnit.steplen)}
    if not wanted:
        return {}
    found = dict(
        MarkDeadline.objects.filter(semester=semester, org_unit__path__in=wanted).values_list(
            "org_unit__path", "closes_at"
        )
    )
    result = {}
    for p in paths:
        result[p] = next(
            (found[p[:i]] for i in range(len(p), 0, -OrgUnit.steplen) if p[:i] in found),
            None,
        )
    return result


def progress_units(rows: Sequence[SchoolProgress], semester: Semester) -> None:
    """Fill in the school (with its commune's name, which tells namesakes apart) and the
    deadline of each row: two queries."""
    units = with_parent_names(OrgUnit.objects.select_related("school")).in_bulk(
        [r.school_id for r in rows]
    )
    deadlines = deadlines_for_paths(semester, [r.path for r in rows])
    for r in rows:
        r.unit = units.get(r.school_id)
        r.deadline = deadlines.get(r.path)


def sheets_to_validate(actor: Any, year: AcademicYear | None) -> QuerySet[MarkSheet]:
    """The sheets of ``year`` in the schools the actor runs that the head has not validated
    yet, by semester, class and subject."""
    qs = MarkSheet.objects.filter(
        scope_of(actor).q_for(MANAGE_SCHOOL, "school_class__school__path"),
        validated_at__isnull=True,
    )
    if year is not None:
        qs = qs.filter(school_class__academic_year=year)
    return qs.select_related("school_class", "subject", "semester").order_by(
        "semester__number",
        "school_class__grade_level__order",
        "school_class__name",
        "subject__code",
    )


def transfers_awaiting(actor: Any) -> QuerySet[Transfer]:
    """Transfers into the schools the actor runs still waiting for their answer."""
    return Transfer.objects.filter(
        scope_of(actor).q_for(MANAGE_SCHOOL, "to_school__path"),
        status=TransferStatus.REQUESTED,
    )


@dataclass
class SheetDue:
    """A sheet a teacher owes: their class × subject in the semester, not entered yet."""

    assignment: TeachingAssignment
    sheet: MarkSheet | None
    deadline: Any
    days_left: int | None

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0


def teacher_sheets_due(actor: Any, semester: Semester) -> list[SheetDue]:
    """The actor's own class × subject pairs of ``semester``'s year whose sheet is not
    entered (rule: ENTERED_RULE), including those whose sheet is not created yet, the
    nearest deadline first (none last). Three queries: the assignments with their
    sheet, how full those sheets are, the deadlines."""
    scope = scope_of(actor)
    sheet_of = MarkSheet.objects.filter(
        school_class=OuterRef("school_class"), subject=OuterRef("subject"), semester=semester
    )
    assignments = list(
        TeachingAssignment.objects.filter(
            scope.q_for(TEACH, "school_class__school__path"),
            teacher__user=actor,
            school_class__academic_year_id=semester.academic_year_id,
        )
        .annotate(sheet_id=Subquery(sheet_of.values("pk")[:1]))
        .select_related("school_class__school", "subject")
    )
    sheet_ids = [a.sheet_id for a in assignments if a.sheet_id]
    sheets: dict[int, MarkSheet] = {}
    entered: set[int] = set()
    if sheet_ids:
        marks = ", ".join(["%s"] * len(sheet_ids))
        sql = (
            f"WITH {_fill_sql(f'sh.id IN ({marks})')}"
            f" SELECT sh.id, sh.validated_at, {_ENTERED} FROM {_table(MarkSheet)} sh"
            f" LEFT JOIN cols k ON k.sheet_id = sh.id"
            f" LEFT JOIN roster r ON r.school_class_id = sh.school_class_id"
            f" LEFT JOIN filled f ON f.sheet_id = sh.id WHERE sh.id IN ({marks})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*sheet_ids, *_fill_params(), *sheet_ids])
            for pk, _validated, done in cursor.fetchall():
                sheets[pk] = MarkSheet(pk=pk)
                if done:
                    entered.add(pk)
    deadlines = deadlines_for_paths(
        semester, sorted({a.school_class.school.path for a in assignments})
    )
    today = timezone.localdate()
    due = []
    for a in assignments:
        pk = a.sheet_id
        if pk in entered:
            continue
        deadline = deadlines.get(a.school_class.school.path)
        days = None if deadline is None else (timezone.localdate(deadline) - today).days
        due.append(SheetDue(a, sheets.get(pk) if pk else None, deadline, days))
    due.sort(
        key=lambda d: (
            d.deadline is None,
            d.deadline or 0,
            d.assignment.school_class.name,
            d.assignment.subject.code,
        )
    )
    return due


def recent_marks(pupils: Sequence[Pupil], *, limit: int = 5) -> dict[int, list[Mark]]:
    """Each pupil's latest marks (newest first, at most ``limit`` a pupil) with the
    subject and the semester: one query for all the pupils (a window function)."""
    if not pupils:
        return {}
    ranked = (
        Mark.objects.filter(pupil__in=pupils)
        .annotate(
            row=Window(
                RowNumber(),
                partition_by=[F("pupil_id")],
                order_by=[F("updated_at").desc(), F("pk").desc()],
            )
        )
        .filter(row__lte=limit)
        .select_related(
            "assessment__sheet__subject",
            "assessment__sheet__semester",
            "assessment__sheet__school_class__grade_level",
        )
        .order_by("pupil_id", "-updated_at", "-pk")
    )
    result: dict[int, list[Mark]] = defaultdict(list)
    for mark in ranked:
        result[mark.pupil_id].append(mark)
    return result


def absences_of(
    pupils: Sequence[Pupil], *, year: AcademicYear | None = None
) -> dict[int, list[Absence]]:
    """Each pupil's absences (newest first) in ``year``: one query for all the pupils."""
    qs = Absence.objects.filter(pupil__in=pupils)
    if year is not None:
        qs = qs.filter(school_class__academic_year=year)
    result: dict[int, list[Absence]] = defaultdict(list)
    for absence in qs.order_by("pupil_id", "-date", "session"):
        result[absence.pupil_id].append(absence)
    return result


# -- finding a pupil ------------------------------------------------------------------------
# Latin names are matched whatever their accents and case ("benani" finds "Bénani"), Arabic
# names as typed, codes Massar by their start. SQLite's lower() knows ASCII only and neither
# database strips accents without an extension, so LatinFold spells the folding out in SQL
# and fold_latin does the same in Python for the search terms.

_FOLDED = "àáâãäåçèéêëìíîïñòóôõöùúûüýÿ"
_PLAIN = "aaaaaaceeeeiiiinooooouuuuyy"
_LIGATURES = (("œ", "oe"), ("æ", "ae"))
SEARCH_TERMS_MAX = 5


def fold_latin(text: str) -> str:
    """Lower-cased, without accents: what LatinFold makes of the same text in SQL."""
    text = text.lower().translate(str.maketrans(_FOLDED, _PLAIN))
    for ligature, plain in _LIGATURES:
        text = text.replace(ligature, plain)
    return text


class LatinFold(Func):
    """Lower-cases Latin text and strips its accents in SQL (``fold_latin``'s twin)."""

    arity = 1
    output_field = CharField()

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, list[Any]]:
        # PostgreSQL (its lower() knows every script): one TRANSLATE, then the ligatures.
        sql, params = compiler.compile(self.source_expressions[0])
        sql = f"TRANSLATE(LOWER({sql}), %s, %s)"
        params = [*params, _FOLDED, _PLAIN]
        for ligature, plain in _LIGATURES:
            sql = f"REPLACE({sql}, %s, %s)"
            params += [ligature, plain]
        return sql, params

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        # SQLite has neither TRANSLATE nor a Unicode lower(), and sixty nested REPLACEs
        # overflow its parser: the query calls fold_latin itself, registered on the
        # connection that runs it (registering again is harmless).
        connection.ensure_connection()
        connection.connection.create_function(
            "pilotage_fold_latin", 1, _fold_or_none, deterministic=True
        )
        sql, params = compiler.compile(self.source_expressions[0])
        return f"pilotage_fold_latin({sql})", list(params)


def _fold_or_none(text: str | None) -> str | None:
    return None if text is None else fold_latin(text)


def pupils_search(
    actor: Any,
    q: str = "",
    *,
    class_id: int | None = None,
    school: OrgUnit | None = None,
    year: AcademicYear | None = None,
) -> QuerySet[Pupil]:
    """The pupils the actor sees whose every word of ``q`` is the start of their code Massar
    or part of a name (Latin last or first name, accents and case aside, or Arabic name as
    typed), optionally in a class, or enrolled at ``school`` (in ``year`` when given);
    ordered by name. The pages and the API share it."""
    qs = pupils_visible(actor)
    terms = q.split()[:SEARCH_TERMS_MAX]
    if terms:
        qs = qs.annotate(latin_name=LatinFold(Concat("last_name", Value(" "), "first_name")))
        for term in terms:
            qs = qs.filter(
                Q(code_massar__startswith=term.upper())
                | Q(latin_name__contains=fold_latin(term))
                | Q(last_name_ar__contains=term)
                | Q(first_name_ar__contains=term)
            )
    if class_id is not None:
        qs = qs.filter(
            Exists(Enrolment.objects.filter(pupil=OuterRef("pk"), school_class_id=class_id))
        )
    if school is not None:
        at_school = Enrolment.objects.filter(pupil=OuterRef("pk"), school=school)
        if year is not None:
            at_school = at_school.filter(academic_year=year)
        qs = qs.filter(Exists(at_school))
    return qs.order_by("last_name", "first_name", "code_massar")


def with_latest_enrolment(pupils: Sequence[Pupil]) -> list[Pupil]:
    """Sets ``latest_enrolment`` (school, class, year) on each pupil: one query."""
    latest: dict[int, Enrolment] = {}
    for enrolment in (
        Enrolment.objects.filter(pupil__in=[p.pk for p in pupils])
        .select_related("school__school", "school_class", "academic_year")
        .order_by("pupil_id", "-academic_year__start", "-entered_on", "-pk")
    ):
        latest.setdefault(enrolment.pupil_id, enrolment)
    for pupil in pupils:
        pupil.latest_enrolment = latest.get(pupil.pk)  # type: ignore[attr-defined]
    return list(pupils)


# -- schools and their figures --------------------------------------------------------------


def schools_overseen(
    actor: Any, *, within: OrgUnit | None = None, cycle: str = "", q: str = ""
) -> QuerySet[OrgUnit]:
    """The active schools whose classes and pupils the actor sees (officers, heads), under
    ``within`` (a commune, a province…), teaching ``cycle``, whose name or code holds ``q``."""
    qs = OrgUnit.objects.filter(
        scope_of(actor).q_for(VIEW_SCHOOL), school__isnull=False, is_active=True
    ).select_related("school")
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    if cycle in {c.value for c in Cycle}:
        qs = qs.filter(**{f"school__has_{cycle}": True})
    q = q.strip()
    if q:
        qs = qs.filter(
            Q(name_fr__icontains=q)
            | Q(name_ar__icontains=q)
            | Q(code__istartswith=q)
            | Q(school__school_code__istartswith=q)
        )
    return qs.order_by("name_fr", "code")


def communes_of(schools: QuerySet[OrgUnit]) -> QuerySet[OrgUnit]:
    """The units directly above those schools (their communes), by name: one query."""
    parents = schools.order_by().annotate(
        parent_path=Substr("path", 1, Length("path") - OrgUnit.steplen)
    )
    return OrgUnit.objects.filter(path__in=parents.values("parent_path")).order_by("name_fr")


def parents_of(units: Sequence[OrgUnit]) -> dict[int, OrgUnit]:
    """Each unit's parent (a school's commune), by the unit's id: one query."""
    paths = {u.pk: u.path[: -OrgUnit.steplen] for u in units if u.depth > 1}
    by_path = {p.path: p for p in OrgUnit.objects.filter(path__in=set(paths.values()))}
    return {pk: by_path[path] for pk, path in paths.items() if path in by_path}


@dataclass
class SchoolFigures:
    pupils: int = 0
    classes: int = 0
    teachers: int = 0
    sheets_entered: int = 0
    sheets_expected: int = 0


def school_figures(
    schools: Sequence[OrgUnit], year: AcademicYear | None, semester: Semester | None
) -> dict[int, SchoolFigures]:
    """Pupils enrolled in ``year``, its classes, the teachers posted there, and the sheets
    of ``semester`` entered and expected (ENTERED_RULE, as the marks-entry progress), for
    each school: four queries whatever the number of schools (pupils, classes, teachers,
    sheets)."""
    ids = [s.pk for s in schools]
    figures = {pk: SchoolFigures() for pk in ids}
    if not ids:
        return figures
    pupils = Enrolment.objects.filter(
        school_id__in=ids, academic_year=year, status__in=ACTIVE_STATUSES
    )
    for row in pupils.values("school_id").annotate(n=Count("pk")).order_by():
        figures[row["school_id"]].pupils = row["n"]
    classes = SchoolClass.objects.filter(school_id__in=ids, academic_year=year)
    for row in classes.values("school_id").annotate(n=Count("pk")).order_by():
        figures[row["school_id"]].classes = row["n"]
    teachers = Teacher.objects.filter(school_id__in=ids)
    for row in teachers.values("school_id").annotate(n=Count("pk")).order_by():
        figures[row["school_id"]].teachers = row["n"]
    if semester is not None and year is not None and semester.academic_year_id == year.pk:
        # The same rule and query as the officers' marks-entry progress (ENTERED_RULE).
        placeholders = ", ".join(["%s"] * len(ids))
        schools_sql = f"SELECT id FROM {_table(OrgUnit)} WHERE id IN ({placeholders})"
        for progress in _progress_rows(schools_sql, ids, semester):
            figures[progress.school_id].sheets_entered = progress.entered
            figures[progress.school_id].sheets_expected = progress.expected
    return figures


@dataclass
class SheetStatus:
    subject: Any
    sheet: MarkSheet | None = None
    entered: bool = False

    @property
    def validated(self) -> bool:
        return self.sheet is not None and self.sheet.validated_at is not None


@dataclass
class ClassOverview:
    school_class: SchoolClass
    pupils: int
    sheets: list[SheetStatus] = field(default_factory=list)

    @property
    def entered(self) -> int:
        return sum(1 for s in self.sheets if s.entered)


def school_classes_overview(
    actor: Any, school: OrgUnit, year: AcademicYear | None, semester: Semester | None
) -> list[ClassOverview]:
    """The classes of ``school`` in ``year`` the actor sees, each with its pupils and, per
    subject of its level, the sheet of ``semester`` (when the actor may read it) and
    whether marks were entered: four queries (classes with counts, coefficients and
    subjects, sheets)."""
    classes = list(
        classes_with_counts(actor, year=year)
        .filter(school=school)
        .order_by("grade_level__order", "name")
    )
    if not classes:
        return []
    subjects: dict[tuple[int, int | None], list[Any]] = defaultdict(list)
    for coefficient in SubjectCoefficient.objects.filter(
        grade_level_id__in={c.grade_level_id for c in classes}
    ).select_related("subject"):
        subjects[(coefficient.grade_level_id, coefficient.stream_id)].append(coefficient.subject)
    sheets: dict[tuple[int, int], Any] = {}
    if semester is not None:
        has_mark = Mark.objects.filter(assessment__sheet=OuterRef("pk"))
        for sheet in (
            sheets_visible(actor)
            .filter(school_class__in=[c.pk for c in classes], semester=semester)
            .annotate(has_marks=Exists(has_mark))
        ):
            sheets[(sheet.school_class_id, sheet.subject_id)] = sheet
    overview = []
    for school_class in classes:
        row = ClassOverview(school_class, school_class.pupils)  # type: ignore[attr-defined]
        for subject in sorted(
            subjects.get((school_class.grade_level_id, school_class.stream_id), []),
            key=lambda s: s.code,
        ):
            found = sheets.get((school_class.pk, subject.pk))
            row.sheets.append(SheetStatus(subject, found, bool(found and found.has_marks)))
        overview.append(row)
    return overview


class TransferDirection:
    INCOMING = "in"
    OUTGOING = "out"


def transfers_visible(actor: Any) -> QuerySet[Transfer]:
    """Transfers leaving or joining a school the actor sees whole: a head's school, an
    officer's territory (read-only: who may answer is ``permissions.can_answer_transfer``),
    everything for the national administration."""
    scope = scope_of(actor)
    return Transfer.objects.filter(
        scope.q_for(VIEW_SCHOOL, "from_school__path") | scope.q_for(VIEW_SCHOOL, "to_school__path")
    )


def transfers_list(
    actor: Any, *, direction: str = "", status: str = "", school: OrgUnit | None = None
) -> QuerySet[Transfer]:
    """The transfers page: incoming (to a school of the scope, or to ``school``), outgoing
    (from one), or both; newest first, with what a row shows in the same query."""
    scope = scope_of(actor)
    incoming = scope.q_for(VIEW_SCHOOL, "to_school__path")
    outgoing = scope.q_for(VIEW_SCHOOL, "from_school__path")
    if school is not None:
        incoming &= Q(to_school=school)
        outgoing &= Q(from_school=school)
    condition = {
        TransferDirection.INCOMING: incoming,
        TransferDirection.OUTGOING: outgoing,
    }.get(direction, incoming | outgoing)
    qs = Transfer.objects.filter(condition)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related(
        "pupil", "from_school__school", "to_school__school", "academic_year"
    ).order_by("-requested_at", "-pk")


def teachers_by_ppr(actor: Any, pprs: Iterable[str]) -> dict[str, Teacher]:
    """The teachers with these staff numbers (PPR) whose school ``actor`` sees, by PPR (one
    query); ``actor`` None (the demo generator, a command) sees every school. Another
    domain (the cooperation trainings) links its participants to teachers through this."""
    wanted = set(pprs)
    if not wanted:
        return {}
    found = Teacher.objects.filter(ppr__in=wanted)
    if actor is not None:
        found = found.filter(school__in=schools_visible(actor).values("pk"))
    return {t.ppr: t for t in found}
