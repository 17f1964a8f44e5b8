"""Set-based writes behind the school-records imports (pupils, teachers, marks).

The rows arrive already validated, in batches of a few thousand. Each batch costs a fixed
handful of statements whatever its size: one query for the existing rows of its keys,
``bulk_create`` for the new ones, ``bulk_update`` for the changed ones, and one audit entry
per school (or per marks sheet) summarising what the batch did there. Every function runs
in one transaction: a problem met half-way (another user enrolled the same pupil in the
meantime) rolls the whole file back.

Unchanged rows write nothing and leave no audit entry, so importing the same file twice
changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField, F, Model
from django.db.models.expressions import Expression
from django.utils import timezone
from django.utils.translation import gettext as _

from pilotage.accounts.models import RoleAssignment, User
from pilotage.accounts.services import (
    NewUser,
    RoleGrant,
    roles_grant_bulk,
    roles_revoke_bulk,
    users_create_bulk,
)
from pilotage.core.audit import IMPORT, UPDATE, audit_record
from pilotage.core.bulk import ids_reserve, rows_insert
from pilotage.core.jobs import Progress
from pilotage.core.tabular import ImportRejected, Problem
from pilotage.orgunits.models import AcademicYear, OrgUnit, Semester
from pilotage.schooling.grading import mark_text
from pilotage.schooling.models import (
    ACTIVE_STATUSES,
    Assessment,
    Enrolment,
    EnrolmentStatus,
    Mark,
    MarkSheet,
    Pupil,
    SchoolClass,
    Subject,
    Teacher,
)
from pilotage.schooling.roles import TEACHER
from pilotage.schooling.services.changes import records_changed
from pilotage.schooling.services.marks import sheet_ensure, sheet_is_locked

BATCH_SIZE = 5000
# bulk_update writes one CASE per field; smaller statements keep it linear.
UPDATE_BATCH = 500


# --- What the imports resolve once, up front --------------------------------------------


@dataclass(frozen=True, slots=True)
class YearRef:
    id: int
    code: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True, slots=True)
class SchoolRef:
    org_unit_id: int
    school_code: str
    path: str
    cycles: frozenset[str]


@dataclass(frozen=True, slots=True)
class LevelRef:
    id: int
    code: str
    cycle: str
    entry_age: int


@dataclass(slots=True)
class ClassEntry:
    """A class of the file or of the database; ``id`` is None until the import creates
    it, ``row`` is the file row that first named it (0 when it already existed)."""

    id: int | None
    level_id: int
    row: int


class ClassBook:
    """The classes of the (school, year) pairs an import touches, loaded with one query
    per batch of rows, so a national file does not cost a query per school and a school's
    file does not load the whole country's classes."""

    def __init__(self) -> None:
        self.entries: dict[tuple[int, int, str], ClassEntry] = {}
        self._loaded: set[tuple[int, int]] = set()

    def load(self, pairs: Iterable[tuple[int, int]]) -> None:
        missing = {p for p in pairs if p not in self._loaded}
        if not missing:
            return
        schools = {s for s, _y in missing}
        years = {y for _s, y in missing}
        for class_id, school_id, year_id, name, level_id in SchoolClass.objects.filter(
            school_id__in=schools, academic_year_id__in=years
        ).values_list("id", "school_id", "academic_year_id", "name", "grade_level_id"):
            self.entries.setdefault((school_id, year_id, name), ClassEntry(class_id, level_id, 0))
        self._loaded |= {(s, y) for s in schools for y in years}

    def get(self, school_id: int, year_id: int, name: str) -> ClassEntry | None:
        return self.entries.get((school_id, year_id, name))


