"""What the pupils, teachers and marks imports share: the rows' references (schools,
years, levels, subjects) loaded once, the importer's reach, compact duplicate keys, and
the checks of a name, a code Massar, a class name."""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, TypeVar

from django.db import IntegrityError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from pilotage.core.jobs import Progress, job_summary
from pilotage.core.tabular import (
    ImportRejected,
    Problem,
    Problems,
    cell_text,
    open_table,
    row_problem,
)
from pilotage.orgunits.models import AcademicYear, OrgUnit, School
from pilotage.schooling.models import GradeLevel, SchoolClass, Subject
from pilotage.schooling.services.bulk import LevelRef, SchoolRef, YearRef

# rows is rejected with the first ten thousand listed and the total.
MIN_AGE, MAX_AGE = 3, 30
# A pupil may be up to this many years younger than the level's theoretical age.
YEARS_AHEAD = 2
NAME_MAX, CLASS_MAX, USER_NAME_MAX = 100, 30, 150

CODE_MASSAR = re.compile(r"[A-Z][0-9]{9}")
PPR = re.compile(r"[0-9]{5,12}")
YEAR_CODE = re.compile(r"(\d{4})\s*[-/]\s*(\d{4})")


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
        code = text_of(raw)
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
        text = text_of(raw)
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
        text = text_of(raw).upper()
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


def check_name(
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


def check_code_massar(number: int, raw: Any, problems: Problems) -> str:
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


def reread(stream: IO[bytes], filename: str, columns: list[str]) -> Iterator[tuple[int, dict]]:
    stream.seek(0)
    table = open_table(stream, filename=filename, required=columns)
    for number, values in table.rows:
        if "__error__" in values:
            raise ImportRejected([row_problem(number, values)])
        yield number, values


def valid_rows(
    stream: IO[bytes],
    filename: str,
    columns: list[str],
    parse: Callable[[int, dict, Lookups, Problems], T | None],
    look: Lookups,
) -> Iterator[T]:
    """The second pass: the file was valid, so every row parses again (a row that no
    longer does means the file changed between the passes)."""
    problems = Problems(columns)
    for number, values in reread(stream, filename, columns):
        row = parse(number, values, look, problems)
        if row is None:
            raise changed_rejection(number, problems)
        yield row


def changed_rejection(number: int, problems: Problems) -> ImportRejected:
    """A row valid at validation fails when applying: the file or the database changed
    in between. The apply transaction rolls back."""
    reason = _("la ligne ne passe plus la validation (fichier ou données modifiés entre-temps)")
    return ImportRejected(problems.kept or [Problem(number, "", "", reason)])


def check_not_empty(rows: int, filename: str, problems: Problems) -> None:
    if rows == 0:
        problems.add(2, "", filename, _("aucune ligne de données sous l'en-tête"))


def report_validating(progress: Progress | None, rows: int) -> None:
    if progress:
        progress.advance(
            0,
            ngettext("validation : %(n)s ligne lue", "validation : %(n)s lignes lues", rows)
            % {"n": rows},
        )


def conflicting_write(exc: IntegrityError) -> ImportRejected:
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


def text_of(value: Any) -> str:
    return value if value.__class__ is str else cell_text(value)


# --- What the job's page says was done ----------------------------------------------------------

# A summary links at most this many classes or schools; past that it counts the rest.
LINKS_MAX = 12


class Touched:
    """The schools and classes a file's rows name, for the links of the job's summary.
    Every school is kept (a country has a few thousand: integers), the classes only up to
    ``LINKS_MAX`` — past that the summary links the schools instead."""

    def __init__(self) -> None:
        self.schools: set[int] = set()
        self.classes: set[tuple[int, int, str]] = set()
        self.too_many_classes = False

    def add(self, school_id: int, year_id: int | None = None, class_name: str = "") -> None:
        self.schools.add(school_id)
        if year_id is None or self.too_many_classes:
            return
        key = (school_id, year_id, class_name)
        if key not in self.classes:
            if len(self.classes) >= LINKS_MAX:
                self.too_many_classes = True
                self.classes.clear()
            else:
                self.classes.add(key)

    def links(self) -> tuple[list[tuple[str, str]], int]:
        """``(label, url)`` of the classes named (each with its school), or of the
        schools when the classes are too many or none; and how many were left out."""
        if self.classes:
            units = _units(self.schools)
            wanted = Q()
            for school_id, year_id, name in self.classes:
                wanted |= Q(school_id=school_id, academic_year_id=year_id, name=name)
            found = SchoolClass.objects.filter(wanted).order_by("school_id", "name")
            return [
                (
                    _("Classe %(name)s · %(school)s")
                    % {"name": c.name, "school": _school_label(units.get(c.school_id))},
                    reverse("schooling:class", args=[c.pk]),
                )
                for c in found
            ], 0
        units = _units(sorted(self.schools)[:LINKS_MAX])
        links = [
            (_school_label(unit), reverse("orgunits:detail", args=[unit.code]))
            for unit in sorted(units.values(), key=lambda u: u.code)
        ]
        return links, max(len(self.schools) - len(links), 0)


def _units(ids: Iterable[int]) -> dict[int, OrgUnit]:
    return {u.pk: u for u in OrgUnit.objects.filter(pk__in=list(ids)).select_related("school")}


def _school_label(unit: OrgUnit | None) -> str:
    if unit is None:
        return ""
    school = getattr(unit, "school", None)
    code = school.school_code if school is not None else unit.code
    return f"{unit.name} ({code})"


def count_lines(counts: Iterable[tuple[int, Any]]) -> list[str]:
    """A sentence for each count above zero: ``(n, ngettext_lazy(singular, plural, "n"))``,
    whose ``%(n)s`` also picks the plural form of the reader's language."""
    return [str(message % {"n": n}) for n, message in counts if n]


# The last line of every import's summary: rows that changed nothing.
UNCHANGED_LINE = ngettext_lazy(
    "%(n)s ligne déjà à jour, rien à changer", "%(n)s lignes déjà à jour, rien à changer", "n"
)


def summarized(result: dict[str, Any], lines: list[str], touched: Touched) -> dict[str, Any]:
    """The importer's counts with their ``"summary"`` for the job's page."""
    links, more = touched.links()
    return {**result, "summary": job_summary(lines, links, more)}
