"""Pupils, teachers and marks imports: what ministries really send, and what must be
refused with every problem listed and nothing written."""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import functools
import gc
import io
import re
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import Workbook

from pilotage.accounts.models import RoleAssignment, User
from pilotage.core import tabular
from pilotage.core.models import AuditEntry, Job
from pilotage.core.tabular import ImportRejected
from pilotage.core.tests.support import require
from pilotage.orgunits.services import academic_year_create
from pilotage.schooling.imports import (
    MARK_COLUMNS,
    STUDENT_COLUMNS,
    TEACHER_COLUMNS,
    marks_import,
    students_import,
    teachers_import,
)
from pilotage.schooling.imports import students as student_imports
from pilotage.schooling.models import (
    Assessment,
    Enrolment,
    EnrolmentStatus,
    Mark,
    MarkCode,
    MarkSheet,
    Pupil,
    SchoolClass,
    Teacher,
)
from pilotage.schooling.roles import TEACHER
from pilotage.schooling.services.marks import sheet_validate

# The marks rows below are written out of 20 in class A1 (5AP): see conftest.marks_out_of_20;
# the primary scale itself is tested in test_grading.py.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("marks_out_of_20")]

YEAR = "2025-2026"


def student(**kw: str) -> list[str]:
    row = {
        "code_massar": "K200000001",
        "nom": "Alaoui",
        "prenom": "Salma",
        "nom_ar": "العلوي",
        "prenom_ar": "سلمى",
        "sexe": "F",
        "date_naissance": "2015-04-12",
        "code_etablissement": "04101A",
        "niveau": "5AP",
        "classe": "5AP-2",
        "annee_scolaire": YEAR,
    }
    row.update(kw)
    return [row[c] for c in STUDENT_COLUMNS]


def csv(rows: list[list[str]], header: list[str] = STUDENT_COLUMNS, sep: str = ",") -> str:
    return "\n".join(sep.join(r) for r in [header, *rows]) + "\n"


def run_students(data: str | bytes, *, filename: str = "eleves.csv", **kw) -> dict[str, int]:  # type: ignore[no-untyped-def]
    raw = data.encode("utf-8") if isinstance(data, str) else data
    kw.setdefault("actor", None)
    return students_import(stream=io.BytesIO(raw), filename=filename, **kw)


def rejected(fn, *args, **kw) -> set[tuple[int, str, str, str]]:  # type: ignore[no-untyped-def]
    with pytest.raises(ImportRejected) as caught:
        fn(*args, **kw)
    return {(p.row, p.column, p.value, p.reason) for p in caught.value.problems}


def reasons(found: set[tuple[int, str, str, str]]) -> dict[tuple[int, str], str]:
    return {(row, column): reason for row, column, _value, reason in found}


def state() -> tuple[int, ...]:
    """Everything an import may write; equal before and after means nothing written."""
    return (
        Pupil.objects.count(),
        Enrolment.objects.count(),
        SchoolClass.objects.count(),
        AuditEntry.objects.count(),
        User.objects.count(),
        Teacher.objects.count(),
        RoleAssignment.objects.count(),
        Mark.objects.count(),
        MarkSheet.objects.count(),
        Assessment.objects.count(),
    )


THREE = [
    student(),
    student(code_massar="K200000002", nom="Tazi", prenom="Omar", sexe="M", nom_ar="التازي"),
    student(code_massar="K200000003", nom="Bennani", prenom="Imane", classe="5AP-1"),
]


# --- Pupils: the happy path, idempotence, updates -------------------------------------------


def test_import_creates_pupils_classes_enrolments_and_is_idempotent(school_year) -> None:  # type: ignore[no-untyped-def]
    before_classes = SchoolClass.objects.count()
    result = run_students(csv(THREE))
    summary = result.pop("summary")
    assert result == {
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "pupils_created": 3,
        "pupils_updated": 0,
        "classes_created": 1,
        "enrolments_created": 3,
        "enrolments_moved": 0,
    }
    pupil = Pupil.objects.get(code_massar="K200000001")
    assert (pupil.last_name_ar, pupil.first_name_ar, pupil.sex) == ("العلوي", "سلمى", "F")
    assert pupil.birth_date == dt.date(2015, 4, 12)
    new_class = SchoolClass.objects.get(name="5AP-2")
    assert new_class.grade_level.code == "5AP" and new_class.school == school_year.class_a1.school
    assert SchoolClass.objects.count() == before_classes + 1
    enrolment = Enrolment.objects.get(pupil__code_massar="K200000003")
    assert enrolment.school_class == school_year.class_a1  # the existing class, not a copy
    assert enrolment.status == EnrolmentStatus.ENROLLED
    assert school_year.year.contains(enrolment.entered_on)
    # One audit entry per school and batch, on the school, with the counts.
    entry = AuditEntry.objects.get(action="import")
    assert entry.object_id == str(school_year.class_a1.school_id)
    assert entry.changes["pupils_created"] == [None, 3]
    assert entry.changes["source"] == [None, "eleves.csv"]
    # The job page's summary says each figure once, and links the two classes named.
    assert summary["lines"] == [
        "3 élèves importés",
        "3 nouveaux élèves",
        "3 inscriptions créées",
        "1 classe créée",
    ]
    assert {link["url"] for link in summary["links"]} == {
        f"/schooling/classes/{school_year.class_a1.pk}/",
        f"/schooling/classes/{new_class.pk}/",
    }

    audit = AuditEntry.objects.count()
    again = run_students(csv(THREE))
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert AuditEntry.objects.count() == audit


def test_reimport_updates_what_changed_and_moves_within_the_school(school_year) -> None:  # type: ignore[no-untyped-def]
    existing = school_year.pupils_a1[1]
    rows = [
        student(
            code_massar=existing.code_massar,
            nom="Nouveau-Nom",
            prenom=existing.first_name,
            nom_ar=existing.last_name_ar,
            prenom_ar=existing.first_name_ar,
            sexe=existing.sex,
            date_naissance=existing.birth_date.isoformat(),
            classe="5AP-3",
        )
    ]
    result = run_students(csv(rows))
    assert result["updated"] == 1 and result["pupils_updated"] == 1
    assert result["enrolments_moved"] == 1 and result["enrolments_created"] == 0
    existing.refresh_from_db()
    assert existing.last_name == "Nouveau-Nom"
    enrolment = Enrolment.objects.get(pupil=existing, status__in=["enrolled"])
    assert enrolment.school_class.name == "5AP-3"
    assert Enrolment.objects.filter(pupil=existing).count() == 1  # moved, not duplicated


