"""The XLSForm compile step: what loads, and every way a workbook is refused with its
sheet, row, column and value."""

from __future__ import annotations

import io
import zipfile

import pytest

from pilotage.surveys.tests.forms import associations_form, workbook
from pilotage.surveys.xlsform import XLSFormRejected, compile_xlsform

HEADER = ["type", "name", "label"]


def _problems(data: bytes) -> list[str]:
    with pytest.raises(XLSFormRejected) as caught:
        compile_xlsform(data, name="f.xlsx")
    return [str(p) for p in caught.value.problems]


def test_the_bilingual_form_compiles_with_its_languages_and_xform() -> None:
    form = compile_xlsform(associations_form(), name="attentes.xlsx")
    assert form.form_id == "attentes_associations"
    assert form.version == "2026120701"
    assert form.languages == ["Français (fr)", "العربية (ar)"]
    assert form.default_language == "Français (fr)"
    assert "<h:html" in form.xform and 'jr:count="/data/project_n' not in form.xform
    names = [c["name"] for c in form.tree["children"]]
    assert names[:3] == ["region", "province", "employees"]


def test_a_file_that_is_not_a_workbook_is_refused_by_its_bytes() -> None:
    (problem,) = _problems(b"type,name,label\ntext,a,A\n")
    assert "n'est pas un classeur Excel" in problem
    # A zip that is not a workbook either (a .docx renamed .xlsx).
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    assert "n'est pas un classeur Excel" in _problems(out.getvalue())[0]
    assert "le fichier est vide" in _problems(b"")[0]


def test_a_workbook_without_a_survey_sheet_is_refused() -> None:
    import openpyxl

    loaded = openpyxl.load_workbook(
        io.BytesIO(workbook([HEADER, ["text", "a", "A"]], [["list_name", "name", "label"]]))
    )
    loaded["survey"].title = "questions"
    out = io.BytesIO()
    loaded.save(out)
    (problem,) = _problems(out.getvalue())
    assert "pas de feuille « survey »" in problem and "questions, choices" in problem


def test_a_workbook_of_one_sheet_is_its_survey_whatever_its_name() -> None:
    """As pyxform reads it (its example ``survey_no_name.xlsx``)."""
    import openpyxl

    loaded = openpyxl.load_workbook(io.BytesIO(workbook([HEADER, ["text", "a", "A"]])))
    loaded["survey"].title = "Feuil1"
    out = io.BytesIO()
    loaded.save(out)
    assert [c["name"] for c in compile_xlsform(out.getvalue()).tree["children"]] == ["a", "meta"]


def test_an_unknown_question_type_names_its_row() -> None:
    (problem,) = _problems(workbook([HEADER, ["text", "a", "A"], ["intger", "b", "B"]]))
    assert (
        problem
        == "feuille survey · ligne 3 · colonne type · valeur « intger » : type de question inconnu"
    )


def test_a_broken_reference_names_its_row() -> None:
    (problem,) = _problems(
        workbook(
            [HEADER + ["relevant"], ["text", "a", "A", ""], ["text", "b", "B", "${missing} = 1"]]
        )
    )
    assert "ligne 3" in problem and "missing" in problem


def test_duplicate_names_are_refused() -> None:
    (problem,) = _problems(workbook([HEADER, ["text", "a", "A"], ["text", "a", "B"]]))
    assert "ligne 3" in problem and "'a'" in problem


def test_an_unreadable_expression_names_row_column_and_value() -> None:
    (problem,) = _problems(
        workbook([HEADER + ["relevant"], ["text", "a", "A", ""], ["text", "b", "B", "${a} = = 1"]])
    )
    assert problem.startswith("feuille survey · ligne 3 · colonne relevant · valeur « ${a} = = 1 »")
    assert "expression illisible" in problem


def test_circular_calculations_are_refused() -> None:
    (problem,) = _problems(
        workbook(
            [
                ["type", "name", "label", "calculation"],
                ["calculate", "a", "", "${b} + 1"],
                ["calculate", "b", "", "${a} + 1"],
                ["integer", "c", "C", ""],
            ]
        )
    )
    assert "en boucle" in problem and "→" in problem and "colonne calculation" in problem


def test_unclosed_group_and_missing_choices_are_refused() -> None:
    assert (
        "ligne 2" in _problems(workbook([HEADER, ["begin_group", "g", "G"], ["text", "a", "A"]]))[0]
    )
    assert "choices" in _problems(workbook([HEADER, ["select_one yn", "a", "A"]]))[0]


def test_questions_the_web_form_cannot_answer_are_warnings() -> None:
    form = compile_xlsform(workbook([HEADER, ["geopoint", "where", "Où ?"], ["text", "a", "A"]]))
    assert (
        len(form.warnings) == 1
        and "where" in form.warnings[0]
        and "ODK Collect" in form.warnings[0]
    )


def test_an_oversized_file_is_refused_before_parsing() -> None:
    (problem,) = _problems(b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024 + 1))
    assert "au plus 5 Mo" in problem