class AnyOf(Expression):
    """``column IN (…)`` over thousands of plain values (codes, ids), as a filter:
    ``Pupil.objects.filter(AnyOf("code_massar", codes))``.

    Given a list, ``__in`` prepares every value through the field, which at 5 000 values
    costs more than the query itself; these values already have the column's type. On
    PostgreSQL the list is one array parameter, unnested into a subquery: the planner
    joins it to the column's index, one lookup per value, whatever the statistics say
    about the table. ``column = ANY(array)`` was planned as a scan of the whole table
    (every row compared with every value) as soon as the statistics were behind, as they
    are in the middle of an import. Elsewhere it is a list of placeholders."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column: str, values: Iterable[Any]):
        super().__init__()
        self.column: Any = F(column)
        self.values = list(values)

    def resolve_expression(self, *args: Any, **kwargs: Any) -> AnyOf:
        resolved = self.copy()
        resolved.column = self.column.resolve_expression(*args, **kwargs)
        return resolved

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.column)
        if not self.values:
            return "1 = 0", []
        if connection.vendor == "postgresql":
            array_type = self.column.output_field.cast_db_type(connection)
            return f"{sql} IN (SELECT unnest(%s::{array_type}[]))", [*params, self.values]
        placeholders = ", ".join(["%s"] * len(self.values))
        return f"{sql} IN ({placeholders})", [*params, *self.values]


def refresh_statistics(*models: type[Model]) -> None:
    """Let PostgreSQL's planner see the tables as they are. Right after a large load (a
    fresh database, or earlier batches of this very import) its statistics may describe a
    nearly empty table, and it then answers a batch's lookups by scanning the whole table
    instead of using the indexes. ANALYZE samples a fixed number of rows, whatever the
    table's size, and within a transaction it counts that transaction's own rows."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


class GrowingTables:
    """Refreshes the statistics of the tables an import fills each time the first of
    them has doubled since the last refresh (at least a batch in between): 5 000, 10 000,
    20 000, 40 000 … rows into an empty table, so no batch is planned on statistics
    describing less than half of the table, for about log2(n / 5 000) ANALYZE in all
    (each samples a fixed number of rows, a fraction of a second)."""

    def __init__(self, *models: type[Model]):
        self.models = models
        self.base = 0
        self.written = 0
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = %s::regclass",
                    [models[0]._meta.db_table],
                )
                self.base = cursor.fetchone()[0]

    def wrote(self, rows: int) -> None:
        self.written += rows
        if self.written >= max(BATCH_SIZE, self.base):
            refresh_statistics(*self.models)
            self.base += self.written
            self.written = 0


def batched(rows: Iterable[Any], size: int = BATCH_SIZE) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _audit_per_school(
    *, actor: Any, counts: dict[int, Counter[str]], source: str, action: str = IMPORT
) -> None:
    changed = {school_id: c for school_id, c in counts.items() if any(c.values())}
    if not changed:
        return
    units = OrgUnit.objects.in_bulk(list(changed))
    for school_id, c in sorted(changed.items()):
        summary: dict[str, list[Any]] = {k: [None, v] for k, v in sorted(c.items()) if v}
        summary["source"] = [None, source]
        audit_record(actor=actor, action=action, obj=units[school_id], changes=summary)


def _conflict(number: int, column: str, value: str, reason: str) -> ImportRejected:
    """Something changed between validation and writing; the transaction rolls back."""
    return ImportRejected([Problem(number, column, value, reason)])


# --- Pupils and enrolments ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PupilRow:
    number: int
    code_massar: str
    last_name: str
    first_name: str
    last_name_ar: str
    first_name_ar: str
    sex: str
    birth_date: dt.date
    school_id: int
    year_id: int
    level_id: int
    class_name: str


PUPIL_DATA = ("last_name", "first_name", "last_name_ar", "first_name_ar", "sex", "birth_date")
PUPIL_COUNTS = (
    "pupils_created",
    "pupils_updated",
    "classes_created",
    "enrolments_created",
    "enrolments_moved",
)


def other_school_message(school_code: str) -> str:
    return _("inscrit dans un autre établissement (code %(code)s) : passer par un transfert") % {
        "code": school_code
    }


def _entry_date(year: YearRef, today: dt.date) -> dt.date:
    return min(max(today, year.start), year.end)


