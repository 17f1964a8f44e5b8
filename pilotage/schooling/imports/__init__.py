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

from pilotage.core.imports import ImportKind
from pilotage.schooling.imports.marks import MARK_COLUMNS, marks_import
from pilotage.schooling.imports.students import STUDENT_COLUMNS, students_import
from pilotage.schooling.imports.teachers import TEACHER_COLUMNS, teachers_import
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
    example={
        "code_massar": "J130000001",
        "nom": "Alaoui",
        "prenom": "Salma",
        "nom_ar": "العلوي",
        "prenom_ar": "سلمى",
        "sexe": "F",
        "date_naissance": "2015-04-12",
        "code_etablissement": "04101A",
        "niveau": "5AP",
        "classe": "5AP-2",
        "annee_scolaire": "2025-2026",
    },
    run=students_import,
    may_open=partial(can_open_import, kind="students"),
    help=(
        _(
            "sexe : M ou F ; date_naissance : AAAA-MM-JJ, JJ/MM/AAAA ou date Excel ; "
            "niveau : 1AP à 2BAC ; annee_scolaire : 2025-2026. La classe est créée si elle "
            "n'existe pas ; un élève inscrit cette année dans un autre établissement passe "
            "par un transfert."
        ),
    ),
)
TEACHERS = ImportKind(
    name="schooling.import_teachers",
    label=_("Import d'enseignants"),
    title=_("Importer des enseignants"),
    columns=TEACHER_COLUMNS,
    example={
        "ppr": "1234567",
        "nom": "El Fassi",
        "prenom": "Nadia",
        "email": "nadia.elfassi@example.ma",
        "code_etablissement": "04101A",
        "qualifie": "oui",
        "specialite": "MATH",
    },
    run=teachers_import,
    may_open=partial(can_open_import, kind="teachers"),
    help=(
        _(
            "ppr : matricule de 5 à 12 chiffres, qui devient l'identifiant de connexion ; "
            "qualifie : oui ou non ; specialite : code de matière (MATH, FR…), vide pour un "
            "enseignant du primaire. Le compte n'a pas de mot de passe : l'enseignant le "
            "choisit par « mot de passe oublié »."
        ),
    ),
)
MARKS = ImportKind(
    name="schooling.import_marks",
    label=_("Import de notes"),
    title=_("Importer des notes"),
    columns=MARK_COLUMNS,
    example={
        "code_massar": "J130000001",
        "code_etablissement": "04101A",
        "classe": "5AP-2",
        "annee_scolaire": "2025-2026",
        "semestre": "1",
        "matiere": "MATH",
        "evaluation": "test_1",
        "note": "15,5",
    },
    run=marks_import,
    may_open=partial(can_open_import, kind="marks"),
    help=(
        _(
            "semestre : 1 ou 2 ; matiere : code de matière ; evaluation : test_1, "
            "test_2…, activity_1, local_exam_1… ; note : de 0 à 20 avec deux décimales au "
            "plus (virgule acceptée), ABS ou DISP. Une feuille validée ou dont la saisie "
            "est close refuse ses lignes."
        ),
    ),
    actor_required="every mark records who entered it",
)
KINDS = {"students": STUDENTS, "teachers": TEACHERS, "marks": MARKS}
