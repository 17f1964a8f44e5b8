"""Importing pupils, teachers and marks from the files schools and directorates send
(formats, encodings and every message in docs/imports.md).

The validation pass checks every row (format, codes that must exist, the importer's
reach, consistency with the file's other rows and with the database) and keeps only
compact keys: an integer per row for the duplicate check, the classes named, a batch of a
few thousand keys at a time for the database checks. So a 100 MB file is validated in a
few megabytes. Only when no row has a problem is anything written, in batches, by
``services.bulk``, in one transaction. One problem anywhere, and nothing is written.

Teachers and marks read the file a second time to write it. Pupils (the national files
of a million rows) are parsed and checked once: each valid batch goes to a spill file
(compact tuples on disk), read back once the whole file has passed; or, on PostgreSQL,
straight to a second connection that writes it while the rest of the file is still
being validated, and commits only if the whole file passes (see ``_Writer``).
"""

from __future__ import annotations

import datetime as dt
import functools
import marshal
import queue
import re
import sys
import tempfile
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import IntegrityError, connection
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from pilotage.accounts.models import User
from pilotage.core.jobs import Progress, TerminalReporter, job_kind
from pilotage.core.scope import scope_of
from pilotage.core.tabular import ImportRejected, Problem, cell_text, open_table, parse_date
from pilotage.orgunits.models import AcademicYear, OrgUnit, School, Semester
from pilotage.schooling.models import (
    ACTIVE_STATUSES,
    Enrolment,
    GradeLevel,
    Mark,
    Pupil,
    Subject,
    SubjectCoefficient,
    Teacher,
    TeachingAssignment,
)
from pilotage.schooling.permissions import can_import_pupils, can_manage_school, is_teacher_at
from pilotage.schooling.roles import IMPORT_MARKS, IMPORT_PUPILS, IMPORT_TEACHERS
from pilotage.schooling.services.bulk import (
    BATCH_SIZE,
    AnyOf,
    ClassBook,
    ClassEntry,
    LevelRef,
    MarkRow,
    PupilRow,
    SchoolRef,
    TeacherRow,
    YearRef,
    batched,
    locked_reason,
    marks_bulk_apply,
    other_school_message,
    pupils_bulk_apply,
    refresh_statistics,
    sheets_locked,
    teachers_bulk_apply,
)
from pilotage.schooling.services.marks import parse_cell

STUDENT_COLUMNS = [
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
]
TEACHER_COLUMNS = [
    "ppr",
    "nom",
    "prenom",
    "email",
    "code_etablissement",
    "qualifie",
    "specialite",
]
MARK_COLUMNS = [
    "code_massar",
    "code_etablissement",
    "classe",
    "annee_scolaire",
    "semestre",
    "matiere",
    "evaluation",
    "note",
]

# Beyond this many, problems are counted but not kept: a file wrong on each of its million
# rows is rejected with the first ten thousand listed and the total.
MAX_PROBLEMS = 10_000
MIN_AGE, MAX_AGE = 3, 30
# A pupil may be up to this many years younger than the level's theoretical age.
YEARS_AHEAD = 2
NAME_MAX, CLASS_MAX, USER_NAME_MAX = 100, 30, 150

CODE_MASSAR = re.compile(r"[A-Z][0-9]{9}")
PPR = re.compile(r"[0-9]{5,12}")
YEAR_CODE = re.compile(r"(\d{4})\s*[-/]\s*(\d{4})")
EVALUATION = re.compile(r"(test|activity|local_exam|regional_exam|national_exam)_([1-9])")
YES = {"oui", "o", "1", "true", "vrai", "yes"}
NO = {"non", "n", "0", "false", "faux", "no"}

# Who may open each import page; each row is then checked against the importer's reach.
IMPORT_CAPABILITIES = {
    "students": IMPORT_PUPILS,
    "teachers": IMPORT_TEACHERS,
    "marks": IMPORT_MARKS,
}


def can_open_import(actor: Any, kind: str) -> bool:
    return scope_of(actor).allows(IMPORT_CAPABILITIES[kind])


# --- Collecting problems in bounded memory -------------------------------------------------


class Problems:
    def __init__(self, columns: list[str], limit: int | None = None):
        self.kept: list[Problem] = []
        self.total = 0
        self.limit = MAX_PROBLEMS if limit is None else limit
        self._order = {c: i for i, c in enumerate(columns)}

    def add(self, row: int, column: str, value: Any, reason: str) -> None:
        self.total += 1
        if len(self.kept) < self.limit:
            self.kept.append(Problem(row, column, cell_text(value), reason))

    def raise_if_any(self) -> None:
        if self.total:
            self.kept.sort(key=lambda p: (p.row, self._order.get(p.column, -1)))
            raise ImportRejected(self.kept, total=self.total)


class Duplicates:
    """Finds repeated keys among millions of rows in 16 bytes a row: keys and row numbers
    go into typed arrays, split by key into buckets; at the end each bucket is sorted on
    its own, so at most one bucket's worth of Python objects exists at a time."""

    BUCKETS = 64

    def __init__(self) -> None:
        self._keys = [array("q") for _ in range(self.BUCKETS)]
        self._rows = [array("q") for _ in range(self.BUCKETS)]

    def add(self, key: int, row: int) -> None:
        bucket = key % self.BUCKETS
        self._keys[bucket].append(key)
        self._rows[bucket].append(row)

    def found(self) -> Iterator[tuple[int, int, int]]:
        """``(key, row, first_row)`` for every row repeating an earlier row's key."""
        for keys, rows in zip(self._keys, self._rows, strict=True):
            previous, first = None, 0
            for key, row in sorted(zip(keys, rows, strict=True)):
                if key == previous:
                    yield key, row, first
                else:
                    previous, first = key, row