def test_pupil_enrolled_in_another_school_must_be_transferred(school_year) -> None:  # type: ignore[no-untyped-def]
    elsewhere = school_year.pupils_b1[0]
    before = state()
    found = rejected(
        run_students, csv([*THREE, student(code_massar=elsewhere.code_massar, prenom="X")])
    )
    assert (
        5,
        "code_massar",
        elsewhere.code_massar,
        "inscrit dans un autre établissement (code 03201B) : passer par un transfert",
    ) in found
    assert state() == before


def test_a_new_year_enrols_an_existing_pupil_again(school_year) -> None:  # type: ignore[no-untyped-def]
    academic_year_create(actor=None, first_year=2026)
    pupil = school_year.pupils_a1[0]
    row = student(
        code_massar=pupil.code_massar,
        nom=pupil.last_name,
        prenom=pupil.first_name,
        nom_ar=pupil.last_name_ar,
        prenom_ar=pupil.first_name_ar,
        sexe=pupil.sex,
        date_naissance=pupil.birth_date.isoformat(),
        niveau="6AP",
        classe="6AP-1",
        annee_scolaire="2026/2027",
    )
    result = run_students(csv([row]))
    assert (result["created"], result["pupils_created"], result["enrolments_created"]) == (1, 0, 1)
    assert pupil.enrolments.count() == 2


# --- Pupils: encodings, separators, dates, spreadsheets ------------------------------------


@pytest.mark.parametrize(
    ("encoding", "bom", "sep"),
    [("utf-8", False, ","), ("utf-8", True, ";"), ("cp1256", False, ";"), ("latin-1", False, ",")],
)
def test_encodings_and_separators(school_year, encoding: str, bom: bool, sep: str) -> None:  # type: ignore[no-untyped-def]
    arabic = encoding != "latin-1"
    row = student(
        nom="Benjelloun" if arabic else "Lahlou-Bérrada",
        prenom="Hamza" if arabic else "Zoé Anaïs",
        nom_ar="بنجلون" if arabic else "",
        prenom_ar="حمزة" if arabic else "",
    )
    data = csv([row], sep=sep).encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    assert run_students(data)["created"] == 1
    pupil = Pupil.objects.get(code_massar="K200000001")
    if arabic:
        assert (pupil.last_name_ar, pupil.first_name_ar) == ("بنجلون", "حمزة")
    else:
        assert (pupil.last_name, pupil.first_name) == ("Lahlou-Bérrada", "Zoé Anaïs")


def test_excel_serial_and_day_first_dates(school_year) -> None:  # type: ignore[no-untyped-def]
    rows = [
        student(date_naissance="41707"),  # Excel's day 41707 is 2014-03-09
        student(code_massar="K200000002", date_naissance="09/03/2014"),
    ]
    run_students(csv(rows))
    assert set(
        Pupil.objects.filter(code_massar__startswith="K2").values_list("birth_date", flat=True)
    ) == {dt.date(2014, 3, 9)}


def xlsx(rows: list[list[object]], header: list[str] = STUDENT_COLUMNS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_real_date_cells_and_numbers(school_year) -> None:  # type: ignore[no-untyped-def]
    data = xlsx(
        [
            [
                "K200000001",
                "Alaoui",
                "Salma",
                "العلوي",
                "سلمى",
                "F",
                dt.datetime(2015, 4, 12),
                "04101A",
                "5AP",
                7,
                YEAR,
            ],
            ["K200000002", "Tazi", "Omar", None, None, "M", 42106, "04101A", "5AP", 7.0, YEAR],
        ]
    )
    assert run_students(data, filename="eleves.xlsx")["created"] == 2
    births = dict(
        Pupil.objects.filter(code_massar__startswith="K2").values_list("code_massar", "birth_date")
    )
    assert births == {"K200000001": dt.date(2015, 4, 12), "K200000002": dt.date(2015, 4, 12)}
    # A class typed as the number 7 is the class named "7", not "7.0".
    assert set(
        Enrolment.objects.filter(pupil__code_massar__startswith="K2").values_list(
            "school_class__name", flat=True
        )
    ) == {"7"}


# --- Pupils: bad input, each refused with its reason and nothing written -------------------


def test_every_row_problem_is_listed_and_nothing_is_written(school_year) -> None:  # type: ignore[no-untyped-def]
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    rows = [
        student(),  # valid on its own
        student(code_massar="k20000001"),  # 3
        student(code_massar="K200000004", code_etablissement="99999Z"),  # 4
        student(code_massar="K200000005", niveau="7AP"),  # 5
        student(code_massar="K200000006", annee_scolaire="2030-2031"),  # 6
        student(code_massar="K200000007", sexe="X"),  # 7
        student(code_massar="K200000008", date_naissance=future),  # 8
        student(code_massar="K200000009", date_naissance="1990-01-01"),  # 9: 35 years old
        student(code_massar="K200000010", date_naissance="2023-05-01"),  # 10: 2 years old
        student(code_massar="K200000011", date_naissance="2019-05-01"),  # 11: 6 in 5AP
        student(code_massar="K200000012", date_naissance="31/02/2015"),  # 12
        student(code_massar="K200000013", nom="", classe=""),  # 13
        student(code_massar="K200000001", prenom="Encore"),  # 14: duplicate of row 2
        student(code_massar="K200000015", niveau="1AC", classe="1AC-1"),  # 15: no collège here
        student(code_massar="K200000016", classe="5AP-1", niveau="6AP"),  # 16: A1 is a 5AP class
        student(code_massar="K200000017", classe="5AP-2", niveau="4AP"),  # 17: row 2 said 5AP
    ]
    before = state()
    found = rejected(run_students, csv(rows))
    why = reasons(found)
    assert why[(3, "code_massar")] == (
        "code Massar mal formé : une lettre majuscule suivie de 9 chiffres (ex. J130000001)"
    )
    assert why[(4, "code_etablissement")] == "établissement inconnu"
    assert why[(5, "niveau")].startswith("niveau inconnu (connus : 1AP, 2AP")
    assert why[(6, "annee_scolaire")] == "année scolaire inconnue (connues : 2025-2026)"
    assert why[(7, "sexe")] == "attendu : M ou F"
    assert why[(8, "date_naissance")] == "date de naissance future"
    assert why[(9, "date_naissance")].startswith(
        "âge invraisemblable : 35 ans à la rentrée 2025-2026"
    )
    assert why[(10, "date_naissance")].startswith("âge invraisemblable : 2 ans")
    assert why[(11, "date_naissance")] == (
        "trop jeune pour le niveau 5AP : 6 ans à la rentrée (âge normal 10 ans)"
    )
    assert why[(12, "date_naissance")].startswith("date non reconnue")
    assert why[(13, "nom")] == why[(13, "classe")] == "valeur obligatoire"
    assert why[(14, "code_massar")] == "code Massar en double : déjà à la ligne 2"
    assert why[(15, "niveau")] == "l'établissement 04101A n'a pas le cycle college"
    assert why[(16, "classe")] == "cette classe existe déjà dans l'établissement au niveau 5AP"
    assert why[(17, "classe")] == "classe déjà déclarée au niveau 5AP à la ligne 2"
    assert (2, "code_massar") not in why
    assert state() == before


def test_problem_message_format(school_year) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ImportRejected) as caught:
        run_students(csv([student(sexe="H")]))
    assert str(caught.value.problems[0]) == (
        "ligne 2 · colonne sexe · valeur « H » : attendu : M ou F"
    )


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (b"", "e.csv", (1, "", "le fichier est vide")),
        (csv([]).encode(), "e.csv", (2, "", "aucune ligne de données sous l'en-tête")),
        (
            csv([student()[:-1]], STUDENT_COLUMNS[:-1]).encode(),
            "e.csv",
            (1, "annee_scolaire", "colonne obligatoire absente"),
        ),
        (
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >>",
            "eleves.xlsx",
            (1, "", "ce fichier n'est pas un classeur XLSX lisible"),
        ),
    ],
    ids=["empty", "header-only", "missing-column", "pdf-named-xlsx"],
)
def test_files_that_are_not_a_pupils_table(
    school_year, data: bytes, filename: str, expected
) -> None:  # type: ignore[no-untyped-def]
    before = state()
    found = rejected(run_students, data, filename=filename)
    assert expected in {(row, column, reason) for row, column, _v, reason in found}
    assert state() == before


