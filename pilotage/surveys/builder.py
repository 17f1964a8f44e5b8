"""The in-app builder of simple forms, and its round trip with XLSForm.

A simple form is a list of :class:`Question` — text, integer, decimal, date, select_one,
select_multiple, note — each with its French and Arabic labels, its choices, whether it is
required and when it is shown (``relevant``). :func:`xlsform_from_questions` writes the
XLSForm workbook (survey, choices and settings sheets, ``label::Français (fr)`` and
``label::العربية (ar)`` columns) that the form is then loaded from, like any uploaded
one; :func:`questions_from_tree` reads a compiled form back into questions, so a form made
here can be downloaded, edited in Excel and loaded again, and one loaded from Excel can be
edited here as long as it stays simple (no groups, repeats or calculations: those are
reported, and the builder refuses to edit the form rather than lose them).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import openpyxl
from django.utils.translation import gettext as _

FR = "Français (fr)"
AR = "العربية (ar)"
KINDS = ("text", "integer", "decimal", "date", "select_one", "select_multiple", "note")
_JSON_KINDS = {
    "text": "text",
    "integer": "integer",
    "decimal": "decimal",
    "date": "date",
    "select one": "select_one",
    "select all that apply": "select_multiple",
    "note": "note",
}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


@dataclass
class Choice:
    name: str
    label_fr: str
    label_ar: str = ""


@dataclass
class Question:
    kind: str
    name: str
    label_fr: str
    label_ar: str = ""
    required: bool = False
    relevant: str = ""
    hint_fr: str = ""
    hint_ar: str = ""
    choices: list[Choice] = field(default_factory=list)


class NotSimple(ValueError):
    """The form uses what the builder does not edit (groups, repeats, calculations…)."""


def check_questions(questions: Sequence[Question]) -> list[str]:
    """Every problem of the list, each naming its question by position and name."""
    problems = []
    seen: set[str] = set()
    for index, q in enumerate(questions, start=1):
        where = _("question %(n)s (%(name)s)") % {"n": index, "name": q.name or "—"}
        if q.kind not in KINDS:
            problems.append(f"{where} : " + _("type inconnu « %(t)s »") % {"t": q.kind})
        if not _NAME.match(q.name):
            problems.append(
                f"{where} : "
                + _("le nom commence par une lettre et ne contient que lettres, chiffres et _")
            )
        elif q.name in seen:
            problems.append(f"{where} : " + _("ce nom est déjà celui d'une autre question"))
        seen.add(q.name)
        if not q.label_fr.strip():
            problems.append(f"{where} : " + _("le libellé français est obligatoire"))
        if q.kind.startswith("select"):
            if not q.choices:
                problems.append(f"{where} : " + _("une question à choix a au moins un choix"))
            names = [c.name for c in q.choices]
            if len(set(names)) != len(names):
                problems.append(f"{where} : " + _("deux choix portent le même nom"))
            if any(not _NAME.match(c.name) or not c.label_fr.strip() for c in q.choices):
                problems.append(f"{where} : " + _("chaque choix a un nom valide et un libellé"))
    return problems


def xlsform_from_questions(
    questions: Sequence[Question], *, form_id: str, title: str, version: str
) -> bytes:
    """The XLSForm workbook of the questions (its settings sheet carries ``form_id``,
    ``form_title``, ``version`` and French as the default language)."""
    book = openpyxl.Workbook()
    survey = book.active
    if survey is None:  # a new workbook always has its sheet
        survey = book.create_sheet()
    survey.title = "survey"
    survey.append(
        [
            "type",
            "name",
            f"label::{FR}",
            f"label::{AR}",
            f"hint::{FR}",
            f"hint::{AR}",
            "required",
            "relevant",
        ]
    )
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", f"label::{FR}", f"label::{AR}"])
    for q in questions:
        kind = f"{q.kind} {q.name}" if q.kind.startswith("select") else q.kind
        survey.append(
            [
                kind,
                q.name,
                q.label_fr,
                q.label_ar,
                q.hint_fr,
                q.hint_ar,
                "yes" if q.required else "",
                q.relevant,
            ]
        )
        for c in q.choices:
            choices.append([q.name, c.name, c.label_fr, c.label_ar])
    settings = book.create_sheet("settings")
    settings.append(["form_id", "form_title", "version", "default_language"])
    settings.append([form_id, title, version, FR])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _label(value: Any, language: str) -> str:
    if isinstance(value, dict):
        return str(value.get(language) or "")
    return str(value or "") if language == FR else ""


def questions_from_tree(tree: dict[str, Any]) -> list[Question]:
    """The questions of a compiled form (``FormVersion.tree``); :class:`NotSimple` naming
    what the builder cannot edit."""
    found = []
    for node in tree.get("children") or []:
        kind = str(node.get("type", ""))
        name = str(node.get("name", ""))
        if name == "meta":
            continue
        if kind not in _JSON_KINDS:
            raise NotSimple(
                _(
                    "la question « %(name)s » (%(type)s) ne se modifie pas ici : "
                    "modifiez le classeur"
                )
                % {"name": name, "type": kind}
            )
        bind = node.get("bind") or {}
        if bind.get("calculate") or bind.get("constraint") or node.get("choice_filter"):
            raise NotSimple(
                _(
                    "la question « %(name)s » a un calcul, une contrainte ou un filtre : "
                    "modifiez le classeur"
                )
                % {"name": name}
            )
        found.append(
            Question(
                kind=_JSON_KINDS[kind],
                name=name,
                label_fr=_label(node.get("label"), FR),
                label_ar=_label(node.get("label"), AR),
                required=str(bind.get("required", "")).lower() in ("yes", "true", "true()"),
                relevant=str(bind.get("relevant") or ""),
                hint_fr=_label(node.get("hint"), FR),
                hint_ar=_label(node.get("hint"), AR),
                choices=[
                    Choice(str(c["name"]), _label(c.get("label"), FR), _label(c.get("label"), AR))
                    for c in node.get("choices") or []
                ],
            )
        )
    return found