def code_key(code: str) -> int:
    """A well-formed code Massar as a 35-bit integer."""
    return (ord(code[0]) - 65) * 1_000_000_000 + int(code[1:])


def code_of(key: int) -> str:
    return f"{chr(65 + key // 1_000_000_000)}{key % 1_000_000_000:09d}"


# --- What rows refer to ------------------------------------------------------------------------


class Lookups:
    """Schools, years, levels, subjects and semesters, each loaded with one query, and the
    importer's reach, asked once per school. ``reach`` is the permission rule a row's
    school must pass; ``actor=None`` (a command run without ``--user``) passes them all."""

    def __init__(self, actor: Any, reach: Callable[[Any, OrgUnit], bool]):
        self.actor = actor
        self._reach = reach
        self._allowed: dict[int, bool] = {}
        self.schools = {
            code: SchoolRef(unit_id, code, path, frozenset(_cycles(p, c, ly)))
            for code, unit_id, path, p, c, ly in School.objects.values_list(
                "school_code",
                "org_unit_id",
                "org_unit__path",
                "has_primaire",
                "has_college",
                "has_lycee",
            )
        }
        self.years = {
            y.code: YearRef(y.pk, y.code, y.start, y.end) for y in AcademicYear.objects.all()
        }
        self.years_by_id = {y.id: y for y in self.years.values()}
        self.levels = {
            lv.code: LevelRef(lv.pk, lv.code, lv.cycle, lv.entry_age)
            for lv in GradeLevel.objects.all()
        }
        self.level_codes = {lv.id: lv.code for lv in self.levels.values()}
        self.today = timezone.localdate()

    def allows(self, school: SchoolRef) -> bool:
        if self.actor is None:
            return True
        allowed = self._allowed.get(school.org_unit_id)
        if allowed is None:
            unit = OrgUnit(pk=school.org_unit_id, path=school.path)
            allowed = self._allowed[school.org_unit_id] = self._reach(self.actor, unit)
        return allowed

    def school(self, number: int, raw: Any, problems: Problems) -> SchoolRef | None:
        code = _text(raw)
        school = self.schools.get(code)
        if school is not None and self.actor is None:
            return school
        if school is None:
            reason = _("établissement inconnu") if code else _("valeur obligatoire")
            problems.add(number, "code_etablissement", code, reason)
        elif not self.allows(school):
            problems.add(
                number, "code_etablissement", code, _("établissement hors de votre périmètre")
            )
            return None
        return school

    def year(self, number: int, raw: Any, problems: Problems) -> YearRef | None:
        text = _text(raw)
        if text in self.years:
            return self.years[text]
        match = YEAR_CODE.fullmatch(text)
        year = self.years.get(f"{match.group(1)}-{match.group(2)}") if match else None
        if year is None:
            problems.add(
                number,
                "annee_scolaire",
                text,
                _("année scolaire inconnue (connues : %(years)s)")
                % {"years": ", ".join(sorted(self.years)) or "—"},
            )
        return year

    def level(self, number: int, raw: Any, problems: Problems) -> LevelRef | None:
        text = _text(raw).upper()
        level = self.levels.get(text)
        if level is None:
            problems.add(
                number,
                "niveau",
                text,
                _("niveau inconnu (connus : %(levels)s)") % {"levels": ", ".join(self.levels)},
            )
        return level

    def class_name(self, number: int, raw: Any, problems: Problems) -> str:
        name = cell_text(raw)
        if not name:
            problems.add(number, "classe", name, _("valeur obligatoire"))
        elif len(name) > CLASS_MAX:
            problems.add(
                number,
                "classe",
                name,
                ngettext("%(n)s caractère au plus", "%(n)s caractères au plus", CLASS_MAX)
                % {"n": CLASS_MAX},
            )
        return name

    def schools_by_id(self) -> dict[int, SchoolRef]:
        if not hasattr(self, "_schools_by_id"):
            self._schools_by_id = {s.org_unit_id: s for s in self.schools.values()}
        return self._schools_by_id

    def subjects(self) -> dict[str, int]:
        if not hasattr(self, "_subjects"):
            self._subjects = dict(Subject.objects.values_list("code", "id"))
        return self._subjects

    def subject(
        self, number: int, column: str, raw: Any, problems: Problems, *, required: bool = True
    ) -> int | None:
        code = cell_text(raw).upper()
        if not code and not required:
            return None
        subject_id = self.subjects().get(code)
        if subject_id is None:
            problems.add(
                number,
                column,
                code,
                _("matière inconnue (connues : %(codes)s)")
                % {"codes": ", ".join(sorted(self.subjects()))},
            )
        return subject_id


def _cycles(primaire: bool, college: bool, lycee: bool) -> list[str]:
    return [c for c, on in (("primaire", primaire), ("college", college), ("lycee", lycee)) if on]