def test_extra_column_is_refused(school_year) -> None:  # type: ignore[no-untyped-def]
    data = csv([[*student(), "x"]], [*STUDENT_COLUMNS, "telephone"])
    found = rejected(run_students, data)
    assert (1, "telephone", "telephone") in {(r, c, v) for r, c, v, _reason in found}


def test_wrong_cell_count_is_a_problem_of_its_row(school_year) -> None:  # type: ignore[no-untyped-def]
    found = rejected(run_students, csv([student(), student(code_massar="K200000002")[:-2]]))
    assert (3, "", "", "9 cellules au lieu de 11") in found


def test_dry_run_validates_and_writes_nothing(school_year) -> None:  # type: ignore[no-untyped-def]
    before = state()
    assert run_students(csv(THREE), dry_run=True) == {"rows": 3}
    assert state() == before
    assert rejected(run_students, csv([student(sexe="?")]), dry_run=True)


def test_problems_beyond_the_cap_are_counted(school_year, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(tabular, "MAX_PROBLEMS", 5)
    rows = [student(code_massar=f"K2000000{n:02d}", sexe="?") for n in range(10, 30)]
    with pytest.raises(ImportRejected) as caught:
        run_students(csv(rows))
    assert len(caught.value.problems) == 5 and caught.value.total == 20


# --- Pupils: who may import what ---------------------------------------------------------------


@pytest.mark.parametrize("persona", ["national_admin", "provincial_a", "head_a"])
def test_importers_within_their_reach(school_year, personas, persona: str) -> None:  # type: ignore[no-untyped-def]
    assert run_students(csv(THREE), actor=getattr(personas, persona))["created"] == 3


@pytest.mark.parametrize("persona", ["head_b", "provincial_b", "teacher_a1", "regional_officer"])
def test_rows_outside_the_importers_reach_are_refused(school_year, personas, persona: str) -> None:  # type: ignore[no-untyped-def]
    before = state()
    found = rejected(run_students, csv(THREE), actor=getattr(personas, persona))
    assert {(r, c, reason) for r, c, _v, reason in found} == {
        (n, "code_etablissement", "établissement hors de votre périmètre") for n in (2, 3, 4)
    }
    assert state() == before


def test_head_of_school_b_cannot_slip_a_row_into_school_a(school_year, personas) -> None:  # type: ignore[no-untyped-def]
    rows = [
        student(
            code_massar="K200000001",
            code_etablissement="03201B",
            niveau="1AC",
            classe="1AC-2",
            date_naissance="2013-01-01",
        ),
        student(code_massar="K200000002"),
    ]
    before = state()
    found = rejected(run_students, csv(rows), actor=personas.head_b)
    assert found == {(3, "code_etablissement", "04101A", "établissement hors de votre périmètre")}
    assert state() == before


# --- Pupils: size ------------------------------------------------------------------------------------


def test_batches_cost_a_fixed_number_of_queries(school_year) -> None:  # type: ignore[no-untyped-def]
    rows = [student(code_massar=f"K3{n:08d}", classe=f"5AP-{10 + n % 4}") for n in range(12_000)]
    data = csv(rows)
    with CaptureQueriesContext(connection) as queries:
        result = run_students(data)
    assert result["created"] == 12_000 and result["classes_created"] == 4
    statements = [q["sql"].split(" ", 1)[0] for q in queries.captured_queries]
    # Up front: schools, years, levels (3). Validation: statistics (1), then per batch of
    # 5 000 rows the classes and the enrolments elsewhere (2 × 3). Apply: the table's size
    # (1), the classes (2), then per batch the pupils and the new pupils' ids (the
    # pupil-id sequence on PostgreSQL, named once), the audit entry's school (3 × 3, no
    # enrolment lookup: every pupil is new), statistics at 5 000 and 10 000 rows (2),
    # savepoints; per batch, the indicators' dirty mark of the batch's schools (the years,
    # to find the neighbours of the batch's; the UPDATE before the INSERT on SQLite: 2 × 3).
    # At the end, the job summary's links: the schools and the classes named (2).
    # None of these grows with the rows.
    assert len([s for s in statements if s != "INSERT"]) <= 38
    # New pupils and enrolments go in by COPY on PostgreSQL, by one prepared INSERT run
    # for every row on SQLite; the classes by one multi-row INSERT.
    assert statements.count("INSERT") <= 2 * 3 + 1 + 3 + 3  # the audit entries, the dirty marks
    assert AuditEntry.objects.filter(action="import").count() == 3
    # Statistics refreshed before validating, then each time the pupils doubled: after
    # 5 000 and 10 000 rows written, not at 12 000.
    analyses = 3 if connection.vendor == "postgresql" else 0
    assert statements.count("ANALYZE") == analyses


def test_each_row_is_parsed_and_checked_once(school_year, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The validated rows are kept (spill file, or the writer on PostgreSQL) instead of
    being read and checked a second time to be written."""
    parsed: list[int] = []
    parse = student_imports._student

    def counting(number, *args):  # type: ignore[no-untyped-def]
        parsed.append(number)
        return parse(number, *args)

    monkeypatch.setattr(student_imports, "_student", counting)
    result = run_students(csv([student(code_massar=f"K4{n:08d}") for n in range(7_000)]))
    assert result["created"] == 7_000
    assert sorted(parsed) == list(range(2, 7_002))
    assert Pupil.objects.filter(code_massar__startswith="K4").count() == 7_000


def many_pupils(n: int) -> list[list[str]]:
    return [student(code_massar=f"K5{i:08d}", classe=f"5AP-{10 + i % 4}") for i in range(n)]


@pytest.fixture
def handed(monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    """The sizes of the batches handed to the writer while the file is validated."""
    sizes: list[int] = []
    put = student_imports._Writer.put

    def counting(self, batch):  # type: ignore[no-untyped-def]
        sizes.append(len(batch))
        put(self, batch)

    monkeypatch.setattr(student_imports._Writer, "put", counting)
    return sizes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_batches_are_written_while_the_file_is_validated(school_year, handed) -> None:  # type: ignore[no-untyped-def]
    # Marked postgres: make test deselects it, .ci/run runs it in its PostgreSQL pass.
    require(connection.vendor == "postgresql", "needs PostgreSQL")
    before = state()
    result = run_students(csv(many_pupils(12_000)))
    assert handed == [5_000, 5_000, 2_000]
    assert (result["rows"], result["created"], result["classes_created"]) == (12_000, 12_000, 4)
    after = state()
    assert after[:3] == (before[0] + 12_000, before[1] + 12_000, before[2] + 4)
    assert AuditEntry.objects.filter(action="import").count() == 3
    again = run_students(csv(many_pupils(12_000)))
    assert (again["unchanged"], again["created"], again["updated"]) == (12_000, 0, 0)
    assert state() == after


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_problem_found_after_writing_began_leaves_nothing(
    school_year, handed
) -> None:  # type: ignore[no-untyped-def]
    require(connection.vendor == "postgresql", "needs PostgreSQL")
    rows = many_pupils(12_000)
    rows.append(rows[0])  # row 12 002 repeats row 2: found once every row has been read
    before = state()
    found = rejected(run_students, csv(rows))
    assert found == {
        (12_002, "code_massar", "K500000000", "code Massar en double : déjà à la ligne 2")
    }
    assert handed == [5_000, 5_000, 2_001]  # all written by then, then rolled back
    assert state() == before


def write_big_file(path: Path, megabytes: int) -> int:
    """A valid pupils file of ``megabytes`` whose last row names an unknown school. Names
    are as long as the columns allow (100 letters), so 100 MB is some 160 000 rows."""
    last = ("Benjelloun El Idrissi " * 5)[:100].strip()
    first = ("Fatima Zahra Khadija " * 5)[:100].strip()
    last_ar = ("بنجلون الإدريسي " * 7)[:100].strip()
    first_ar = ("فاطمة الزهراء خديجة " * 6)[:100].strip()
    head = ",".join(STUDENT_COLUMNS) + "\n"
    template = f"K%09d,{last},{first},{last_ar},{first_ar},F,2015-04-12,04101A,5AP,5AP-%d,{YEAR}\n"
    size = len(head)
    rows = 0
    target = megabytes * 1024 * 1024
    with path.open("w", encoding="utf-8") as out:
        out.write(head)
        chunk: list[str] = []
        while size < target:
            line = template % (rows, rows % 40)
            chunk.append(line)
            size += len(line.encode())
            rows += 1
            if len(chunk) == 10_000:
                out.write("".join(chunk))
                chunk = []
        out.write("".join(chunk))
        out.write(template.replace("04101A", "99999Z") % (rows, 1))
    return rows + 1


class PeakMemory:
    """Peak memory growth while the block runs. On Linux the kernel's own high-water mark
    of the process (VmHWM, reset through /proc/self/clear_refs) costs nothing to keep;
    elsewhere tracemalloc counts Python's allocations, several times slower."""

    def __enter__(self) -> PeakMemory:
        self.kernel = Path("/proc/self/clear_refs").exists()
        gc.collect()
        with contextlib.suppress(OSError, AttributeError):
            # Hand freed memory back to the system, so that reusing it does not hide growth.
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        if self.kernel:
            Path("/proc/self/clear_refs").write_text("5")
            self.start = self._status("VmRSS")
        else:
            tracemalloc.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.kernel:
            self.peak = self._status("VmHWM") - self.start
        else:
            self.peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()

    @staticmethod
    def _status(field: str) -> int:
        status = Path("/proc/self/status").read_text()
        return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.M).group(1)) * 1024  # type: ignore[union-attr]


