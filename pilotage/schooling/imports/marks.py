"""Marks, under the rules of the marks sheet (who may write, locked sheets, the class's
subjects). The file is read twice: validated whole, then written."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db import IntegrityError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from pilotage.core.imports import Column, column_names
from pilotage.core.jobs import Progress
from pilotage.core.tabular import Problems, cell_text, open_table
from pilotage.orgunits.models import OrgUnit, Semester
from pilotage.schooling.imports.common import (
    Duplicates,
    Lookups,
    Touched,
    changed_rejection,
    check_code_massar,
    check_not_empty,
    code_key,
    code_of,
    conflicting_write,
    count_lines,
    report_validating,
    reread,
    summarized,
)
from pilotage.schooling.models import (
    ACTIVE_STATUSES,
    Enrolment,
    Mark,
    SubjectCoefficient,
    TeachingAssignment,
)
from pilotage.schooling.permissions import can_manage_school, may_write_marks_at
from pilotage.schooling.services.bulk import (
    BATCH_SIZE,
    AnyOf,
    ClassBook,
    MarkRow,
    batched,
    locked_reason,
    marks_bulk_apply,
    refresh_statistics,
    sheets_locked,
)
from pilotage.schooling.services.marks import out_of_range, parse_cell
from pilotage.schooling.structure import grading_scales

# The columns as the importer reads them and as its page and template explain them.
MARK_COLUMN_HELP = (
    Column(
        "code_massar",
        gettext_lazy("Le code Massar d'un élève inscrit dans la classe."),
        "J130000001",
        format=gettext_lazy("une lettre majuscule suivie de 9 chiffres"),
    ),
    Column(
        "code_etablissement", gettext_lazy("Le code de l'établissement de la classe."), "04101A"
    ),
    Column("classe", gettext_lazy("Le nom de la classe ; elle doit exister."), "5AP-2"),
    Column(
        "annee_scolaire",
        gettext_lazy("L'année scolaire de la classe."),
        "2025-2026",
        format=gettext_lazy("AAAA-AAAA"),
    ),
    Column(
        "semestre",
        gettext_lazy("Le semestre de la note."),
        "1",
        allowed=gettext_lazy("1 ou 2 (S1, S2 aussi)"),
    ),
    Column(
        "matiere",
        gettext_lazy("La matière, étudiée au niveau de la classe."),
        "MATH",
        format=gettext_lazy("un code de matière : MATH, FR, AR…"),
    ),
    Column(
        "evaluation",
        gettext_lazy("La colonne de la feuille de notes."),
        "test_1",
        allowed=gettext_lazy(
            "test_1 à test_9 (contrôles continus), activity_1 (activités intégrées), "
            "local_exam_1, regional_exam_1, national_exam_1"
        ),
    ),
    Column(
        "note",
        gettext_lazy("La note, ou l'absence ou la dispense de l'élève."),
        "15,5",
        format=gettext_lazy(
            "de 0 au barème de la classe, deux décimales au plus, virgule ou point"
        ),
        allowed=gettext_lazy("ou ABS (absent), DISP (dispensé)"),
    ),
)
MARK_COLUMNS = column_names(MARK_COLUMN_HELP)

# Beyond this many, problems are counted but not kept: a file wrong on each of its million
EVALUATION = re.compile(r"(test|activity|local_exam|regional_exam|national_exam)_([1-9])")

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
        # The mark maximum of each level's cycle (10 in primary, 20 after): a row is parsed
        # up to the largest scale, then checked against its class's once the class is known.
        scales = grading_scales()  # every cycle's, one query
        self.level_max = {lv.id: scales[lv.cycle].maximum for lv in self.levels.values()}
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
    code = check_code_massar(number, values["code_massar"], problems)
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
        problems.add(
            number, "note", "", _("note obligatoire (de 0 au barème de la classe, ABS ou DISP)")
        )
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
        maximum = look.level_max.get(entry.level_id)
        if m.value is not None and maximum is not None and m.value > maximum:
            problems.add(m.number, "note", format(m.value.normalize(), "f"), out_of_range(maximum))
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
    stream: IO[bytes],
    filename: str,
    look: MarkLookups,
    progress: Progress | None,
    touched: Touched,
) -> tuple[int, ClassBook]:
    table = open_table(stream, filename=filename, required=MARK_COLUMNS)
    refresh_statistics(Enrolment, Mark)
    problems = Problems(MARK_COLUMNS)
    duplicates = Duplicates()
    classes = ClassBook()
    batch: list[_MarkFields] = []
    for number, values in problems.readable(table.rows):
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
        touched.add(mark.school_id, mark.year_id, mark.class_name)
        batch.append(mark)
        if len(batch) >= BATCH_SIZE:
            _check_mark_batch(batch, classes, look, problems)
            batch = []
            report_validating(progress, problems.rows_read)
    _check_mark_batch(batch, classes, look, problems)
    for key, number, first in duplicates.found():
        problems.add(
            number,
            "code_massar",
            code_of(key >> 27),
            _("même élève, même évaluation : déjà à la ligne %(row)s") % {"row": first},
        )
    rows = problems.rows_read
    check_not_empty(rows, filename, problems)
    problems.raise_if_any()
    return rows, classes


def _mark_rows(
    stream: IO[bytes], filename: str, look: MarkLookups, classes: ClassBook
) -> Iterator[MarkRow]:
    problems = Problems(MARK_COLUMNS)
    for number, values in reread(stream, filename, MARK_COLUMNS):
        m = _mark(number, values, look, problems)
        entry = None if m is None else classes.get(m.school_id, m.year_id, m.class_name)
        if m is None or entry is None or entry.id is None:
            raise changed_rejection(number, problems)
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
) -> dict[str, Any]:
    """Validate then apply a marks file (see docs/imports.md). Raises ImportRejected.
    ``actor`` is required: every mark records who entered it."""
    if actor is None:
        raise ValueError("marks_import needs an actor")
    look = MarkLookups(actor)
    touched = Touched()
    rows, classes = _validate_marks(stream, filename, look, progress, touched)
    if progress:
        progress.total(rows)
    if dry_run:
        return {"rows": rows}
    try:
        counts = marks_bulk_apply(
            actor=actor,
            batches=batched(_mark_rows(stream, filename, look, classes)),
            source=source or filename,
            progress=progress,
        )
    except IntegrityError as exc:
        raise conflicting_write(exc) from exc
    lines = count_lines(
        [
            (counts["rows"], ngettext_lazy("%(n)s note importée", "%(n)s notes importées", "n")),
            (counts["created"], ngettext_lazy("%(n)s note saisie", "%(n)s notes saisies", "n")),
            (counts["updated"], ngettext_lazy("%(n)s note modifiée", "%(n)s notes modifiées", "n")),
            (
                counts["unchanged"],
                ngettext_lazy(
                    "%(n)s note déjà à jour, rien à changer",
                    "%(n)s notes déjà à jour, rien à changer",
                    "n",
                ),
            ),
            (
                counts["sheets"],
                ngettext_lazy(
                    "%(n)s feuille de notes mise à jour",
                    "%(n)s feuilles de notes mises à jour",
                    "n",
                ),
            ),
        ]
    )
    return summarized(counts, lines, touched)