def _name(
    number: int, column: str, raw: Any, problems: Problems, *, required: bool, limit: int
) -> str:
    text = " ".join(cell_text(raw).split())
    if required and not text:
        problems.add(number, column, text, _("valeur obligatoire"))
    elif len(text) > limit:
        problems.add(
            number,
            column,
            text,
            ngettext("%(n)s caractère au plus", "%(n)s caractères au plus", limit) % {"n": limit},
        )
    return text


def _code_massar(number: int, raw: Any, problems: Problems) -> str:
    code = cell_text(raw)
    if not CODE_MASSAR.fullmatch(code):
        problems.add(
            number,
            "code_massar",
            code,
            _("code Massar mal formé : une lettre majuscule suivie de 9 chiffres (ex. J130000001)"),
        )
    return code


T = TypeVar("T")


def _reread(stream: IO[bytes], filename: str, columns: list[str]) -> Iterator[tuple[int, dict]]:
    stream.seek(0)
    table = open_table(stream, filename=filename, required=columns)
    for number, values in table.rows:
        if "__error__" in values:
            raise ImportRejected([Problem(number, "", "", values["__error__"])])
        yield number, values


def _valid_rows(
    stream: IO[bytes],
    filename: str,
    columns: list[str],
    parse: Callable[[int, dict, Lookups, Problems], T | None],
    look: Lookups,
) -> Iterator[T]:
    """The second pass: the file was valid, so every row parses again (a row that no
    longer does means the file changed between the passes)."""
    problems = Problems(columns)
    for number, values in _reread(stream, filename, columns):
        row = parse(number, values, look, problems)
        if row is None:
            raise _changed(number, problems)
        yield row


def _changed(number: int, problems: Problems) -> ImportRejected:
    """A row valid at validation fails when applying: the file or the database changed
    in between. The apply transaction rolls back."""
    reason = _("la ligne ne passe plus la validation (fichier ou données modifiés entre-temps)")
    return ImportRejected(problems.kept or [Problem(number, "", "", reason)])


def _no_rows(rows: int, filename: str, problems: Problems) -> None:
    if rows == 0:
        problems.add(2, "", filename, _("aucune ligne de données sous l'en-tête"))


def _validating(progress: Progress | None, rows: int) -> None:
    if progress:
        progress.advance(
            0,
            ngettext("validation : %(n)s ligne lue", "validation : %(n)s lignes lues", rows)
            % {"n": rows},
        )


def _conflicting_write(exc: IntegrityError) -> ImportRejected:
    return ImportRejected(
        [
            Problem(
                0,
                "",
                "",
                _(
                    "une modification simultanée a contredit le fichier ; rien n'a été "
                    "enregistré, relancez l'import"
                ),
            )
        ]
    )


# --- Pupils ------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return value if value.__class__ is str else cell_text(value)


_date = functools.lru_cache(maxsize=1 << 16)(parse_date)
NAME_COLUMNS = (("nom", True), ("prenom", True), ("nom_ar", False), ("prenom_ar", False))


def _student(
    number: int, values: dict[str, Any], look: Lookups, problems: Problems
) -> PupilRow | None:
    """One row of a pupils file, or None with its problems recorded. Written for speed
    (a national file has a million rows): the common, valid case takes the short path."""
    bad = problems.total
    code = _text(values["code_massar"])
    if not CODE_MASSAR.fullmatch(code):
        _code_massar(number, code, problems)
    names = [
        _text(values["nom"]),
        _text(values["prenom"]),
        _text(values["nom_ar"]),
        _text(values["prenom_ar"]),
    ]
    if not (names[0] and names[1]) or max(map(len, names)) > NAME_MAX:
        for (column, required), name in zip(NAME_COLUMNS, names, strict=True):
            _name(number, column, name, problems, required=required, limit=NAME_MAX)
    sex = _text(values["sexe"]).upper()
    if sex != "M" and sex != "F":  # noqa: PLR1714 - faster than a tuple test on every row
        problems.add(number, "sexe", values["sexe"], _("attendu : M ou F"))
    birth: dt.date | None = None
    raw_birth = values["date_naissance"]
    try:
        birth = _date(raw_birth) if raw_birth.__class__ is str else parse_date(raw_birth)
    except ValueError as exc:
        problems.add(number, "date_naissance", raw_birth, str(exc))
    school = look.school(number, values["code_etablissement"], problems)
    level = look.level(number, values["niveau"], problems)
    class_name = _text(values["classe"])
    if not class_name or len(class_name) > CLASS_MAX:
        look.class_name(number, class_name, problems)
    year = look.year(number, values["annee_scolaire"], problems)
    if school and level and level.cycle not in school.cycles:
        problems.add(
            number,
            "niveau",
            level.code,
            _("l'établissement %(school)s n'a pas le cycle %(cycle)s")
            % {"school": school.school_code, "cycle": level.cycle},
        )
    if birth is not None:
        _check_age(number, birth, year, level, look.today, problems)
    if problems.total > bad or not (school and level and year and birth):
        return None
    return PupilRow(
        number,
        code,
        names[0],
        names[1],
        names[2],
        names[3],
        sex,
        birth,
        school.org_unit_id,
        year.id,
        level.id,
        class_name,
    )