def test_a_100_mb_file_is_validated_in_bounded_memory(school_year, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "eleves.csv"
    rows = write_big_file(path, 100)
    size = path.stat().st_size
    assert size >= 100 * 1024 * 1024
    before = state()
    started = time.monotonic()
    with PeakMemory() as memory, path.open("rb") as stream, pytest.raises(ImportRejected) as caught:
        students_import(actor=None, stream=stream, filename=path.name)
    elapsed = time.monotonic() - started
    # Every row was read (the problem is on the last one) without keeping the rows.
    assert [(p.row, p.column) for p in caught.value.problems] == [(rows + 1, "code_etablissement")]
    assert memory.peak < 24 * 1024 * 1024, (
        f"peak {memory.peak / 2**20:.1f} MiB for {size / 2**20:.0f} MiB"
    )
    assert state() == before
    summary = (
        f"{rows} rows, {size >> 20} MiB validated in {elapsed:.1f} s, peak +{memory.peak >> 20} MiB"
    )
    print(summary)  # noqa: T201 - shown with pytest -s


def _bomb_header() -> bytes:
    cells = b"".join(
        b'<c r="%s1" t="inlineStr"><is><t>%s</t></is></c>' % (chr(65 + n).encode(), c.encode())
        for n, c in enumerate(STUDENT_COLUMNS)
    )
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1">' + cells + b"</row>"
    )


BOMB_MB = 100