@transaction.atomic
def pupils_bulk_apply(
    *,
    actor: Any,
    batches: Iterable[Sequence[PupilRow]],
    years: dict[int, YearRef],
    classes: ClassBook,
    source: str,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Upsert pupils by code Massar, create missing classes, and enrol each pupil in the
    row's class for the row's year (or move their active enrolment there when it is in the
    same school). Returns the counts; raises ImportRejected when a pupil is meanwhile
    actively enrolled in another school."""
    totals: Counter[str] = Counter()
    today = timezone.localdate()
    entry_dates = {year_id: _entry_date(year, today) for year_id, year in years.items()}
    growing = GrowingTables(Pupil, Enrolment)  # validation refreshed them first
    for batch in batches:
        per_school: dict[int, Counter[str]] = defaultdict(Counter)
        row_state: dict[int, str] = {}
        _create_missing_classes(batch, classes, per_school)
        pupil_ids, existing = _upsert_pupils(batch, per_school, row_state)
        _enrol(batch, pupil_ids, existing, entry_dates, classes, per_school, row_state)
        _publish_enrolments(batch, pupil_ids)
        growing.wrote(sum(1 for state in row_state.values() if state == "created"))
        _audit_per_school(actor=actor, counts=per_school, source=source)
        for c in per_school.values():
            totals.update(c)
        totals.update(row_state.values())
        totals["rows"] += len(batch)
        if progress:
            progress.advance(len(batch), batch[-1].code_massar)
    result = {"rows": totals["rows"]}
    for key in ("created", "updated", "unchanged", *PUPIL_COUNTS):
        result[key] = totals[key]
    return result


def _publish_enrolments(batch: Sequence[PupilRow], pupil_ids: dict[str, int]) -> None:
    by_year: dict[int, list[PupilRow]] = defaultdict(list)
    for r in batch:
        by_year[r.year_id].append(r)
    for year_id, rows in by_year.items():
        records_changed(
            school_ids={r.school_id for r in rows},
            year_id=year_id,
            pupil_ids=[pupil_ids[r.code_massar] for r in rows if r.code_massar in pupil_ids],
        )


def _create_missing_classes(
    batch: Sequence[PupilRow], classes: ClassBook, per_school: dict[int, Counter[str]]
) -> None:
    classes.load({(r.school_id, r.year_id) for r in batch})
    new: dict[tuple[int, int, str], SchoolClass] = {}
    for r in batch:
        key = (r.school_id, r.year_id, r.class_name)
        entry = classes.entries.get(key)
        if entry is None:  # validation saw the file against the same database
            entry = classes.entries[key] = ClassEntry(None, r.level_id, r.number)
        if entry.id is None and key not in new:
            new[key] = SchoolClass(
                school_id=r.school_id,
                academic_year_id=r.year_id,
                grade_level_id=entry.level_id,
                name=r.class_name,
            )
    if new:
        SchoolClass.objects.bulk_create(new.values())
        for key, school_class in new.items():
            classes.entries[key].id = school_class.pk
            per_school[key[0]]["classes_created"] += 1


def _upsert_pupils(
    batch: Sequence[PupilRow], per_school: dict[int, Counter[str]], row_state: dict[int, str]
) -> tuple[dict[str, int], set[str]]:
    """The batch's pupils created or brought up to date; returns their ids by code, and
    the codes of those that existed before (only they can have an enrolment)."""
    stored = {
        code: rest
        for code, *rest in Pupil.objects.filter(
            AnyOf("code_massar", [r.code_massar for r in batch])
        ).values_list("code_massar", "id", *PUPIL_DATA)
    }
    ids = {code: rest[0] for code, rest in stored.items()}
    new: list[tuple[Any, ...]] = []
    changed: list[Pupil] = []
    now = timezone.now()
    for r in batch:
        found = stored.get(r.code_massar)
        data = (r.last_name, r.first_name, r.last_name_ar, r.first_name_ar, r.sex, r.birth_date)
        if found is None:
            new.append((r.code_massar, *data, "", now))
            per_school[r.school_id]["pupils_created"] += 1
            row_state[r.number] = "created"
        elif tuple(found[1:]) != data:
            changed.append(Pupil(pk=found[0], **dict(zip(PUPIL_DATA, data, strict=True))))
            per_school[r.school_id]["pupils_updated"] += 1
            row_state[r.number] = "updated"
    columns = ("id", "code_massar", *PUPIL_DATA, "birth_place", "created_at")
    if new:
        new_ids = ids_reserve(Pupil, len(new))
        rows_insert(Pupil, columns, [(i, *row) for i, row in zip(new_ids, new, strict=True)])
        ids.update(zip([row[0] for row in new], new_ids, strict=True))
    Pupil.objects.bulk_update(changed, PUPIL_DATA, batch_size=UPDATE_BATCH)
    return ids, set(stored)


ENROLMENT_COLUMNS = (
    "pupil",
    "school",
    "academic_year",
    "grade_level",
    "school_class",
    "status",
    "entered_on",
    "left_on",
)


def _enrol(
    batch: Sequence[PupilRow],
    pupil_ids: dict[str, int],
    existing: set[str],
    entry_dates: dict[int, dt.date],
    classes: ClassBook,
    per_school: dict[int, Counter[str]],
    row_state: dict[int, str],
) -> None:
    # Only pupils that existed before this batch can be enrolled already: a first import
    # looks nothing up.
    active: dict[tuple[int, int], tuple[Any, ...]] = {}
    if existing:
        active = _active_enrolments([pupil_ids[code] for code in existing], batch)
    new: list[tuple[Any, ...]] = []
    moved: list[Enrolment] = []
    for r in batch:
        pupil_id = pupil_ids[r.code_massar]
        class_id = classes.entries[(r.school_id, r.year_id, r.class_name)].id
        found = active.get((pupil_id, r.year_id))
        if found is None:
            new.append(
                (
                    pupil_id,
                    r.school_id,
                    r.year_id,
                    r.level_id,
                    class_id,
                    EnrolmentStatus.ENROLLED.value,
                    entry_dates[r.year_id],
                    None,
                )
            )
            per_school[r.school_id]["enrolments_created"] += 1
            row_state[r.number] = "created"
            continue
        enrolment_id, school_id, current_class, current_level, school_code = found
        if school_id != r.school_id:
            raise _conflict(
                r.number, "code_massar", r.code_massar, other_school_message(school_code)
            )
        if (current_class, current_level) != (class_id, r.level_id):
            moved.append(
                Enrolment(pk=enrolment_id, school_class_id=class_id, grade_level_id=r.level_id)
            )
            per_school[r.school_id]["enrolments_moved"] += 1
            row_state.setdefault(r.number, "updated")
    for r in batch:
        row_state.setdefault(r.number, "unchanged")
    rows_insert(Enrolment, ENROLMENT_COLUMNS, new)
    Enrolment.objects.bulk_update(moved, ["school_class", "grade_level"], batch_size=UPDATE_BATCH)


def _active_enrolments(
    pupil_ids: list[int], batch: Sequence[PupilRow]
) -> dict[tuple[int, int], tuple[Any, ...]]:
    return {
        (pupil_id, year_id): tuple(rest)
        for pupil_id, year_id, *rest in Enrolment.objects.filter(
            AnyOf("pupil_id", pupil_ids),
            academic_year_id__in={r.year_id for r in batch},
            status__in=ACTIVE_STATUSES,
        ).values_list(
            "pupil_id",
            "academic_year_id",
            "id",
            "school_id",
            "school_class_id",
            "grade_level_id",
            "school__school__school_code",
        )
    }


# --- Teachers ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TeacherRow:
    number: int
    ppr: str
    last_name: str
    first_name: str
    email: str
    school_id: int
    is_qualified: bool
    specialty_id: int | None


USER_DATA = ("last_name", "first_name", "email")
TEACHER_DATA = ("school_id", "is_qualified", "specialty_id")


@transaction.atomic
def teachers_bulk_apply(
    *,
    actor: Any,
    batches: Iterable[Sequence[TeacherRow]],
    source: str,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Upsert teachers by PPR: their account (username = PPR, no usable password until
    the first-access e-mail), their teacher record and their teacher role on the school.
    A teacher whose school changed loses the teacher role on the previous school."""
    totals: Counter[str] = Counter()
    for batch in batches:
        per_school: dict[int, Counter[str]] = defaultdict(Counter)
        row_state: dict[int, str] = {}
        pprs = [r.ppr for r in batch]
        teachers = {t.ppr: t for t in Teacher.objects.filter(ppr__in=pprs).select_related("user")}
        users = {
            u.username: u
            for u in User.objects.filter(username__in=[p for p in pprs if p not in teachers])
        }
        new_users: dict[str, NewUser] = {}
        changed_users: list[User] = []
        for r in batch:
            teacher = teachers.get(r.ppr)
            user = teacher.user if teacher else users.get(r.ppr)
            if user is None:
                if r.ppr not in new_users:
                    new_users[r.ppr] = NewUser(
                        username=r.ppr,
                        last_name=r.last_name,
                        first_name=r.first_name,
                        email=r.email,
                    )
                    per_school[r.school_id]["users_created"] += 1
                row_state[r.number] = "created"
                continue
            changed = False
            for field in USER_DATA:
                if getattr(user, field) != getattr(r, field):
                    setattr(user, field, getattr(r, field))
                    changed = True
            if changed and user.pk is not None:
                changed_users.append(user)
                per_school[r.school_id]["users_updated"] += 1
                row_state[r.number] = "updated"
        users.update(
            (u.username, u) for u in users_create_bulk(actor=actor, rows=[*new_users.values()])
        )
        User.objects.bulk_update(changed_users, USER_DATA, batch_size=UPDATE_BATCH)

        new_teachers: list[Teacher] = []
        changed_teachers: list[Teacher] = []
        moved: dict[int, int] = {}  # user id → previous school
        for r in batch:
            teacher = teachers.get(r.ppr)
            if teacher is None:
                user = users[r.ppr]
                new_teachers.append(
                    Teacher(
                        user_id=user.pk,
                        ppr=r.ppr,
                        school_id=r.school_id,
                        is_qualified=r.is_qualified,
                        specialty_id=r.specialty_id,
                    )
                )
                per_school[r.school_id]["teachers_created"] += 1
                row_state[r.number] = "created"
                continue
            if teacher.school_id != r.school_id:
                moved[teacher.user_id] = teacher.school_id
            if tuple(getattr(teacher, f) for f in TEACHER_DATA) != (
                r.school_id,
                r.is_qualified,
                r.specialty_id,
            ):
                teacher.school_id, teacher.is_qualified, teacher.specialty_id = (
                    r.school_id,
                    r.is_qualified,
                    r.specialty_id,
                )
                changed_teachers.append(teacher)
                per_school[r.school_id]["teachers_updated"] += 1
                row_state.setdefault(r.number, "updated")
        Teacher.objects.bulk_create(new_teachers)
        Teacher.objects.bulk_update(changed_teachers, TEACHER_DATA, batch_size=UPDATE_BATCH)
        _teacher_roles(actor, batch, teachers, users, moved, per_school, row_state)
        current = AcademicYear.objects.filter(is_current=True).values_list("pk", flat=True).first()
        if current is not None:
            records_changed(school_ids={*per_school, *moved.values()}, year_id=current)
        _audit_per_school(actor=actor, counts=per_school, source=source)
        for c in per_school.values():
            totals.update(c)
        for r in batch:
            totals[row_state.get(r.number, "unchanged")] += 1
        totals["rows"] += len(batch)
        if progress:
            progress.advance(len(batch), batch[-1].ppr)
    keys = (
        "created",
        "updated",
        "unchanged",
        "users_created",
        "users_updated",
        "teachers_created",
        "teachers_updated",
        "roles_granted",
        "roles_revoked",
    )
    return {"rows": totals["rows"], **{k: totals[k] for k in keys}}


def _teacher_roles(
    actor: Any,
    batch: Sequence[TeacherRow],
    teachers: dict[str, Teacher],
    users: dict[str, User],
    moved: dict[int, int],
    per_school: dict[int, Counter[str]],
    row_state: dict[int, str],
) -> None:
    user_of = {r.ppr: (teachers[r.ppr].user if r.ppr in teachers else users[r.ppr]) for r in batch}
    held = set(
        RoleAssignment.objects.filter(
            role=TEACHER, user_id__in=[u.pk for u in user_of.values()]
        ).values_list("user_id", "org_unit_id")
    )
    grants = []
    for r in batch:
        user = user_of[r.ppr]
        if (user.pk, r.school_id) not in held:
            held.add((user.pk, r.school_id))
            grants.append(RoleGrant(user=user, role=TEACHER, org_unit_id=r.school_id))
            per_school[r.school_id]["roles_granted"] += 1
            row_state.setdefault(r.number, "updated")
    # The importer may manage the row's school (checked at validation), so the grant check
    # passes; it runs all the same, set-based.
    roles_grant_bulk(actor=actor, grants=grants)
    if not moved:
        return
    leaving = [
        a
        for a in RoleAssignment.objects.filter(role=TEACHER, user_id__in=list(moved)).only(
            "id", "user_id", "org_unit_id"
        )
        if a.org_unit_id == moved[a.user_id]
    ]
    # The teacher record has moved to the new school: the role on the previous one follows
    # it whoever imports (as before), unchecked but audited.
    roles_revoke_bulk(actor=actor, assignments=leaving, check=False)
    for a in leaving:
        per_school[a.org_unit_id]["roles_revoked"] += 1


# --- Marks -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MarkRow:
    number: int
    code_massar: str
    class_id: int
    subject_id: int
    semester_id: int
    kind: str
    assessment_number: int
    value: Decimal | None
    code: str

    @property
    def sheet_key(self) -> tuple[int, int, int]:
        return (self.class_id, self.subject_id, self.semester_id)

    @property
    def column(self) -> str:
        return f"{self.kind}_{self.assessment_number}"


def locked_reason() -> str:
    return _("feuille de notes verrouillée (validée ou date limite de saisie passée)")


def sheets_locked(keys: Iterable[tuple[int, int, int]]) -> dict[tuple[int, int, int], bool]:
    """Whether each (class, subject, semester) sheet refuses writes, by the marks-sheet
    rule (services.marks.sheet_is_locked); a sheet not yet created is judged on the
    deadline alone, as it will be once the import creates it."""
    keys = set(keys)
    if not keys:
        return {}
    found = {
        (s.school_class_id, s.subject_id, s.semester_id): s
        for s in MarkSheet.objects.filter(school_class_id__in={k[0] for k in keys}).select_related(
            "school_class__school"
        )
    }
    classes = SchoolClass.objects.select_related("school").in_bulk({k[0] for k in keys})
    now = timezone.now()
    result = {}
    for key in keys:
        sheet = found.get(key) or MarkSheet(
            school_class=classes[key[0]], subject_id=key[1], semester_id=key[2]
        )
        result[key] = sheet_is_locked(sheet, now=now)
    return result


class _Sheets:
    """The sheets an import writes to, created with their default columns when missing
    (services.marks.sheet_ensure) and locked for the rest of the transaction."""

    def __init__(self) -> None:
        self.sheets: dict[tuple[int, int, int], MarkSheet] = {}
        self.assessments: dict[tuple[int, str], int] = {}  # (sheet id, column) → id

    def resolve(self, batch: Sequence[MarkRow]) -> None:
        for r in batch:
            key = r.sheet_key
            if key in self.sheets:
                continue
            ensured = sheet_ensure(
                school_class=SchoolClass(pk=r.class_id),
                subject=Subject(pk=r.subject_id),
                semester=Semester(pk=r.semester_id),
            )
            sheet = (
                MarkSheet.objects.select_for_update(of=("self",))
                .select_related("school_class__school")
                .get(pk=ensured.pk)
            )
            if sheet_is_locked(sheet):
                raise _conflict(r.number, "matiere", "", locked_reason())
            self.sheets[key] = sheet
            for assessment in sheet.assessments.all():
                self.assessments[(sheet.pk, assessment.column)] = assessment.pk
        missing: dict[tuple[int, str], Assessment] = {}
        for r in batch:
            sheet = self.sheets[r.sheet_key]
            if (sheet.pk, r.column) not in self.assessments:
                missing.setdefault(
                    (sheet.pk, r.column),
                    Assessment(sheet=sheet, kind=r.kind, number=r.assessment_number),
                )
        if missing:
            Assessment.objects.bulk_create(missing.values())
            for column_key, assessment in missing.items():
                self.assessments[column_key] = assessment.pk


@transaction.atomic
def marks_bulk_apply(
    *,
    actor: Any,
    batches: Iterable[Sequence[MarkRow]],
    source: str,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Write marks as the marks sheet does: sheets and their columns created when
    missing, locked sheets refused, only changed marks written, each changed sheet's
    version raised (an open grid then sees the conflict) and one audit entry per sheet
    and batch listing every change old → new."""
    if actor is None:
        raise ValueError("marks record who entered them: an actor is required")
    sheets = _Sheets()
    totals: Counter[str] = Counter()
    changed_sheets: set[int] = set()
    now = timezone.now()
    growing = GrowingTables(Mark)  # validation refreshed it first
    for batch in batches:
        sheets.resolve(batch)
        pupil_ids = {
            (class_id, code): pupil_id
            for class_id, code, pupil_id in Enrolment.objects.filter(
                AnyOf("pupil__code_massar", {r.code_massar for r in batch}),
                school_class_id__in={r.class_id for r in batch},
                status__in=ACTIVE_STATUSES,
            ).values_list("school_class_id", "pupil__code_massar", "pupil_id")
        }
        keyed: list[tuple[MarkRow, int, int]] = []
        for r in batch:
            pupil_id = pupil_ids.get((r.class_id, r.code_massar))
            if pupil_id is None:
                raise _conflict(
                    r.number, "code_massar", r.code_massar, _("élève non inscrit dans la classe")
                )
            assessment_id = sheets.assessments[(sheets.sheets[r.sheet_key].pk, r.column)]
            keyed.append((r, assessment_id, pupil_id))
        existing = {
            (m.assessment_id, m.pupil_id): m
            for m in Mark.objects.filter(
                AnyOf("pupil_id", {p for _r, _a, p in keyed}),
                assessment_id__in={a for _r, a, _p in keyed},
            ).only("id", "assessment_id", "pupil_id", "value", "code")
        }
        to_create: list[Mark] = []
        to_update: list[Mark] = []
        changes: dict[tuple[int, int, int], dict[str, list[Any]]] = defaultdict(dict)
        for r, assessment_id, pupil_id in keyed:
            mark = existing.get((assessment_id, pupil_id))
            if mark is not None and (mark.value, mark.code) == (r.value, r.code):
                totals["unchanged"] += 1
                continue
            old = None if mark is None else mark_text(mark.value, mark.code)
            changes[r.sheet_key][f"{r.code_massar}/{r.column}"] = [
                old,
                mark_text(r.value, r.code),
            ]
            if mark is None:
                to_create.append(
                    Mark(
                        assessment_id=assessment_id,
                        pupil_id=pupil_id,
                        value=r.value,
                        code=r.code,
                        updated_by=actor,
                    )
                )
                totals["created"] += 1
            else:
                mark.value, mark.code, mark.updated_by, mark.updated_at = (
                    r.value,
                    r.code,
                    actor,
                    now,
                )
                to_update.append(mark)
                totals["updated"] += 1
        Mark.objects.bulk_create(to_create)
        growing.wrote(len(to_create))
        Mark.objects.bulk_update(
            to_update, ["value", "code", "updated_by", "updated_at"], batch_size=UPDATE_BATCH
        )
        if changes:
            changed = [sheets.sheets[k] for k in sorted(changes)]
            MarkSheet.objects.filter(pk__in=[s.pk for s in changed]).update(
                version=F("version") + 1
            )
            for sheet in changed:
                sheet.version += 1
                entry = dict(changes[(sheet.school_class_id, sheet.subject_id, sheet.semester_id)])
                entry["source"] = [None, source]
                audit_record(actor=actor, action=UPDATE, obj=sheet, changes=entry)
            changed_sheets.update(s.pk for s in changed)
        totals["rows"] += len(batch)
        if progress:
            progress.advance(len(batch), batch[-1].code_massar)
    _publish_sheets(changed_sheets)
    keys = ("created", "updated", "unchanged")
    return {"rows": totals["rows"], **{k: totals[k] for k in keys}, "sheets": len(changed_sheets)}


def _publish_sheets(sheet_ids: Iterable[int]) -> None:
    by_year: dict[int, set[int]] = defaultdict(set)
    for school_id, year_id in (
        MarkSheet.objects.filter(pk__in=list(sheet_ids))
        .values_list("school_class__school_id", "school_class__academic_year_id")
        .distinct()
    ):
        by_year[year_id].add(school_id)
    for year_id, schools in by_year.items():
        records_changed(school_ids=schools, year_id=year_id)