def _check_age(
    number: int,
    birth: dt.date,
    year: YearRef | None,
    level: LevelRef | None,
    today: dt.date,
    problems: Problems,
) -> None:
    if birth > today:
        problems.add(number, "date_naissance", birth.isoformat(), _("date de naissance future"))
        return
    if year is None:
        return
    # The age reached in the calendar year of the school start, as GradeLevel.entry_age.
    age = year.start.year - birth.year
    if age < MIN_AGE or age > MAX_AGE:
        problems.add(
            number,
            "date_naissance",
            birth.isoformat(),
            _("âge invraisemblable : %(age)s ans à la rentrée %(year)s (de %(min)s à %(max)s ans)")
            % {"age": age, "year": year.code, "min": MIN_AGE, "max": MAX_AGE},
        )
    elif level is not None and age < level.entry_age - YEARS_AHEAD:
        problems.add(
            number,
            "date_naissance",
            birth.isoformat(),
            _(
                "trop jeune pour le niveau %(level)s : %(age)s ans à la rentrée "
                "(âge normal %(entry)s ans)"
            )
            % {"level": level.code, "age": age, "entry": level.entry_age},
        )


# (row, code, school, year, level, class name): what the database checks need of a row.
_PupilKey = tuple[int, str, int, int, int, str]


def _check_pupil_batch(
    keys: list[_PupilKey], classes: ClassBook, look: Lookups, problems: Problems
) -> None:
    classes.load({(k[2], k[3]) for k in keys})
    for number, _code, school_id, year_id, level_id, name in keys:
        entry = classes.get(school_id, year_id, name)
        if entry is None:
            classes.entries[(school_id, year_id, name)] = ClassEntry(None, level_id, number)
        elif entry.level_id != level_id:
            level = look.level_codes.get(entry.level_id, "?")
            reason = (
                _("classe déjà déclarée au niveau %(level)s à la ligne %(row)s")
                if entry.row
                else _("cette classe existe déjà dans l'établissement au niveau %(level)s")
            )
            problems.add(number, "classe", name, reason % {"level": level, "row": entry.row})
    wanted = {code: (number, school_id, year_id) for number, code, school_id, year_id, *_r in keys}
    elsewhere = Enrolment.objects.filter(
        AnyOf("pupil__code_massar", wanted),
        academic_year_id__in={k[3] for k in keys},
        status__in=ACTIVE_STATUSES,
    ).values_list(
        "pupil__code_massar", "academic_year_id", "school_id", "school__school__school_code"
    )
    for code, year_id, school_id, school_code in elsewhere:
        number, want_school, want_year = wanted[code]
        if year_id == want_year and school_id != want_school:
            problems.add(number, "code_massar", code, other_school_message(school_code))


def _validate_students(
    stream: IO[bytes],
    filename: str,
    look: Lookups,
    progress: Progress | None,
    sink: Callable[[list[PupilRow]], None],
) -> tuple[int, ClassBook]:
    """Checks every row; hands each batch of valid rows to ``sink`` once its database
    checks are done, as long as no problem has been found."""
    table = open_table(stream, filename=filename, required=STUDENT_COLUMNS)
    refresh_statistics(Pupil, Enrolment)
    problems = Problems(STUDENT_COLUMNS)
    duplicates = Duplicates()
    classes = ClassBook()
    keys: list[_PupilKey] = []
    batch: list[PupilRow] = []
    rows = 0
    for number, values in table.rows:
        rows += 1
        if "__error__" in values:
            problems.add(number, "", "", values["__error__"])
            continue
        row = _student(number, values, look, problems)
        if row is None:
            continue
        duplicates.add(code_key(row.code_massar), number)
        keys.append(
            (number, row.code_massar, row.school_id, row.year_id, row.level_id, row.class_name)
        )
        if not problems.total:
            batch.append(row)
        if len(keys) >= BATCH_SIZE:
            _check_pupil_batch(keys, classes, look, problems)
            if batch and not problems.total:
                sink(batch)
            keys, batch = [], []
            _validating(progress, rows)
    _check_pupil_batch(keys, classes, look, problems)
    if batch and not problems.total:
        sink(batch)
    for key, number, first in duplicates.found():
        problems.add(
            number,
            "code_massar",
            code_of(key),
            _("code Massar en double : déjà à la ligne %(row)s") % {"row": first},
        )
    _no_rows(rows, filename, problems)
    problems.raise_if_any()
    return rows, classes


def students_import(
    *,
    actor: Any,
    stream: IO[bytes],
    filename: str,
    dry_run: bool = False,
    progress: Progress | None = None,
    source: str = "",
) -> dict[str, int]:
    """Validate then apply a pupils file (see docs/imports.md). Raises ImportRejected."""
    look = Lookups(actor, can_import_pupils)

    def apply(
        batches: Iterable[list[PupilRow]], classes: ClassBook, progress: Progress | None
    ) -> dict[str, int]:
        try:
            return pupils_bulk_apply(
                actor=actor,
                batches=batches,
                years=look.years_by_id,
                classes=classes,
                source=source or filename,
                progress=progress,
            )
        except IntegrityError as exc:
            raise _conflicting_write(exc) from exc

    if not dry_run and _Writer.possible():
        writer = _Writer(lambda batches: apply(batches, ClassBook(), None))
        try:
            rows, _classes = _validate_students(stream, filename, look, progress, writer.put)
        except BaseException:
            writer.abandon()
            raise
        if progress:
            progress.total(rows)
        return writer.finish(progress)
    with _Spill() as spill:
        sink = (lambda batch: None) if dry_run else spill.add
        rows, classes = _validate_students(stream, filename, look, progress, sink)
        if progress:
            progress.total(rows)
        if dry_run:
            return {"rows": rows}
        return apply(spill.batches(), classes, progress)