@functools.cache
def _bomb(kind: str) -> bytes:
    """XLSX files of a few hundred kilobytes that unpack to BOMB_MB megabytes (or, for
    the empty rows, two million rows), built once for both runs of the test."""
    from pilotage.core.tests.test_tabular import repeated, xlsx_with_sheet

    close = b"</sheetData></worksheet>"
    size = BOMB_MB * 1024 * 1024
    strings = None
    if kind == "whitespace":
        sheet = [_bomb_header(), *repeated(b" ", size), close]
    elif kind == "inline-cell":
        cell = b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
        sheet = [_bomb_header(), cell, *repeated(b"K", size), b"</t></is></c></row>", close]
    elif kind == "shared-string":
        sheet = [_bomb_header(), b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>', close]
        strings = (
            b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
            + b"K" * size
            + b"</t></si></sst>"
        )
    else:
        rows = (
            b"".join(b'<row r="%d"/>' % n for n in range(start, start + 100_000))
            for start in range(2, 2_000_000, 100_000)
        )
        sheet = [_bomb_header(), *rows, close]
    return xlsx_with_sheet(sheet, strings, level=1)


@pytest.mark.parametrize("zip_checks", [True, False], ids=["zip-checks", "streaming-caps"])
@pytest.mark.parametrize("bomb", ["whitespace", "inline-cell", "shared-string", "empty-rows"])
def test_xlsx_bombs_are_refused_in_bounded_memory(
    school_year, settings, bomb: str, zip_checks: bool
) -> None:  # type: ignore[no-untyped-def]
    """A sheet padded with whitespace, one huge inline cell, one huge shared string,
    millions of empty rows: openpyxl used to hold each of them whole (a 256 KB file took
    600 MB). Refused by the zip's own declarations, or, past them, by the reader's caps
    while streaming; either way the memory stays that of an ordinary small import."""
    if not zip_checks:
        settings.PILOTAGE_IMPORT_XLSX_MAX_RATIO = 10**9
        settings.PILOTAGE_IMPORT_XLSX_MAX_UNPACKED_BYTES = 10**12
    settings.PILOTAGE_IMPORT_MAX_ROWS = 200_000
    data = _bomb(bomb)
    assert len(data) < 5 * 1024 * 1024
    with PeakMemory() as small:
        run_students(xlsx([student()]), filename="eleves.xlsx", dry_run=True)
    before = state()
    with PeakMemory() as memory, pytest.raises(ImportRejected) as caught:
        run_students(data, filename="eleves.xlsx")
    assert memory.peak - small.peak < 150 * 1024 * 1024, f"peak {memory.peak >> 20} MiB"
    reasons = " ".join(p.reason for p in caught.value.problems)
    expected = {
        "whitespace": "aucune ligne de données",
        "inline-cell": "cellule trop longue",
        "shared-string": "cellule trop longue",
        "empty-rows": "dépasse 200000 lignes",
    }
    assert ("se décompresse" if zip_checks and bomb != "empty-rows" else expected[bomb]) in reasons
    assert len(str(caught.value.problems[0])) < 400
    assert state() == before


# --- Teachers ------------------------------------------------------------------------------------------


def teacher(**kw: str) -> list[str]:
    row = {
        "ppr": "1234567",
        "nom": "El Fassi",
        "prenom": "Nadia",
        "email": "nadia.elfassi@men.gov.ma",
        "code_etablissement": "04101A",
        "qualifie": "oui",
        "specialite": "",
    }
    row.update(kw)
    return [row[c] for c in TEACHER_COLUMNS]


def run_teachers(data: str | bytes, **kw) -> dict[str, int]:  # type: ignore[no-untyped-def]
    raw = data.encode("utf-8") if isinstance(data, str) else data
    kw.setdefault("actor", None)
    return teachers_import(stream=io.BytesIO(raw), filename="enseignants.csv", **kw)


def test_teachers_get_an_account_a_record_and_the_teacher_role(school_year, personas) -> None:  # type: ignore[no-untyped-def]
    rows = [
        teacher(),
        teacher(
            ppr="0076543",
            nom="Berrada",
            prenom="Karim",
            email="",
            code_etablissement="03201B",
            qualifie="non",
            specialite="math",
        ),
    ]
    result = run_teachers(csv(rows, TEACHER_COLUMNS), actor=personas.national_admin)
    assert (result["created"], result["users_created"], result["roles_granted"]) == (2, 2, 2)
    nadia = Teacher.objects.select_related("user").get(ppr="1234567")
    assert nadia.user.username == "1234567" and not nadia.user.has_usable_password()
    assert (nadia.user.last_name, nadia.user.email, nadia.is_qualified) == (
        "El Fassi",
        "nadia.elfassi@men.gov.ma",
        True,
    )
    karim = Teacher.objects.get(ppr="0076543")
    assert karim.specialty.code == "MATH" and karim.is_qualified is False
    assert RoleAssignment.objects.filter(
        user=karim.user, role=TEACHER, org_unit=personas.school_b
    ).exists()
    assert RoleAssignment.objects.get(user=karim.user).created_by == personas.national_admin
    audit = AuditEntry.objects.count()
    again = run_teachers(csv(rows, TEACHER_COLUMNS))
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    assert AuditEntry.objects.count() == audit


def test_a_teacher_moving_school_takes_the_role_along(school_year, personas) -> None:  # type: ignore[no-untyped-def]
    run_teachers(csv([teacher()], TEACHER_COLUMNS))
    result = run_teachers(
        csv([teacher(code_etablissement="03201B", prenom="Nadia-Imane")], TEACHER_COLUMNS)
    )
    assert (result["updated"], result["roles_granted"], result["roles_revoked"]) == (1, 1, 1)
    user = User.objects.get(username="1234567")
    assert user.first_name == "Nadia-Imane"
    assert list(
        RoleAssignment.objects.filter(user=user).values_list("org_unit__code", flat=True)
    ) == ["03201B"]


def test_an_existing_account_named_after_the_ppr_is_reused(school_year) -> None:  # type: ignore[no-untyped-def]
    User.objects.create(username="1234567", first_name="N", last_name="E")
    result = run_teachers(csv([teacher()], TEACHER_COLUMNS))
    assert (result["users_created"], result["users_updated"], result["teachers_created"]) == (
        0,
        1,
        1,
    )
    assert User.objects.filter(username="1234567").count() == 1


def test_teacher_file_problems(school_year, personas) -> None:  # type: ignore[no-untyped-def]
    rows = [
        teacher(),
        teacher(ppr="12AB"),  # 3
        teacher(ppr="2000001", email="pas-une-adresse"),  # 4
        teacher(ppr="2000002", email="autre@men.gov.ma", qualifie="peut-être"),  # 5
        teacher(ppr="2000003", email="x3@men.gov.ma", specialite="CUISINE"),  # 6
        teacher(email="x4@men.gov.ma"),  # 7: PPR of row 2 again
        teacher(ppr="2000005", email="NADIA.elfassi@men.gov.ma"),  # 8: e-mail of row 2
        teacher(ppr="2000006", email=personas.head_a.email or "head.a@example.org"),  # 9
        teacher(ppr="2000007", email="", nom=""),  # 10
    ]
    if not personas.head_a.email:
        personas.head_a.email = "head.a@example.org"
        personas.head_a.save()
    before = state()
    why = reasons(rejected(run_teachers, csv(rows, TEACHER_COLUMNS)))
    assert why[(3, "ppr")] == "matricule PPR mal formé : de 5 à 12 chiffres"
    assert why[(4, "email")] == "adresse e-mail invalide"
    assert why[(5, "qualifie")] == "attendu : oui ou non"
    assert why[(6, "specialite")].startswith("matière inconnue (connues : AMZ, AR, ART")
    assert why[(7, "ppr")] == "matricule en double : déjà à la ligne 2"
    assert why[(8, "email")] == "adresse e-mail en double : déjà à la ligne 2"
    assert why[(9, "email")] == "adresse déjà utilisée par le compte head.a"
    assert why[(10, "nom")] == "valeur obligatoire"
    assert state() == before


def test_teachers_outside_the_reach_are_refused(school_year, personas) -> None:  # type: ignore[no-untyped-def]
    before = state()
    found = rejected(run_teachers, csv([teacher()], TEACHER_COLUMNS), actor=personas.head_b)
    assert found == {(2, "code_etablissement", "04101A", "établissement hors de votre périmètre")}
    assert state() == before


# --- Marks ----------------------------------------------------------------------------------------------


def mark(pupil: Pupil, **kw: str) -> list[str]:
    row = {
        "code_massar": pupil.code_massar,
        "code_etablissement": "04101A",
        "classe": "5AP-1",
        "annee_scolaire": YEAR,
        "semestre": "1",
        "matiere": "MATH",
        "evaluation": "test_1",
        "note": "12,5",
    }
    row.update(kw)
    return [row[c] for c in MARK_COLUMNS]


def run_marks(data: str | bytes, actor, **kw) -> dict[str, int]:  # type: ignore[no-untyped-def]
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return marks_import(actor=actor, stream=io.BytesIO(raw), filename="notes.csv", **kw)


def test_marks_are_written_like_the_marks_sheet(school_year, personas) -> None:  # type: ignore[no-untyped-def]
    a, b, c = school_year.pupils_a1[:3]
    rows = [
        mark(a),  # 12,5 with a decimal comma
        mark(b, note="ABS"),
        mark(c, note="disp"),
        mark(a, evaluation="activity_1", note="15"),
        mark(a, matiere="FR", note="9.75"),  # no FR sheet yet: created with its columns
        mark(a, evaluation="local_exam_1", note="14"),  # a column the sheet lacks
    ]
    data = csv(rows, MARK_COLUMNS, sep=";")
    version = school_year.sheet.version
    result = run_marks(data, personas.head_a)
    summary = result.pop("summary")
    assert result == {"rows": 6, "created": 6, "updated": 0, "unchanged": 0, "sheets": 2}
    assert summary["lines"] == [
        "6 notes importées",
        "6 notes saisies",
        "2 feuilles de notes mises à jour",
    ]
    assert [link["url"] for link in summary["links"]] == [
        f"/schooling/classes/{school_year.class_a1.pk}/"
    ]
    marks = {
        (m.pupil.code_massar, m.assessment.sheet.subject.code, m.assessment.column): (
            m.value,
            m.code,
        )
        for m in Mark.objects.select_related("pupil", "assessment__sheet__subject")
    }
    assert marks[(a.code_massar, "MATH", "test_1")] == (Decimal("12.50"), "")
    assert marks[(b.code_massar, "MATH", "test_1")] == (None, MarkCode.ABSENT)
    assert marks[(c.code_massar, "MATH", "test_1")] == (None, MarkCode.EXEMPT)
    assert marks[(a.code_massar, "FR", "test_1")] == (Decimal("9.75"), "")
    fr = MarkSheet.objects.get(subject__code="FR")
    assert {x.column for x in fr.assessments.all()} == {"test_1", "test_2", "test_3", "activity_1"}
    school_year.sheet.refresh_from_db()
    assert school_year.sheet.version == version + 1  # an open grid sees the conflict
    entry = AuditEntry.objects.filter(
        object_type="schooling.marksheet", object_id=str(school_year.sheet.pk)
    ).get()
    assert entry.changes[f"{a.code_massar}/test_1"] == [None, "12.50"]
    assert entry.actor == personas.head_a

    audit = AuditEntry.objects.count()
    again = run_marks(data, personas.head_a)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 6)
    assert AuditEntry.objects.count() == audit
    school_year.sheet.refresh_from_db()
    assert school_year.sheet.version == version + 1

    changed = run_marks(csv([mark(a, note="13")], MARK_COLUMNS, sep=";"), personas.head_a)
    assert (changed["updated"], changed["unchanged"]) == (1, 0)
    math_test_1 = Mark.objects.get(
        pupil=a, assessment__sheet=school_year.sheet, assessment__kind="test", assessment__number=1
    )
    assert math_test_1.value == Decimal(13)


