"""The builder's round trip: questions → XLSForm → compiled form → the same questions."""

from __future__ import annotations

import pytest

from pilotage.surveys.builder import (
    Choice,
    NotSimple,
    Question,
    check_questions,
    questions_from_tree,
    xlsform_from_questions,
)
from pilotage.surveys.tests.forms import associations_form
from pilotage.surveys.xlsform import compile_xlsform

QUESTIONS = [
    Question("note", "intro", "Merci de votre participation", "شكرا على مشاركتكم"),
    Question(
        "select_one",
        "satisfied",
        "Êtes-vous satisfait de l'accueil ?",
        "هل أنتم راضون عن الاستقبال؟",
        required=True,
        choices=[Choice("yes", "Oui", "نعم"), Choice("no", "Non", "لا")],
    ),
    Question(
        "text",
        "why",
        "Pourquoi ?",
        "لماذا؟",
        relevant="${satisfied} = 'no'",
        hint_fr="En quelques mots",
        hint_ar="في بضع كلمات",
    ),
    Question("integer", "visits", "Nombre de visites", "عدد الزيارات"),
    Question(
        "select_multiple",
        "channels",
        "Canaux utilisés",
        "القنوات المستعملة",
        choices=[Choice("phone", "Téléphone", "الهاتف"), Choice("web", "Site web", "الموقع")],
    ),
    Question("date", "last_visit", "Dernière visite", "آخر زيارة"),
    Question("decimal", "distance", "Distance (km)", "المسافة (كلم)"),
]


def test_questions_round_trip_through_xlsform() -> None:
    data = xlsform_from_questions(QUESTIONS, form_id="accueil", title="Accueil", version="1")
    form = compile_xlsform(data)
    assert (form.form_id, form.version, form.title) == ("accueil", "1", "Accueil")
    assert form.languages == ["Français (fr)", "العربية (ar)"]
    assert questions_from_tree(form.tree) == QUESTIONS


def test_a_form_with_a_repeat_or_a_calculation_is_not_edited_here() -> None:
    with pytest.raises(NotSimple, match="province"):
        questions_from_tree(compile_xlsform(associations_form()).tree)


def test_every_problem_of_a_list_is_named() -> None:
    problems = check_questions(
        [
            Question("text", "1abc", "A"),
            Question("text", "a", ""),
            Question("text", "a", "B"),
            Question("select_one", "s", "S"),
            Question("slider", "t", "T"),
        ]
    )
    assert problems == [
        "question 1 (1abc) : le nom commence par une lettre et ne contient que lettres, chiffres et _",
        "question 2 (a) : le libellé français est obligatoire",
        "question 3 (a) : ce nom est déjà celui d'une autre question",
        "question 4 (s) : une question à choix a au moins un choix",
        "question 5 (t) : type inconnu « slider »",
    ]