class _Spill:
    """The validated rows of a pupils file, in a temporary file, so the apply pass does
    not parse and check every row again, and memory holds one batch, not the file.
    A batch is one ``marshal`` record of plain tuples (the birth date as an ordinal)."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by __exit__

    def __enter__(self) -> _Spill:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def add(self, batch: list[PupilRow]) -> None:
        marshal.dump(
            [
                (
                    r.number,
                    r.code_massar,
                    r.last_name,
                    r.first_name,
                    r.last_name_ar,
                    r.first_name_ar,
                    r.sex,
                    r.birth_date.toordinal(),
                    r.school_id,
                    r.year_id,
                    r.level_id,
                    r.class_name,
                )
                for r in batch
            ],
            self.file,
        )

    def batches(self) -> Iterator[list[PupilRow]]:
        self.file.seek(0)
        from_ordinal = dt.date.fromordinal
        while True:
            try:
                rows = marshal.load(self.file)  # noqa: S302 - written above by this process
            except EOFError:
                return
            yield [PupilRow(*r[:7], from_ordinal(r[7]), *r[8:]) for r in rows]  # type: ignore[call-arg]


class _Abandoned(Exception):
    """The file did not pass validation: the writer's transaction rolls back."""


_DONE, _ABANDON = object(), object()


class _Writer:
    """Writes the validated batches of a pupils file on a second database connection,
    in a thread, while this one goes on parsing and checking the rest of the file: the
    two cores each take a side (Python, PostgreSQL) instead of taking turns. The
    writer's transaction commits only once the whole file has passed validation, and
    rolls back at its first problem, so nothing changes for the importer: all or
    nothing, the same problems listed. Validation still sees the database as it was
    before the import (the writer's rows are not committed), as in the two-pass order.

    Only on PostgreSQL and outside a transaction (a second connection could not see
    what an enclosing transaction, a test's for instance, has not committed); elsewhere
    the rows go through a spill file. At most a few batches wait in the queue."""

    QUEUED = 4

    def __init__(self, apply: Callable[[Iterable[list[PupilRow]]], dict[str, int]]):
        self._apply = apply
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=self.QUEUED)
        self.result: dict[str, int] | None = None
        self.error: BaseException | None = None
        self.done = 0
        self._thread = threading.Thread(target=self._run, name="pupils-import-writer")
        self._thread.start()

    @staticmethod
    def possible() -> bool:
        return (
            connection.vendor == "postgresql"
            and connection.get_autocommit()
            and not connection.in_atomic_block
        )

    def _run(self) -> None:
        try:
            self.result = self._apply(self._batches())
        except _Abandoned:
            pass
        except BaseException as exc:  # handed to the importer's thread by finish()
            self.error = exc
        finally:
            connection.close()  # this thread's own connection

    def _batches(self) -> Iterator[list[PupilRow]]:
        while True:
            item = self._queue.get()
            if item is _DONE:
                return
            if item is _ABANDON:
                raise _Abandoned
            yield item
            self.done += len(item)

    def _send(self, item: Any) -> None:
        while self._thread.is_alive():  # a writer that failed takes nothing more
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def put(self, batch: list[PupilRow]) -> None:
        self._send(batch)

    def abandon(self) -> None:
        self._send(_ABANDON)
        self._thread.join()

    def finish(self, progress: Progress | None) -> dict[str, int]:
        """The file passed: let the writer commit, and report its progress meanwhile."""
        self._send(_DONE)
        reported = 0
        while self._thread.is_alive():
            self._thread.join(timeout=0.5)
            if progress and self.done > reported:
                progress.advance(self.done - reported)
                reported = self.done
        if self.error is not None:
            raise self.error
        assert self.result is not None  # noqa: S101 - the writer returned or raised
        return self.result


# --- Teachers ---------------------------------------------------------------------------------


def _teacher(
    number: int, values: dict[str, Any], look: Lookups, problems: Problems
) -> TeacherRow | None:
    bad = problems.total
    ppr = cell_text(values["ppr"])
    if not PPR.fullmatch(ppr):
        problems.add(number, "ppr", ppr, _("matricule PPR mal formé : de 5 à 12 chiffres"))
    last = _name(number, "nom", values["nom"], problems, required=True, limit=USER_NAME_MAX)
    first = _name(number, "prenom", values["prenom"], problems, required=True, limit=USER_NAME_MAX)
    email = cell_text(values["email"])
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.add(number, "email", email, _("adresse e-mail invalide"))
    school = look.school(number, values["code_etablissement"], problems)
    qualified = cell_text(values["qualifie"]).lower()
    if qualified not in YES | NO:
        problems.add(number, "qualifie", qualified, _("attendu : oui ou non"))
    specialty = look.subject(number, "specialite", values["specialite"], problems, required=False)
    if problems.total > bad or school is None:
        return None
    return TeacherRow(
        number, ppr, last, first, email, school.org_unit_id, qualified in YES, specialty
    )