def test_marks_out_of_range_and_other_problems(school_year, personas) -> None:  # type: ignore[no-untyped-def]
    a, b = school_year.pupils_a1[:2]
    outsider = school_year.pupils_b1[0]
    rows = [
        mark(a),  # valid
        mark(b, note="21"),  # 3
        mark(b, note="-1", evaluation="test_2"),  # 4
        mark(b, note="12,345", evaluation="test_3"),  # 5
        mark(b, note="", evaluation="activity_1"),  # 6
        mark(b, note="douze", evaluation="local_exam_1"),  # 7
        mark(b, evaluation="examen"),  # 8
        mark(outsider),  # 9: not in A1
        mark(b, classe="5AP-9"),  # 10
        mark(b, semestre="3"),  # 11
        mark(b, matiere="PHILO"),  # 12: not taught in 5AP
        mark(a),  # 13: duplicate of row 2
    ]
    before = state()
    why = reasons(rejected(run_marks, csv(rows, MARK_COLUMNS, sep=";"), personas.head_a))
    assert why[(3, "note")] == why[(4, "note")] == "la note doit être comprise entre 0 et 20"
    assert why[(5, "note")] == "deux décimales au plus"
    assert why[(6, "note")] == "note obligatoire (de 0 au barème de la classe, ABS ou DISP)"
    assert why[(7, "note")] == "n'est pas un nombre"
    assert why[(8, "evaluation")].startswith("évaluation inconnue")
    assert why[(9, "code_massar")] == "élève non inscrit dans la classe"
    assert why[(10, "classe")] == "classe inconnue dans cet établissement pour cette année"
    assert why[(11, "semestre")] == "attendu : 1 ou 2"
    assert why[(12, "matiere")] == "matière non enseignée au niveau 5AP"
    assert why[(13, "code_massar")] == "même élève, même évaluation : déjà à la ligne 2"
    assert (2, "code_massar") not in why
    assert state() == before


