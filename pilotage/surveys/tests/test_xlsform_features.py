"""The features the XLSForm documentation presents, each in a small form written here
(the same question types and columns as the documentation's examples, our own content):
each compiles, and the web form draws it and evaluates its expressions. pyxform's own
example workbooks are not in its published packages, so they cannot be loaded in CI; these
forms cover what they show."""

from __future__ import annotations

import pytest

from pilotage.surveys.rendering import form_fields, form_logic, walk
from pilotage.surveys.tests.forms import workbook
from pilotage.surveys.xlsform import compile_xlsform

H = ["type", "name", "label"]

FEATURES = {
    "question types": (
        [
            H + ["appearance"],
            ["text", "name", "Nom", ""],
            ["text", "notes", "Remarques", "multiline"],
            ["integer", "age", "Âge", ""],
            ["decimal", "height", "Taille", ""],
            ["date", "dob", "Date de naissance", ""],
            ["time", "at", "Heure", ""],
            ["dateTime", "when", "Moment", ""],
            ["note", "hello", "Bienvenue", ""],
            ["acknowledge", "ok", "J'ai lu", ""],
            ["image", "photo", "Photo", ""],
            ["file", "doc", "Document", ""],
            ["start", "start", "", ""],
            ["end", "end", "", ""],
            ["today", "today", "", ""],
        ],
        None,
        {
            "text",
            "textarea",
            "integer",
            "decimal",
            "date",
            "time",
            "datetime",
            "note",
            "acknowledge",
            "file",
        },
    ),
    "selects, or_other and minimal appearance": (
        [
            H + ["appearance"],
            ["select_one yn", "likes", "Aimez-vous ?", ""],
            ["select_multiple fruit or_other", "fruits", "Fruits", ""],
            ["select_one fruit", "best", "Le meilleur", "minimal"],
        ],
        [["list_name", "name", "label"], ["yn", "yes", "Oui"], ["yn", "no", "Non"]]
        + [["fruit", f"f{i}", f"Fruit {i}"] for i in range(10)],
        {"radio", "checkbox", "dropdown", "text"},
    ),
    "groups and nested groups with relevance": (
        [
            H + ["relevant"],
            ["begin_group", "household", "Ménage", ""],
            ["integer", "members", "Membres", ""],
            ["begin_group", "head", "Chef de ménage", "${members} > 0"],
            ["text", "head_name", "Nom", ""],
            ["end_group", "", "", ""],
            ["end_group", "", "", ""],
        ],
        None,
        {"group", "integer", "text"},
    ),
    "repeats with a count and a calculation over them": (
        [
            H + ["repeat_count", "calculation", "constraint", "constraint_message"],
            ["integer", "children", "Enfants", "", "", ". < 20", "Moins de 20"],
            ["begin_repeat", "child", "Enfant", "${children}", "", "", ""],
            ["text", "child_name", "Prénom", "", "", "", ""],
            ["integer", "child_age", "Âge", "", "", ". < 18", "Un enfant"],
            ["end_repeat", "", "", "", "", "", ""],
            ["calculate", "ages", "", "", "sum(${child_age})", "", ""],
            ["note", "show", "Somme des âges : ${ages}", "", "", "", ""],
        ],
        None,
        {"integer", "repeat", "text", "hidden", "note"},
    ),
    "cascading selects": (
        [
            H + ["choice_filter"],
            ["select_one country", "country", "Pays", ""],
            ["select_one city", "city", "Ville", "country=${country}"],
        ],
        [
            ["list_name", "name", "label", "country"],
            ["country", "ma", "Maroc", ""],
            ["country", "sn", "Sénégal", ""],
            ["city", "rabat", "Rabat", "ma"],
            ["city", "dakar", "Dakar", "sn"],
        ],
        {"radio"},
    ),
    "languages, hints, required messages and defaults": (
        [
            [
                "type",
                "name",
                "label::Français (fr)",
                "label::العربية (ar)",
                "hint::Français (fr)",
                "hint::العربية (ar)",
                "required",
                "required_message::Français (fr)",
                "default",
            ],
            ["integer", "n", "Nombre", "العدد", "Un entier", "عدد صحيح", "yes", "Obligatoire", "3"],
            ["text", "t", "Texte", "نص", "", "", "", "", ""],
        ],
        None,
        {"integer", "text"},
    ),
}


@pytest.mark.parametrize("feature", list(FEATURES))
def test_each_documented_feature_compiles_and_is_drawn(feature: str) -> None:
    survey, choices, widgets = FEATURES[feature]
    form = compile_xlsform(workbook(survey, choices))
    fields = form_fields(form.tree, "fr")
    assert {f.widget for f in walk(fields)} == widgets
    logic = form_logic((0, f"feature:{feature}"), form.tree)
    assert all(isinstance(entry, dict) for entry in logic.values())


def test_or_other_adds_the_other_choice_and_its_text_question() -> None:
    survey, choices, _widgets = FEATURES["selects, or_other and minimal appearance"]
    form = compile_xlsform(workbook(survey, choices))
    fields = {f.name: f for f in walk(form_fields(form.tree, "fr"))}
    assert "other" in [c.name for c in fields["fruits"].choices]
    assert "relevant" in form_logic((0, "or_other"), form.tree)["fruits_other"]


def test_the_arabic_reader_gets_the_arabic_labels_and_hints() -> None:
    survey, choices, _widgets = FEATURES["languages, hints, required messages and defaults"]
    form = compile_xlsform(workbook(survey, choices))
    (n, t) = form_fields(form.tree, "ar")
    assert (n.label, n.hint, n.default, n.required) == ("العدد", "عدد صحيح", "3", True)
    assert t.label == "نص"