def _check_teacher_batch(rows: list[TeacherRow], problems: Problems) -> None:
    pprs = {r.ppr for r in rows}
    by_email = {r.email.lower(): r for r in rows if r.email}
    teacher_user = dict(Teacher.objects.filter(ppr__in=pprs).values_list("ppr", "user_id"))
    accounts = dict(User.objects.filter(username__in=pprs).values_list("username", "id"))
    for username, other_ppr in Teacher.objects.filter(user__username__in=pprs).values_list(
        "user__username", "ppr"
    ):
        if username not in teacher_user and other_ppr != username:
            row = next(r for r in rows if r.ppr == username)
            problems.add(
                row.number,
                "ppr",
                row.ppr,
                _("le compte %(user)s est déjà l'enseignant de matricule %(ppr)s")
                % {"user": username, "ppr": other_ppr},
            )
    for email, user_id, username in (
        User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=list(by_email))
        .values_list("email_lower", "id", "username")
    ):
        row = by_email[email]
        own = teacher_user.get(row.ppr, accounts.get(row.ppr))
        if user_id != own:
            problems.add(
                row.number,
                "email",
                row.email,
                _("adresse déjà utilisée par le compte %(user)s") % {"user": username},
            )


def _validate_teachers(
    stream: IO[bytes], filename: str, look: Lookups, progress: Progress | None
) -> int:
    table = open_table(stream, filename=filename, required=TEACHER_COLUMNS)
    problems = Problems(TEACHER_COLUMNS)
    pprs = Duplicates()
    # Teachers' files are small (a country has a few hundred thousand teachers): the
    # e-mails seen are kept as they are, to name the duplicate.
    emails: dict[str, int] = {}
    batch: list[TeacherRow] = []
    rows = 0
    for number, values in table.rows:
        rows += 1
        if "__error__" in values:
            problems.add(number, "", "", values["__error__"])
            continue
        row = _teacher(number, values, look, problems)
        if row is None:
            continue
        # A leading 1 keeps the PPR's leading zeros apart: 0012345 is not 12345.
        pprs.add(int("1" + row.ppr), number)
        if row.email:
            first = emails.setdefault(row.email.lower(), number)
            if first != number:
                problems.add(
                    number,
                    "email",
                    row.email,
                    _("adresse e-mail en double : déjà à la ligne %(row)s") % {"row": first},
                )
        batch.append(row)
        if len(batch) >= BATCH_SIZE:
            _check_teacher_batch(batch, problems)
            batch = []
            _validating(progress, rows)
    _check_teacher_batch(batch, problems)
    for key, number, first in pprs.found():
        problems.add(
            number,
            "ppr",
            str(key)[1:],
            _("matricule en double : déjà à la ligne %(row)s") % {"row": first},
        )
    _no_rows(rows, filename, problems)
    problems.raise_if_any()
    return rows


def teachers_import(
    *,
    actor: Any,
    stream: IO[bytes],
    filename: str,
    dry_run: bool = False,
    progress: Progress | None = None,
    source: str = "",
) -> dict[str, int]:
    """Validate then apply a teachers file (see docs/imports.md). Raises ImportRejected."""
    look = Lookups(actor, can_import_pupils)
    rows = _validate_teachers(stream, filename, look, progress)
    if progress:
        progress.total(rows)
    if dry_run:
        return {"rows": rows}
    try:
        return teachers_bulk_apply(
            actor=actor,
            batches=batched(_valid_rows(stream, filename, TEACHER_COLUMNS, _teacher, look)),
            source=source or filename,
            progress=progress,
        )
    except IntegrityError as exc:
        raise _conflicting_write(exc) from exc


# --- Marks ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _MarkFields:
    number: int
    code_massar: str
    school_id: int
    year_id: int
    class_name: str
    subject_id: int
    semester_id: int
    kind: str
    assessment_number: int
    value: Decimal | None
    code: str


def may_write_marks_at(actor: Any, school: OrgUnit) -> bool:
    """A school's marks are written by its managers, and by its teachers for the classes
    and subjects they teach (checked row by row)."""
    return can_manage_school(actor, school) or is_teacher_at(actor, school)


class MarkLookups(Lookups):
    def __init__(self, actor: Any):
        super().__init__(actor, may_write_marks_at)
        self.semesters = {
            (year_id, number): pk
            for pk, year_id, number in Semester.objects.values_list(
                "id", "academic_year_id", "number"
            )
        }
        level_subjects: dict[int, set[int]] = {}
        for level_id, subject_id in SubjectCoefficient.objects.values_list(
            "grade_level_id", "subject_id"
        ):
            level_subjects.setdefault(level_id, set()).add(subject_id)
        self.level_subjects = level_subjects
        self._manager: dict[int, bool] = {}
        self._taught: set[tuple[int, int]] | None = None
        self._sheet_keys: dict[tuple[int, int, str, int, int, str], int] = {}
        self._locked: dict[tuple[int, int, int], bool] = {}

    def manages(self, school_id: int, path: str) -> bool:
        if self.actor is None:
            return True
        if school_id not in self._manager:
            unit = OrgUnit(pk=school_id, path=path)
            self._manager[school_id] = can_manage_school(self.actor, unit)
        return self._manager[school_id]

    def teaches(self, class_id: int, subject_id: int) -> bool:
        if self._taught is None:
            self._taught = set(
                TeachingAssignment.objects.filter(teacher__user=self.actor).values_list(
                    "school_class_id", "subject_id"
                )
            )
        return (class_id, subject_id) in self._taught

    def dense(self, key: tuple[int, int, str, int, int, str]) -> int:
        """A small number per (school, year, class, subject, semester, evaluation), so a
        mark's identity packs into one 64-bit integer with its code Massar."""
        return self._sheet_keys.setdefault(key, len(self._sheet_keys))

    def locked(self, keys: set[tuple[int, int, int]]) -> dict[tuple[int, int, int], bool]:
        missing = keys - self._locked.keys()
        if missing:
            self._locked.update(sheets_locked(missing))
        return self._locked