def test_a_locked_sheet_refuses_its_rows(school_year, personas) -> None:  # type: ignore[no-untyped-def]
    sheet_validate(actor=personas.head_a, sheet=school_year.sheet)
    before = state()
    why = reasons(
        rejected(
            run_marks, csv([mark(school_year.pupils_a1[0])], MARK_COLUMNS, sep=";"), personas.head_a
        )
    )
    assert (
        why[(2, "matiere")]
        == "feuille de notes verrouillée (validée ou date limite de saisie passée)"
    )
    assert state() == before


def test_teachers_import_marks_of_their_own_classes_and_subjects(school_year, personas) -> None:  # type: ignore[no-untyped-def]
    a = school_year.pupils_a1[0]
    assert run_marks(csv([mark(a)], MARK_COLUMNS, sep=";"), personas.teacher_a1)["created"] == 1
    before = state()
    rows = [
        mark(a, matiere="AR"),
        mark(school_year.pupils_b1[0], code_etablissement="03201B", classe="1AC-1"),
    ]
    found = rejected(run_marks, csv(rows, MARK_COLUMNS, sep=";"), personas.teacher_a1)
    assert {(r, c, reason) for r, c, _v, reason in found} == {
        (2, "matiere", "vous n'enseignez pas cette matière dans cette classe"),
        (3, "code_etablissement", "établissement hors de votre périmètre"),
    }
    assert state() == before


def test_provincial_officers_do_not_write_marks(school_year, personas) -> None:  # type: ignore[no-untyped-def]
    before = state()
    found = rejected(
        run_marks,
        csv([mark(school_year.pupils_a1[0])], MARK_COLUMNS, sep=";"),
        personas.provincial_a,
    )
    assert {reason for *_x, reason in found} == {"établissement hors de votre périmètre"}
    assert state() == before


def test_marks_xlsx_with_numbers(school_year, personas) -> None:  # type: ignore[no-untyped-def]
    a = school_year.pupils_a1[0]
    data = xlsx(
        [[a.code_massar, "04101A", "5AP-1", YEAR, 1, "MATH", "test_2", 17.25]], MARK_COLUMNS
    )
    result = marks_import(actor=personas.head_a, stream=io.BytesIO(data), filename="notes.xlsx")
    assert result["created"] == 1
    assert Mark.objects.get(pupil=a).value == Decimal("17.25")


# --- Web pages and background jobs ---------------------------------------------------------------------


def upload(client, url: str, data: bytes, name: str = "eleves.csv", **extra):  # type: ignore[no-untyped-def]
    file = io.BytesIO(data)
    file.name = name
    return client.post(url, {"file": file, **extra})


def work(run_jobs) -> Job:  # type: ignore[no-untyped-def]
    run_jobs()
    return Job.objects.get()


def test_upload_page_runs_the_import_as_a_job(
    client, school_year, personas, django_capture_on_commit_callbacks, run_jobs
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.head_a)
    page = client.get("/schooling/import/students/")
    assert page.status_code == 200 and "code_massar" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, "/schooling/import/students/", csv(THREE).encode("cp1256"))
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    job = work(run_jobs)
    assert job.status == Job.Status.SUCCEEDED, job.result
    assert (job.done, job.total, job.result["created"]) == (3, 3, 3)
    assert Pupil.objects.filter(code_massar="K200000002", last_name_ar="التازي").exists()
    assert "(job " in AuditEntry.objects.get(action="import").changes["source"][1]
    page = client.get(f"/jobs/{job.pk}/progress/").content.decode()
    assert "100 %" in page and "every 1s" not in page  # done: the polling stops
    # What was done, in words, each figure once, with links to the classes named.
    lines = re.findall(r"<li>([^<]*)</li>", page.split('class="job-summary"')[1].split("</ul>")[0])
    assert lines == [
        "3 élèves importés",
        "3 nouveaux élèves",
        "3 inscriptions créées",
        "1 classe créée",
    ]
    assert len(set(lines)) == len(lines)
    assert "Élèves créés" not in page and "<dl" not in page and "0 / 0" not in page
    new_class = SchoolClass.objects.get(name="5AP-2")
    for school_class in (school_year.class_a1, new_class):
        assert f'href="/schooling/classes/{school_class.pk}/"' in page
    assert page.count('href="/schooling/classes/') == 2


def test_rejected_upload_lists_its_problems_on_the_job_page(
    client, school_year, personas, django_capture_on_commit_callbacks, run_jobs
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.head_a)
    rows = [
        student(),
        student(
            code_massar="K200000002",
            code_etablissement="03201B",
            niveau="1AC",
            classe="1AC-1",
            date_naissance="2013-01-01",
        ),
    ]
    before = state()
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, "/schooling/import/students/", csv(rows).encode())
    job = work(run_jobs)
    assert job.status == Job.Status.FAILED and job.result["count"] == 1
    assert state() == before
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "03201B" in page and "établissement hors de votre périmètre" in page
    # In words, with the rows as a table and the way back to the import; no "0 % · 0 / 0".
    assert "Fichier refusé : 1 problème" in page and "Rien n'a été enregistré" in page
    assert '<tr data-row="3"><td>3</td><td><bdi><code>code_etablissement</code></bdi>' in page
    assert 'id="job-retry" ' in page or 'href="/schooling/import/students/" id="job-retry"' in page
    assert "0 %" not in page and "0 / 0" not in page and "every 1s" not in page
    # Few problems: no download offered.
    assert "problems.csv" not in page


def test_dry_run_checkbox(
    client, school_year, personas, django_capture_on_commit_callbacks, run_jobs
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.national_admin)
    before = state()
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, "/schooling/import/students/", csv(THREE).encode(), dry_run="on")
    job = work(run_jobs)
    assert job.status == Job.Status.SUCCEEDED and job.result == {"rows": 3, "dry_run": True}
    assert state() == before


@pytest.mark.parametrize(
    ("kind", "persona"),
    [
        ("students", "teacher_a1"),
        ("students", "regional_officer"),
        ("students", "parent_a"),
        ("teachers", "teacher_a1"),
        ("marks", "provincial_a"),
        ("marks", "agent"),
    ],
)
def test_import_pages_are_not_for_everyone(
    client, school_year, personas, kind: str, persona: str
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(getattr(personas, persona))
    assert client.get(f"/schooling/import/{kind}/").status_code == 404
    assert upload(client, f"/schooling/import/{kind}/", csv(THREE).encode()).status_code == 404
    assert not Job.objects.exists()


def test_teachers_and_marks_pages(
    client, school_year, personas, django_capture_on_commit_callbacks, run_jobs
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.head_a)
    with django_capture_on_commit_callbacks(execute=True):
        upload(
            client,
            "/schooling/import/teachers/",
            csv([teacher()], TEACHER_COLUMNS).encode(),
            "e.csv",
        )
    assert work(run_jobs).status == Job.Status.SUCCEEDED
    Job.objects.all().delete()
    client.force_login(personas.teacher_a1)
    data = csv([mark(school_year.pupils_a1[0])], MARK_COLUMNS, sep=";").encode()
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, "/schooling/import/marks/", data, "notes.csv")
    job = work(run_jobs)
    assert job.status == Job.Status.SUCCEEDED, job.result
    assert Mark.objects.get().updated_by == personas.teacher_a1


