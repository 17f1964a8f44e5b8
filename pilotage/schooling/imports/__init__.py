"""Importing pupils, teachers and marks from the files schools and directorates send
(formats, encodings and every message in docs/imports.md), one module per kind of file,
each declared for the kernel's import pipeline (``pilotage.core.imports``; registered in
``schooling/tasks.py``), which provides the upload page, the template download, the job
and the commands.

The validation pass checks every row (format, codes that must exist, the importer's
reach, consistency with the file's other rows and with the database) and keeps only
compact keys: an integer per row for the duplicate check, the classes named, a batch of a
few thousand keys at a time for the database checks. So a 100 MB file is validated in a
few megabytes. Only when no row has a problem is anything written, in batches, by
``services.bulk``, in one transaction. One problem anywhere, and nothing is written.
"""

from __future__ import annotations

from functools import partial

from django.utils.translation import gettext_lazy as _

from pilotage.core.imports import ImportKind, column_examples
from pilotage.schooling.imports.marks import MARK_COLUMN_HELP, MARK_COLUMNS, marks_import
from pilotage.schooling.imports.students import (
    STUDENT_COLUMN_HELP,
    STUDENT_COLUMNS,
    students_import,
)
from pilotage.schooling.imports.teachers import (
    TEACHER_COLUMN_HELP,
    TEACHER_COLUMNS,
    teachers_import,
)
from pilotage.schooling.permissions import can_open_import

__all__ = [
    "KINDS",
    "MARK_COLUMNS",
    "STUDENT_COLUMNS",
    "TEACHER_COLUMNS",
    "marks_import",
    "students_import",
    "teachers_import",
]

STUDENTS = ImportKind(
    name="schooling.import_students",
    label=_("Import d'élèves"),
    title=_("Importer des élèves"),
    columns=STUDENT_COLUMNS,
    example=column_examples(STUDENT_COLUMN_HELP),
    described=STUDENT_COLUMN_HELP,
    run=students_import,
    may_open=partial(can_open_import, kind="students"),
    help=(
        _(
            "Chaque ligne crée l'élève ou met à jour son nom, son sexe et sa date de "
            "naissance (le code Massar est la clé), crée la classe si elle n'existe pas, et "
            "inscrit l'élève dans cette classe pour l'année, ou le change de classe s'il est "
            "déjà inscrit dans le même établissement. Un élève inscrit cette année dans un "
            "autre établissement passe par un transfert."
        ),
    ),
)
TEACHERS = ImportKind(
    name="schooling.import_teachers",
    label=_("Import d'enseignants"),
    title=_("Importer des enseignants"),
    columns=TEACHER_COLUMNS,
    example=column_examples(TEACHER_COLUMN_HELP),
    described=TEACHER_COLUMN_HELP,
    run=teachers_import,
    may_open=partial(can_open_import, kind="teachers"),
    help=(
        _(
            "Chaque ligne crée ou met à jour le compte de l'enseignant, sa fiche et son "
            "rattachement à l'établissement ; un enseignant qui change d'établissement perd "
            "le rattachement à l'ancien. Le compte n'a pas de mot de passe : l'enseignant le "
            "choisit par « mot de passe oublié »."
        ),
    ),
)
MARKS = ImportKind(
    name="schooling.import_marks",
    label=_("Import de notes"),
    title=_("Importer des notes"),
    columns=MARK_COLUMNS,
    example=column_examples(MARK_COLUMN_HELP),
    described=MARK_COLUMN_HELP,
    run=marks_import,
    may_open=partial(can_open_import, kind="marks"),
    help=(
        _(
            "Les notes sont écrites sous les règles de la feuille de notes : une feuille "
            "validée ou dont la saisie est close refuse ses lignes, et un enseignant n'importe "
            "que les notes des classes et matières qu'il enseigne."
        ),
    ),
    actor_required="every mark records who entered it",
)
KINDS = {"students": STUDENTS, "teachers": TEACHERS, "marks": MARKS}