def _mark(
    number: int, values: dict[str, Any], look: MarkLookups, problems: Problems
) -> _MarkFields | None:
    bad = problems.total
    code = _code_massar(number, values["code_massar"], problems)
    school = look.school(number, values["code_etablissement"], problems)
    class_name = look.class_name(number, values["classe"], problems)
    year = look.year(number, values["annee_scolaire"], problems)
    semester_text = cell_text(values["semestre"]).upper().removeprefix("S")
    semester_id = None
    if semester_text not in ("1", "2"):
        problems.add(number, "semestre", values["semestre"], _("attendu : 1 ou 2"))
    elif year is not None:
        semester_id = look.semesters.get((year.id, int(semester_text)))
        if semester_id is None:
            problems.add(
                number, "semestre", semester_text, _("semestre absent du calendrier de l'année")
            )
    subject_id = look.subject(number, "matiere", values["matiere"], problems)
    evaluation = cell_text(values["evaluation"]).lower()
    match = EVALUATION.fullmatch(evaluation)
    if match is None:
        problems.add(
            number,
            "evaluation",
            evaluation,
            _(
                "évaluation inconnue (attendu : test_1 à test_9, activity_1, local_exam_1, "
                "regional_exam_1 ou national_exam_1)"
            ),
        )
    value: Decimal | None = None
    mark_code = ""
    raw = values["note"]
    if cell_text(raw) == "":
        problems.add(number, "note", "", _("note obligatoire (de 0 à 20, ABS ou DISP)"))
    else:
        try:
            value, mark_code = parse_cell(raw)
        except ValueError as exc:
            problems.add(number, "note", raw, str(exc))
    if problems.total > bad or not (school and year and semester_id and subject_id and match):
        return None
    return _MarkFields(
        number,
        code,
        school.org_unit_id,
        year.id,
        class_name,
        subject_id,
        semester_id,
        match.group(1),
        int(match.group(2)),
        value,
        mark_code,
    )


def _check_mark_batch(
    batch: list[_MarkFields], classes: ClassBook, look: MarkLookups, problems: Problems
) -> None:
    classes.load({(m.school_id, m.year_id) for m in batch})
    placed: list[tuple[_MarkFields, int]] = []
    for m in batch:
        entry = classes.get(m.school_id, m.year_id, m.class_name)
        if entry is None or entry.id is None:
            problems.add(
                m.number,
                "classe",
                m.class_name,
                _("classe inconnue dans cet établissement pour cette année"),
            )
            continue
        subjects = look.level_subjects.get(entry.level_id)
        if subjects and m.subject_id not in subjects:
            problems.add(
                m.number,
                "matiere",
                _subject_code(look, m.subject_id),
                _("matière non enseignée au niveau %(level)s")
                % {"level": look.level_codes.get(entry.level_id, "?")},
            )
            continue
        path = look.schools_by_id()[m.school_id].path
        if not look.manages(m.school_id, path) and not look.teaches(entry.id, m.subject_id):
            problems.add(
                m.number,
                "matiere",
                _subject_code(look, m.subject_id),
                _("vous n'enseignez pas cette matière dans cette classe"),
            )
            continue
        placed.append((m, entry.id))
    if not placed:
        return
    enrolled = set(
        Enrolment.objects.filter(
            AnyOf("pupil__code_massar", {m.code_massar for m, _c in placed}),
            school_class_id__in={c for _m, c in placed},
            status__in=ACTIVE_STATUSES,
        ).values_list("school_class_id", "pupil__code_massar")
    )
    locked = look.locked({(c, m.subject_id, m.semester_id) for m, c in placed})
    for m, class_id in placed:
        if (class_id, m.code_massar) not in enrolled:
            problems.add(
                m.number, "code_massar", m.code_massar, _("élève non inscrit dans la classe")
            )
        elif locked[(class_id, m.subject_id, m.semester_id)]:
            problems.add(m.number, "matiere", _subject_code(look, m.subject_id), locked_reason())


def _subject_code(look: Lookups, subject_id: int) -> str:
    return next((c for c, pk in look.subjects().items() if pk == subject_id), "?")


def _validate_marks(
    stream: IO[bytes], filename: str, look: MarkLookups, progress: Progress | None
) -> tuple[int, ClassBook]:
    table = open_table(stream, filename=filename, required=MARK_COLUMNS)
    refresh_statistics(Enrolment, Mark)
    problems = Problems(MARK_COLUMNS)
    duplicates = Duplicates()
    classes = ClassBook()
    batch: list[_MarkFields] = []
    rows = 0
    for number, values in table.rows:
        rows += 1
        if "__error__" in values:
            problems.add(number, "", "", values["__error__"])
            continue
        mark = _mark(number, values, look, problems)
        if mark is None:
            continue
        where = (
            mark.school_id,
            mark.year_id,
            mark.class_name,
            mark.subject_id,
            mark.semester_id,
            f"{mark.kind}_{mark.assessment_number}",
        )
        duplicates.add(code_key(mark.code_massar) << 27 | look.dense(where), number)
        batch.append(mark)
        if len(batch) >= BATCH_SIZE:
            _check_mark_batch(batch, classes, look, problems)
            batch = []
            _validating(progress, rows)
    _check_mark_batch(batch, classes, look, problems)
    for key, number, first in duplicates.found():
        problems.add(
            number,
            "code_massar",
            code_of(key >> 27),
            _("même élève, même évaluation : déjà à la ligne %(row)s") % {"row": first},
        )
    _no_rows(rows, filename, problems)
    problems.raise_if_any()
    return rows, classes


