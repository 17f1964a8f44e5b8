"""The answers as tables (``exports.py``): an XLSX workbook with a sheet per repeat joined
to the main sheet by ``_submission``, and a zip of the same sheets as CSV with a BOM."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from pilotage.surveys.exports import (
    _instances,
    levels,
    submissions_csv_zip,
    submissions_xlsx,
    tables,
)
from pilotage.surveys.models import SubmissionStatus
from pilotage.surveys.tests.analysis_support import answers, draw, respondents, submit
from pilotage.surveys.tests.conftest import Surveys

ARABIC = "تكوين الشباب في المعلوميات"


@pytest.fixture
def filled(sv: Surveys) -> Surveys:
    draw(sv.manager_a, sv.survey_a, {"rsk": 20, "cs": 8}, 8, allocation="equal")
    first, second = respondents(sv.survey_a, "rsk")[:2]
    submit(
        sv.survey_a,
        answers(
            "rsk",
            "rabat",
            12,
            ("training", "legal"),
            projects=[(ARABIC, 15000), ("Atelier de lecture", 2500.5)],
            comment="مرحبا",
        ),
        respondent=first,
    )
    submit(sv.survey_a, answers("rsk", "sale", 0), respondent=second, minutes=5)
    submit(sv.survey_a, answers("cs", "casa", 4, projects=[("Cantine", 800)]), minutes=9)
    submit(sv.survey_a, answers("cs", "casa", 1), status=SubmissionStatus.DRAFT)
    return sv


def _sheet(book: openpyxl.Workbook, name: str) -> list[dict[str, object]]:
    rows = list(book[name].iter_rows(values_only=True))
    head = [str(h) for h in rows[0]]
    return [dict(zip(head, row, strict=True)) for row in rows[1:]]


def test_xlsx_sheets_join_by_submission(filled: Surveys) -> None:
    book = openpyxl.load_workbook(io.BytesIO(submissions_xlsx(filled.survey_a)))
    assert book.sheetnames == ["submissions", "project", "questions"]
    main = _sheet(book, "submissions")
    assert len(main) == 3  # the draft is not exported
    head = [c.value for c in next(book["submissions"].iter_rows(max_row=1))]
    # Form order, the select_multiple followed by one 0/1 column per option.
    assert head[6:] == [
        "region",
        "province",
        "employees",
        "needs",
        "needs/training",
        "needs/funding",
        "needs/legal",
        "projects_n",
        "total_budget",
        "comment",
    ]
    first = main[0]
    assert first["employees"] == 12
    assert first["needs"] == "training legal"
    assert (first["needs/training"], first["needs/funding"], first["needs/legal"]) == (1, 0, 1)
    assert first["_stratum"] == "rsk"
    assert first["_design_weight"] == pytest.approx(5.0)
    # 2 of the 4 rsk units answered: 20 / 2 = 10 after the non-response adjustment.
    assert first["_weight"] == pytest.approx(10.0)
    assert first["comment"] == "مرحبا"
    # No employees: the needs were not asked, every option column is empty.
    assert main[1]["needs"] is None and main[1]["needs/training"] is None
    assert main[2]["_stratum"] == "—" and main[2]["_weight"] == 1.0
    projects = _sheet(book, "project")
    assert [(p["_index"], p["project_title"], p["budget"]) for p in projects] == [
        (1, ARABIC, 15000),
        (2, "Atelier de lecture", 2500.5),
        (1, "Cantine", 800),
    ]
    keys = {str(m["_submission"]) for m in main}
    assert projects[0]["_submission"] == main[0]["_submission"]
    assert projects[2]["_submission"] == main[2]["_submission"]
    assert {p["_submission"] for p in projects} <= keys
    questions = _sheet(book, "questions")
    budget = next(q for q in questions if q["name"] == "budget")
    assert budget == {
        "name": "budget",
        "label_fr": "Budget (MAD)",
        "label_ar": "الميزانية (درهم)",
        "type": "decimal",
        "sheet": "project",
    }


def test_csv_zip_with_bom(filled: Surveys) -> None:
    archive = zipfile.ZipFile(io.BytesIO(submissions_csv_zip(filled.survey_a)))
    assert sorted(archive.namelist()) == ["project.csv", "questions.csv", "submissions.csv"]
    raw = archive.read("project.csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["project_title"] == ARABIC
    assert rows[0]["budget"] == "15000"  # as stored, text
    main = list(csv.DictReader(io.StringIO(archive.read("submissions.csv").decode("utf-8-sig"))))
    assert rows[0]["_submission"] == main[0]["_submission"]
    assert main[0]["comment"] == "مرحبا"
    questions = archive.read("questions.csv").decode("utf-8-sig")
    assert "حاجيات المواكبة" in questions


def test_answers_are_never_formulas(filled: Surveys) -> None:
    submit(filled.survey_a, answers("rsk", comment='=HYPERLINK("http://x","y")'), minutes=20)
    submit(filled.survey_a, answers("rsk", comment="+212 5 37 00 00 00"), minutes=21)
    book = openpyxl.load_workbook(io.BytesIO(submissions_xlsx(filled.survey_a)))
    cells = [row[-1] for row in book["submissions"].iter_rows(min_row=2)]
    assert cells[-2].value == '=HYPERLINK("http://x","y")'
    assert cells[-2].data_type == "s"
    archive = zipfile.ZipFile(io.BytesIO(submissions_csv_zip(filled.survey_a)))
    main = list(csv.DictReader(io.StringIO(archive.read("submissions.csv").decode("utf-8-sig"))))
    assert main[-2]["comment"] == '\'=HYPERLINK("http://x","y")'
    assert main[-1]["comment"] == "+212 5 37 00 00 00"  # a phone number stays as written


def test_tables_without_answers(sv: Surveys) -> None:
    found = dict(tables(sv.survey_a, typed=True))
    assert len(found["submissions"]) == 1  # the header alone
    assert found["project"][0] == ["_submission", "_index", "project_title", "budget"]


def test_downloads(client: Client, filled: Surveys) -> None:
    client.force_login(filled.manager_a)
    response = client.get(reverse("surveys:export-xlsx", args=[filled.survey_a.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    openpyxl.load_workbook(io.BytesIO(response.content))
    response = client.get(reverse("surveys:export-csv", args=[filled.survey_a.pk]))
    assert response["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(response.content)).testzip() is None


def test_a_repeat_inside_a_repeat_carries_its_parent() -> None:
    """A tree as pyxform gives it: households, each with its members."""
    tree = {
        "default_language": "default",
        "children": [
            {"type": "text", "name": "village", "label": "Village"},
            {
                "type": "repeat",
                "name": "household",
                "label": "Ménage",
                "children": [
                    {"type": "integer", "name": "size", "label": "Taille"},
                    {
                        "type": "repeat",
                        "name": "member",
                        "label": "Membre",
                        "children": [{"type": "text", "name": "first_name", "label": "Prénom"}],
                    },
                ],
            },
        ],
    }
    found = levels(tree)
    assert [level.name for level in found] == ["submissions", "household", "member"]
    data = {
        "village": "Tafraout",
        "household": [
            {"size": "2", "member": [{"first_name": "Aïcha"}, {"first_name": "Omar"}]},
            {"size": "1", "member": [{"first_name": "Sara"}]},
        ],
    }
    rows = list(_instances(found[0], data, "k1", "", typed=True))
    assert [(level.name, row) for level, row in rows] == [
        ("household", ["k1", 1, 2]),
        ("member", ["k1", "1", "1.1", "Aïcha"]),
        ("member", ["k1", "1", "1.2", "Omar"]),
        ("household", ["k1", 2, 1]),
        ("member", ["k1", "2", "2.1", "Sara"]),
    ]