# --- The import pages explain their columns; the templates come from the same columns ------------

KIND_URLS = {
    "students": ("/schooling/import/students/", STUDENT_COLUMNS),
    "teachers": ("/schooling/import/teachers/", TEACHER_COLUMNS),
    "marks": ("/schooling/import/marks/", MARK_COLUMNS),
}


@pytest.mark.parametrize("kind", ["students", "teachers", "marks"])
def test_the_import_page_explains_every_column(client, school_year, personas, kind: str) -> None:  # type: ignore[no-untyped-def]
    from pilotage.schooling.imports import KINDS

    spec = KINDS[kind]
    url, columns = KIND_URLS[kind]
    client.force_login(personas.national_admin)
    page = client.get(url).content.decode()
    rows = re.findall(r'<tr data-column="([^"]+)">(.*?)</tr>', page, re.S)
    assert [name for name, _row in rows] == columns
    described = {c.name: c for c in spec.described}
    assert list(described) == columns  # every column the importer reads is explained
    for name, row in rows:
        column = described[name]
        assert str(column.description) in row.replace("&#x27;", "'").replace("&quot;", '"')
        assert ("<td>oui</td>" in row) == column.required
        if column.format:
            assert str(column.format).replace("'", "&#x27;") in row
    assert "docs/imports.md" not in page
    assert f'href="{url}template.xlsx"' in page and f'href="{url}template.csv"' in page
    # In Arabic, the same table, column by column (the words come with the translations).
    client.cookies["django_language"] = "ar"
    page = client.get(url).content.decode()
    assert re.findall(r'<tr data-column="([^"]+)">', page) == columns


def _template(client, url: str, fmt: str) -> bytes:  # type: ignore[no-untyped-def]
    response = client.get(f"{url}template.{fmt}")
    assert response.status_code == 200
    return response.content


def _filled(kind: str, school_year, personas) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The example row as a user fills it in for the test school's data."""
    pupil = school_year.pupils_a1[0]
    return {
        "students": {"code_massar": "K400000001"},
        "teachers": {"ppr": "7654321", "email": "t7654321@example.ma"},
        "marks": {"code_massar": pupil.code_massar, "classe": "5AP-1"},
    }[kind]


@pytest.mark.parametrize("lang", ["fr", "ar"])
@pytest.mark.parametrize("kind", ["students", "teachers", "marks"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_template_re_imports_once_its_example_row_is_filled(
    client, school_year, personas, kind: str, fmt: str, lang: str
) -> None:  # type: ignore[no-untyped-def]
    """The importer reads the column names as they are, in every language (it accepts no
    translated header): the template's header is the importer's list in French and in
    Arabic, and the file, example row filled in, imports without a problem."""
    from openpyxl import load_workbook

    from pilotage.schooling.imports import KINDS

    url, columns = KIND_URLS[kind]
    client.force_login(personas.national_admin)
    client.cookies["django_language"] = lang
    data = _template(client, url, fmt)
    fill = _filled(kind, school_year, personas)
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(data))
        sheet, notes = book.worksheets
        header, example = [list(r) for r in sheet.iter_rows(values_only=True)]
        # The second sheet explains each column, one row per column, in the file's order.
        assert [r[0] for r in notes.iter_rows(min_row=2, values_only=True)] == columns
        described = {c.name: c for c in KINDS[kind].described}
        with translation.override(lang):
            first = next(notes.iter_rows(min_row=2, values_only=True))
            assert first[2] == str(described[columns[0]].description)
        for n, name in enumerate(header):
            if name in fill:
                sheet.cell(row=2, column=n + 1, value=fill[name])
        buffer = io.BytesIO()
        book.save(buffer)
        filled = buffer.getvalue()
    else:
        text = data.decode("utf-8")
        assert text.startswith("\ufeff")
        header_line, example_line = text.lstrip("\ufeff").splitlines()
        header, example = header_line.split(";"), example_line.split(";")
        values = dict(zip(header, example, strict=True))
        values.update(fill)
        filled = ("\ufeff" + header_line + "\r\n" + ";".join(values[c] for c in header)).encode()
    assert header == columns
    assert all(v not in (None, "") for v in example)
    importer = {"students": students_import, "teachers": teachers_import, "marks": marks_import}
    result = importer[kind](
        actor=personas.head_a, stream=io.BytesIO(filled), filename=f"modele.{fmt}"
    )
    assert result["rows"] == 1 and result["created"] == 1, result


def test_the_docs_describe_every_column() -> None:
    """docs/imports.md keeps the detail, one table row per column (a row may name two)."""
    from django.conf import settings

    doc = (Path(settings.BASE_DIR) / "docs" / "imports.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| (`[^|]+`) \|", doc, re.M))
    names = {n.strip("`") for cell in documented for n in cell.split(", ")}
    assert set(STUDENT_COLUMNS) | set(TEACHER_COLUMNS) | set(MARK_COLUMNS) <= names
    assert "template.csv" in doc and "described" in doc


def test_summaries_link_schools_when_a_file_names_too_many_classes(school_year) -> None:  # type: ignore[no-untyped-def]
    from pilotage.schooling.imports.common import LINKS_MAX

    rows = [student(code_massar=f"K5{n:08d}", classe=f"5AP-{20 + n}") for n in range(LINKS_MAX + 1)]
    summary = run_students(csv(rows))["summary"]
    school = school_year.class_a1.school
    assert summary["links"] == [
        {"label": f"{school.name} (04101A)", "url": f"/orgunits/{school.code}/"}
    ]
    assert "more_links" not in summary
    assert summary["lines"][-1] == f"{LINKS_MAX + 1} classes créées"


def test_teachers_summary_links_their_school(school_year, personas) -> None:  # type: ignore[no-untyped-def]
    result = teachers_import(
        actor=personas.head_a,
        stream=io.BytesIO(csv([teacher()], TEACHER_COLUMNS).encode()),
        filename="e.csv",
    )
    school = school_year.class_a1.school
    assert result["summary"]["lines"][:2] == ["1 enseignant importé", "1 nouvel enseignant"]
    assert [link["url"] for link in result["summary"]["links"]] == [f"/orgunits/{school.code}/"]