def _mark_rows(
    stream: IO[bytes], filename: str, look: MarkLookups, classes: ClassBook
) -> Iterator[MarkRow]:
    problems = Problems(MARK_COLUMNS)
    for number, values in _reread(stream, filename, MARK_COLUMNS):
        m = _mark(number, values, look, problems)
        entry = None if m is None else classes.get(m.school_id, m.year_id, m.class_name)
        if m is None or entry is None or entry.id is None:
            raise _changed(number, problems)
        yield MarkRow(
            number,
            m.code_massar,
            entry.id,
            m.subject_id,
            m.semester_id,
            m.kind,
            m.assessment_number,
            m.value,
            m.code,
        )


def marks_import(
    *,
    actor: Any,
    stream: IO[bytes],
    filename: str,
    dry_run: bool = False,
    progress: Progress | None = None,
    source: str = "",
) -> dict[str, int]:
    """Validate then apply a marks file (see docs/imports.md). Raises ImportRejected.
    ``actor`` is required: every mark records who entered it."""
    if actor is None:
        raise ValueError("marks_import needs an actor")
    look = MarkLookups(actor)
    rows, classes = _validate_marks(stream, filename, look, progress)
    if progress:
        progress.total(rows)
    if dry_run:
        return {"rows": rows}
    try:
        return marks_bulk_apply(
            actor=actor,
            batches=batched(_mark_rows(stream, filename, look, classes)),
            source=source or filename,
            progress=progress,
        )
    except IntegrityError as exc:
        raise _conflicting_write(exc) from exc


# --- Background jobs and commands ------------------------------------------------------------

Importer = Callable[..., dict[str, int]]


def _run_job(
    importer: Importer,
    progress: Progress,
    *,
    path: str,
    filename: str,
    actor_id: int | None,
    dry_run: bool = False,
) -> dict[str, Any]:
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    source = f"{filename} (job {progress.job.pk})" if progress.job else filename
    try:
        with Path(path).open("rb") as stream:
            result: dict[str, Any] = importer(
                actor=actor,
                stream=stream,
                filename=filename,
                dry_run=dry_run,
                progress=progress,
                source=source,
            )
    except ImportRejected as rejected:
        return {
            "rejected": True,
            "problems": [p.as_dict() for p in rejected.problems[:500]],
            "count": rejected.total,
        }
    finally:
        Path(path).unlink(missing_ok=True)
    if dry_run:
        result["dry_run"] = True
    return result


@job_kind("schooling.import_students", label=gettext_lazy("Import d'élèves"))
def students_import_job(progress: Progress, **params: Any) -> dict[str, Any]:
    return _run_job(students_import, progress, **params)


@job_kind("schooling.import_teachers", label=gettext_lazy("Import d'enseignants"))
def teachers_import_job(progress: Progress, **params: Any) -> dict[str, Any]:
    return _run_job(teachers_import, progress, **params)


@job_kind("schooling.import_marks", label=gettext_lazy("Import de notes"))
def marks_import_job(progress: Progress, **params: Any) -> dict[str, Any]:
    return _run_job(marks_import, progress, **params)


IMPORTERS: dict[str, tuple[str, Importer]] = {
    "students": ("schooling.import_students", students_import),
    "teachers": ("schooling.import_teachers", teachers_import),
    "marks": ("schooling.import_marks", marks_import),
}


class ImportCommand(BaseCommand):
    """``import_students``, ``import_teachers`` and ``import_marks``: exit status 0 when
    the file is applied (or, with --dry-run, valid); 1 with every problem on stderr."""

    kind = ""
    user_required = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Validate only; write nothing.")
        parser.add_argument(
            "--user",
            help="Import as this account: its reach limits the rows and the audit log "
            "names it"
            + (" (required: every mark records who entered it)." if self.user_required else "."),
        )

    def handle(
        self, *args: Any, file: Path, dry_run: bool, user: str | None, **options: Any
    ) -> None:
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        actor = None
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"{user}: no such user")
        elif self.user_required:
            raise CommandError("--user is required: every mark records who entered it")
        importer = IMPORTERS[self.kind][1]
        reporter = TerminalReporter(f"Import {file.name}")
        try:
            with file.open("rb") as stream:
                counts = importer(
                    actor=actor,
                    stream=stream,
                    filename=file.name,
                    dry_run=dry_run,
                    progress=Progress(None, echo=reporter),
                )
        except ImportRejected as rejected:
            reporter.close()
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            if rejected.total > len(rejected.problems):
                self.stderr.write(
                    f"… {rejected.total - len(rejected.problems)} more problem(s) not listed."
                )
            self.stderr.write(
                f"{file.name}: rejected, {rejected.total} problem(s); nothing written."
            )
            sys.exit(1)
        reporter.close()
        prefix = "dry run: " if dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(prefix + ", ".join(f"{k} {v}" for k, v in counts.items()))
        )
