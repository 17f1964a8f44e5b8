"""The server's check of the answers (``answers.answers_check``), on the bilingual
associations' form and on small forms built for one rule each. The rules are those of the
XLSForm specification (xlsform.org, sections "Relevant", "Constraints", "Required",
"Calculation", "Cascading selects", "Repeats" with ``repeat_count``) as ODK Collect
applies them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pilotage.surveys.answers import answers_check, from_post
from pilotage.surveys.rendering import form_logic
from pilotage.surveys.tests.forms import associations_form, workbook
from pilotage.surveys.xlsform import compile_xlsform

NOW = dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC)
GOOD: dict[str, Any] = {
    "region": "rsk",
    "province": "rabat",
    "employees": "3",
    "needs": "training legal",
    "projects_n": "2",
    "project": [
        {"project_title": "Soutien scolaire", "budget": "1200.5"},
        {"project_title": "Alphabétisation", "budget": "300"},
    ],
    "comment": "",
}


@pytest.fixture(scope="module")
def tree() -> dict[str, Any]:
    return compile_xlsform(associations_form()).tree


def _check(tree: dict[str, Any], answers: dict[str, Any], *, final: bool = True, lang="fr"):
    logic = form_logic((id(tree), "test"), tree)
    return answers_check(tree, logic, answers, lang=lang, final=final, now=NOW)


def _fields(checked) -> dict[str, str]:
    return {p.field: p.reason for p in checked.problems}


def test_good_answers_pass_with_the_total_worked_out(tree) -> None:
    checked = _check(tree, GOOD)
    assert checked.problems == []
    # sum(${budget}) over the two rows: 1200.5 + 300.
    assert checked.data["total_budget"] == "1500.5"
    assert checked.data["needs"] == "training legal"
    assert "comment" not in checked.data


def test_relevance_drops_the_answer(tree) -> None:
    checked = _check(tree, {**GOOD, "employees": "0"})
    assert checked.problems == []
    assert "needs" not in checked.data


def test_required_only_when_sending(tree) -> None:
    partial = {"region": "rsk"}
    assert _check(tree, partial, final=False).problems == []
    sent = _fields(_check(tree, partial, final=True))
    assert sent == {"province": "réponse obligatoire", "employees": "réponse obligatoire"}


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("employees", "3.5", "un nombre entier est attendu"),
        ("employees", "trois", "un nombre entier est attendu"),
        ("region", "tanger", "choix inconnu : tanger"),
        ("region", "rsk cs", "un seul choix est attendu"),
        ("needs", "training training", "un choix est donné deux fois"),
    ],
)
def test_types_and_choices(tree, field, value, reason) -> None:
    checked = _check(tree, {**GOOD, field: value})
    # A region refused also leaves the province out of its list (it reads the region).
    assert _fields(checked)[field] == reason
    assert set(_fields(checked)) <= {field, "province"}
    assert next(p for p in checked.problems if p.field == field).value == value


def test_decimal_with_a_comma_is_read(tree) -> None:
    rows = [{"project_title": "A", "budget": "12,5"}, {"project_title": "B", "budget": "1"}]
    checked = _check(tree, {**GOOD, "project": rows})
    assert checked.problems == []
    assert checked.data["project"][0]["budget"] == "12.5"
    assert checked.data["total_budget"] == "13.5"


def test_constraint_with_the_forms_message_in_french_and_arabic(tree) -> None:
    answers = {**GOOD, "employees": "9000"}
    assert _fields(_check(tree, answers, lang="fr")) == {"employees": "Entre 0 et 5000"}
    assert _fields(_check(tree, answers, lang="ar")) == {"employees": "بين 0 و 5000"}
    row = {**GOOD, "project": [GOOD["project"][0], {"project_title": "B", "budget": "-1"}]}
    assert _fields(_check(tree, row, lang="ar")) == {"project.1.budget": "موجب"}


def test_choice_filter_refuses_a_province_of_another_region(tree) -> None:
    checked = _check(tree, {**GOOD, "province": "casa"})
    assert _fields(checked) == {"province": "ce choix ne correspond pas aux réponses précédentes"}
    assert _check(tree, {**GOOD, "region": "cs", "province": "casa"}).problems == []


def test_a_refused_answer_is_not_kept_in_a_draft(tree) -> None:
    checked = _check(tree, {"region": "rsk", "employees": "9000"}, final=False)
    assert _fields(checked) == {"employees": "Entre 0 et 5000"}
    assert "employees" not in checked.data and checked.data["region"] == "rsk"


def test_repeat_count_trims_and_pads(tree) -> None:
    trimmed = _check(tree, {**GOOD, "projects_n": "1"})
    assert [r["project_title"] for r in trimmed.data["project"]] == ["Soutien scolaire"]
    # The trimmed row's budget is not in the total.
    assert trimmed.data["total_budget"] == "1200.5"
    padded = _check(tree, {**GOOD, "projects_n": "3"}, final=False)
    assert len(padded.data["project"]) == 3 and padded.data["project"][2] == {}
    sent = _check(tree, {**GOOD, "projects_n": "3"})
    assert _fields(sent) == {"project.2.project_title": "réponse obligatoire"}
    none = _check(tree, {**GOOD, "projects_n": ""}, final=False)
    assert none.data["project"] == []


def test_calculation_is_recomputed_ignoring_the_client_value(tree) -> None:
    checked = _check(tree, {**GOOD, "total_budget": "999999"})
    assert checked.data["total_budget"] == "1500.5"


def test_calculations_in_dependency_order() -> None:
    # c reads b, b reads a, listed in the reverse order: each must see the one before.
    tree = compile_xlsform(
        workbook(
            [
                ["type", "name", "label", "calculation"],
                ["integer", "n", "N", ""],
                ["calculate", "c", "", "${b} * 10"],
                ["calculate", "b", "", "${a} + 1"],
                ["calculate", "a", "", "${n} * 2"],
            ]
        )
    ).tree
    checked = _check(tree, {"n": "4", "a": "0", "b": "0", "c": "0"})
    # a = 4 × 2 = 8, b = 8 + 1 = 9, c = 9 × 10 = 90.
    assert (checked.data["a"], checked.data["b"], checked.data["c"]) == ("8", "9", "90")


def test_a_non_relevant_group_drops_its_questions() -> None:
    tree = compile_xlsform(
        workbook(
            [
                ["type", "name", "label", "relevant"],
                ["select_one yn", "member", "Membre ?", ""],
                ["begin_group", "details", "Détails", "${member} = 'yes'"],
                ["integer", "years", "Années", ""],
                ["end_group", "", "", ""],
            ],
            [["list_name", "name", "label"], ["yn", "yes", "Oui"], ["yn", "no", "Non"]],
        )
    ).tree
    assert _check(tree, {"member": "no", "years": "4"}).data == {"member": "no"}
    assert _check(tree, {"member": "yes", "years": "4"}).data == {"member": "yes", "years": "4"}


def test_from_post_reads_checkboxes_and_rows_in_index_order(tree) -> None:
    from django.http import QueryDict

    post = QueryDict(mutable=True)
    post.setlist("needs", ["training", "funding"])
    post["project.3.project_title"] = "Second"
    post["project.1.project_title"] = "Premier"
    post["project.1.budget"] = "5"
    data = from_post(tree, post)
    assert data["needs"] == "training funding"
    assert [r["project_title"] for r in data["project"]] == ["Premier", "Second"]
