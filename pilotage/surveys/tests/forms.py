"""XLSForm workbooks for the tests, built in memory from rows (the first row of each sheet
is its header), and the bilingual form of the journeys: an associations' survey in French
and Arabic with skip logic, a repeat and a cascading select."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import openpyxl

Rows = Sequence[Sequence[Any]]


def workbook(
    survey: Rows, choices: Rows | None = None, settings: Rows | None = None, **sheets: Rows
) -> bytes:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "survey"
    for row in survey:
        first.append(list(row))
    for title, rows in (("choices", choices), ("settings", settings), *sheets.items()):
        if rows is None:
            continue
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FR = "label::Français (fr)"
AR = "label::العربية (ar)"


def associations_form(version: str = "2026120701") -> bytes:
    """The associations' expectations survey: a region → province cascade, a question
    shown only to associations with employees, a repeat of their projects, a constraint
    with its message in both languages, a calculation."""
    return workbook(
        [
            [
                "type",
                "name",
                FR,
                AR,
                "relevant",
                "constraint",
                "constraint_message::Français (fr)",
                "constraint_message::العربية (ar)",
                "required",
                "calculation",
                "choice_filter",
                "repeat_count",
            ],
            ["select_one region", "region", "Région", "الجهة", "", "", "", "", "yes", "", "", ""],
            [
                "select_one province",
                "province",
                "Province",
                "الإقليم",
                "",
                "",
                "",
                "",
                "yes",
                "",
                "region=${region}",
                "",
            ],
            [
                "integer",
                "employees",
                "Nombre de salariés",
                "عدد الأجراء",
                "",
                ". >= 0 and . <= 5000",
                "Entre 0 et 5000",
                "بين 0 و 5000",
                "yes",
                "",
                "",
                "",
            ],
            [
                "select_multiple needs",
                "needs",
                "Besoins d'accompagnement",
                "حاجيات المواكبة",
                "${employees} > 0",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
            [
                "integer",
                "projects_n",
                "Nombre de projets",
                "عدد المشاريع",
                "",
                ". <= 5",
                "5 au plus",
                "5 على الأكثر",
                "",
                "",
                "",
                "",
            ],
            [
                "begin_repeat",
                "project",
                "Projet",
                "مشروع",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "${projects_n}",
            ],
            [
                "text",
                "project_title",
                "Intitulé du projet",
                "عنوان المشروع",
                "",
                "",
                "",
                "",
                "yes",
                "",
                "",
                "",
            ],
            [
                "decimal",
                "budget",
                "Budget (MAD)",
                "الميزانية (درهم)",
                "",
                ". > 0",
                "Positif",
                "موجب",
                "",
                "",
                "",
                "",
            ],
            ["end_repeat", "", "", "", "", "", "", "", "", "", "", ""],
            ["calculate", "total_budget", "", "", "", "", "", "", "", "sum(${budget})", "", ""],
            ["text", "comment", "Commentaire", "تعليق", "", "", "", "", "", "", "", ""],
        ],
        [
            ["list_name", "name", FR, AR, "region"],
            ["region", "rsk", "Rabat-Salé-Kénitra", "الرباط سلا القنيطرة", ""],
            ["region", "cs", "Casablanca-Settat", "الدار البيضاء سطات", ""],
            ["province", "rabat", "Rabat", "الرباط", "rsk"],
            ["province", "sale", "Salé", "سلا", "rsk"],
            ["province", "casa", "Casablanca", "الدار البيضاء", "cs"],
            ["province", "settat", "Settat", "سطات", "cs"],
            ["needs", "training", "Formation", "تكوين", ""],
            ["needs", "funding", "Financement", "تمويل", ""],
            ["needs", "legal", "Appui juridique", "دعم قانوني", ""],
        ],
        [
            ["form_title", "form_id", "version", "default_language"],
            ["Attentes des associations", "attentes_associations", version, "Français (fr)"],
        ],
    )
