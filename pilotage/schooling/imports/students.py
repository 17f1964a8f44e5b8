"""Pupils and their enrolments (the national files of a million rows): parsed and checked
once; each valid batch goes to a spill file, or on PostgreSQL to a writer thread on a
second connection that commits only if the whole file passes (see ``_Writer``)."""

from __future__ import annotations

import datetime as dt
import functools
import marshal
import queue
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from django.db import IntegrityError, connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from pilotage.core.imports import Column, column_names
from pilotage.core.jobs import Progress
from pilotage.core.tabular import Problems, open_table, parse_date
from pilotage.schooling.imports.common import (
    CLASS_MAX,
    CODE_MASSAR,
    MAX_AGE,
    MIN_AGE,
    NAME_MAX,
    UNCHANGED_LINE,
    YEARS_AHEAD,
    Duplicates,
    Lookups,
    Touched,
    check_code_massar,
    check_name,
    check_not_empty,
    code_key,
    code_of,
    conflicting_write,
    count_lines,
    report_validating,
    summarized,
    text_of,
)
from pilotage.schooling.models import ACTIVE_STATUSES, Enrolment, Pupil
from pilotage.schooling.permissions import can_import_pupils
from pilotage.schooling.services.bulk import (
    BATCH_SIZE,
    AnyOf,
    ClassBook,
    ClassEntry,
    LevelRef,
    PupilRow,
    YearRef,
    other_school_message,
    pupils_bulk_apply,
    refresh_statistics,
)

# The columns as the importer reads them and as its page and template explain them.
STUDENT_COLUMN_HELP = (
    Column(
        "code_massar",
        gettext_lazy("Le code Massar de l'élève : il identifie l'élève d'un import à l'autre."),
        "J130000001",
        format=gettext_lazy("une lettre majuscule suivie de 9 chiffres"),
    ),
    Column(
        "nom",
        gettext_lazy("Nom de famille, en lettres latines."),
        "Alaoui",
        format=gettext_lazy("100 caractères au plus"),
    ),
    Column(
        "prenom",
        gettext_lazy("Prénom, en lettres latines."),
        "Salma",
        format=gettext_lazy("100 caractères au plus"),
    ),
    Column(
        "nom_ar",
        gettext_lazy("Nom de famille en arabe."),
        "العلوي",
        required=False,
        format=gettext_lazy("100 caractères au plus"),
    ),
    Column(
        "prenom_ar",
        gettext_lazy("Prénom en arabe."),
        "سلمى",
        required=False,
        format=gettext_lazy("100 caractères au plus"),
    ),
    Column(
        "sexe",
        gettext_lazy("Sexe de l'élève."),
        "F",
        allowed=gettext_lazy("M (garçon) ou F (fille)"),
    ),
    Column(
        "date_naissance",
        gettext_lazy("Date de naissance."),
        "2015-04-12",
        format=gettext_lazy("AAAA-MM-JJ, JJ/MM/AAAA ou une date Excel"),
    ),
    Column(
        "code_etablissement",
        gettext_lazy(
            "Le code de l'établissement où l'élève est inscrit ; il doit être dans votre périmètre."
        ),
        "04101A",
    ),
    Column(
        "niveau",
        gettext_lazy("Le niveau de la classe."),
        "5AP",
        allowed=gettext_lazy("1AP à 6AP, 1AC à 3AC, TC, 1BAC, 2BAC"),
    ),
    Column(
        "classe",
        gettext_lazy("Le nom de la classe ; elle est créée si elle n'existe pas encore."),
        "5AP-2",
        format=gettext_lazy("30 caractères au plus"),
    ),
    Column(
        "annee_scolaire",
        gettext_lazy("L'année scolaire de l'inscription ; elle doit exister dans le calendrier."),
        "2025-2026",
        format=gettext_lazy("AAAA-AAAA (2025/2026 est lu de même)"),
    ),
)
STUDENT_COLUMNS = column_names(STUDENT_COLUMN_HELP)

_date = functools.lru_cache(maxsize=1 << 16)(parse_date)
NAME_COLUMNS = (("nom", True), ("prenom", True), ("nom_ar", False), ("prenom_ar", False))


def _student(
    number: int, values: dict[str, Any], look: Lookups, problems: Problems
) -> PupilRow | None:
    """One row of a pupils file, or None with its problems recorded. Written for speed
    (a national file has a million rows): the common, valid case takes the short path."""
    bad = problems.total
    code = text_of(values["code_massar"])
    if not CODE_MASSAR.fullmatch(code):
        check_code_massar(number, code, problems)
    names = [
        text_of(values["nom"]),
        text_of(values["prenom"]),
        text_of(values["nom_ar"]),
        text_of(values["prenom_ar"]),
    ]
    if not (names[0] and names[1]) or max(map(len, names)) > NAME_MAX:
        for (column, required), name in zip(NAME_COLUMNS, names, strict=True):
            check_name(number, column, name, problems, required=required, limit=NAME_MAX)
    sex = text_of(values["sexe"]).upper()
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
    class_name = text_of(values["classe"])
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
    touched: Touched,
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
    for number, values in problems.readable(table.rows):
        row = _student(number, values, look, problems)
        if row is None:
            continue
        duplicates.add(code_key(row.code_massar), number)
        touched.add(row.school_id, row.year_id, row.class_name)
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
            report_validating(progress, problems.rows_read)
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
    rows = problems.rows_read
    check_not_empty(rows, filename, problems)
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
) -> dict[str, Any]:
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
            raise conflicting_write(exc) from exc

    touched = Touched()
    if not dry_run and _Writer.possible():
        writer = _Writer(lambda batches: apply(batches, ClassBook(), None))
        try:
            rows, _classes = _validate_students(
                stream, filename, look, progress, writer.put, touched
            )
        except BaseException:
            writer.abandon()
            raise
        if progress:
            progress.total(rows)
        return _summary(writer.finish(progress), touched)
    with _Spill() as spill:
        sink = (lambda batch: None) if dry_run else spill.add
        rows, classes = _validate_students(stream, filename, look, progress, sink, touched)
        if progress:
            progress.total(rows)
        if dry_run:
            return {"rows": rows}
        return _summary(apply(spill.batches(), classes, progress), touched)


def _summary(counts: dict[str, int], touched: Touched) -> dict[str, Any]:
    """What the job's page says: each figure once, in words."""
    lines = count_lines(
        [
            (counts["rows"], ngettext_lazy("%(n)s élève importé", "%(n)s élèves importés", "n")),
            (
                counts["pupils_created"],
                ngettext_lazy("%(n)s nouvel élève", "%(n)s nouveaux élèves", "n"),
            ),
            (
                counts["pupils_updated"],
                ngettext_lazy(
                    "%(n)s élève dont le nom, le sexe ou la date de naissance a changé",
                    "%(n)s élèves dont le nom, le sexe ou la date de naissance a changé",
                    "n",
                ),
            ),
            (
                counts["enrolments_created"],
                ngettext_lazy("%(n)s inscription créée", "%(n)s inscriptions créées", "n"),
            ),
            (
                counts["enrolments_moved"],
                ngettext_lazy(
                    "%(n)s élève changé de classe", "%(n)s élèves changés de classe", "n"
                ),
            ),
            (
                counts["classes_created"],
                ngettext_lazy("%(n)s classe créée", "%(n)s classes créées", "n"),
            ),
            (counts["unchanged"], UNCHANGED_LINE),
        ]
    )
    return summarized(counts, lines, touched)


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
