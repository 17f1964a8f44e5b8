"""Checking a respondent's answers on the server, with the expressions the page evaluated.

Whatever the page did, the server decides: it recomputes the calculations, drops the
answers of questions that are not relevant, and refuses — naming the question, the value
and the reason — a required answer missing (when the answers are sent, not when they are
saved for later), a value of the wrong type, a choice not in the list (or filtered out by
the question's ``choice_filter``), and a ``constraint`` that does not hold, with the form's
own message in the reader's language. A repeat with a ``repeat_count`` has exactly that
many rows.

Answers are XForms' text: every value a string (a select_multiple's names separated by
spaces, dates ``YYYY-MM-DD``, times ``HH:MM:SS``), keyed by question name; a repeat's
answers a list of such objects under the repeat's name.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from pilotage.core.tabular import clip
from pilotage.surveys import xpath
from pilotage.surveys.rendering import SELECT_MULTIPLE, SELECT_ONE, language_code, text_in

TEXT_MAX = 10_000
REPEAT_MAX = 500
_INTEGER = re.compile(r"^-?\d{1,15}$")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d+)?)?$")
_NOT_ANSWERED = {"note", "group", "repeat", "calculate"}
_METADATA = {"start", "end", "today", "deviceid", "username", "audit", "email", "phonenumber"}


@dataclass(frozen=True)
class AnswerProblem:
    """``field`` is the input's name (``project.1.budget`` in a repeat's second row)."""

    field: str
    label: str
    value: str
    reason: str

    def __str__(self) -> str:
        shown = f" · {_('valeur')} « {clip(self.value)} »" if self.value else ""
        return f"{self.label or self.field}{shown} : {self.reason}"

    def as_dict(self) -> dict[str, str]:
        return {
            "field": self.field,
            "label": self.label,
            "value": clip(self.value),
            "reason": self.reason,
        }


@dataclass
class Checked:
    data: dict[str, Any]
    problems: list[AnswerProblem]

    @property
    def errors(self) -> dict[str, str]:
        """The first problem of each input, for the page."""
        found: dict[str, str] = {}
        for p in self.problems:
            found.setdefault(p.field, p.reason)
        return found


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    return str(value).strip()


def _children(node: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [c for c in node.get("children") or [] if c.get("name") != "meta"]


def _questions(nodes: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The questions of one level (groups opened, repeats kept whole)."""
    for node in nodes:
        if node.get("type") == "group":
            yield from _questions(_children(node))
        else:
            yield node


def from_post(tree: Mapping[str, Any], post: Any) -> dict[str, Any]:
    """The answers of a posted page (``post``: a QueryDict): a checkbox list is joined by
    spaces; a repeat's rows are read from their ``name.index.question`` inputs, in index
    order."""
    data: dict[str, Any] = {}
    keys = list(post.keys())
    for node in _questions(_children(tree)):
        name = str(node.get("name"))
        kind = node.get("type")
        if kind == "repeat":
            prefix = f"{name}."
            indices = sorted(
                {
                    int(k.split(".")[1])
                    for k in keys
                    if k.startswith(prefix) and k.split(".")[1].isdigit()
                }
            )[:REPEAT_MAX]
            rows = []
            for index in indices:
                row: dict[str, Any] = {}
                for inner in _questions(_children(node)):
                    row[str(inner["name"])] = _posted(
                        post, f"{name}.{index}.{inner['name']}", inner
                    )
                rows.append(row)
            data[name] = rows
        elif kind not in ("note",):
            data[name] = _posted(post, name, node)
    return data


def _posted(post: Any, key: str, node: Mapping[str, Any]) -> str:
    if node.get("type") == SELECT_MULTIPLE:
        return " ".join(v for v in post.getlist(key) if v)
    return str(post.get(key, "") or "")


class _Checker:
    def __init__(
        self,
        tree: Mapping[str, Any],
        logic: Mapping[str, Mapping[str, Any]],
        *,
        lang: str,
        final: bool,
        now: dt.datetime,
    ):
        self.tree = tree
        self.logic = logic
        self.lang = lang
        self.final = final
        self.now = now.isoformat(timespec="milliseconds")
        self.default_language = str(tree.get("default_language") or "default")
        self.choices: Mapping[str, list[dict[str, Any]]] = tree.get("choices") or {}
        self.problems: list[AnswerProblem] = []

    # -- context -----------------------------------------------------------------
    def context(
        self, values: Mapping[str, Any], current: str = "", choice: Mapping[str, str] | None = None
    ) -> xpath.Context:
        found: xpath.Context = {"values": values, "current": current, "now": self.now}
        if choice is not None:
            found["choice"] = choice
        return found

    def holds(
        self, key: str, name: str, values: Mapping[str, Any], current: str = ""
    ) -> bool | None:
        ast = self.logic.get(name, {}).get(key)
        if ast is None or ast is True:
            return None if ast is None else True
        return xpath.to_boolean(xpath.evaluate(ast, self.context(values, current)))

    def label(self, node: Mapping[str, Any]) -> str:
        return text_in(node.get("label"), self.lang, self.default_language) or str(node.get("name"))

    def problem(self, field: str, node: Mapping[str, Any], value: str, reason: str) -> None:
        self.problems.append(AnswerProblem(field, self.label(node), value, reason))

    # -- calculations ------------------------------------------------------------
    def calculate(self, nodes: list[dict[str, Any]], values: dict[str, Any]) -> None:
        calculations = {
            str(n["name"]): self.logic[str(n["name"])]["calculate"]
            for n in _all(nodes)
            if n.get("type") != "repeat" and "calculate" in self.logic.get(str(n.get("name")), {})
        }
        for name in xpath.dependency_order(calculations):
            result = xpath.evaluate(calculations[name], self.context(values))
            values[name] = xpath.to_string(result)

    # -- one level ---------------------------------------------------------------
    def level(
        self,
        nodes: list[dict[str, Any]],
        answers: Mapping[str, Any],
        outer: Mapping[str, Any],
        prefix: str,
    ) -> dict[str, Any]:
        """The clean answers of one level (the form, or one row of a repeat); ``outer``:
        the values of the levels around it, which its expressions may read."""
        values: dict[str, Any] = {**outer}
        for node in _all(nodes):
            name = str(node.get("name"))
            if node.get("type") not in ("repeat", "group", "calculate"):
                values[name] = _text(answers.get(name))
            elif node.get("type") == "calculate":
                values[name] = ""
        # A repeat's questions read from outside it are the lists of their rows' answers.
        for node in _all(nodes):
            if node.get("type") == "repeat":
                rows = answers.get(str(node["name"]))
                rows = rows if isinstance(rows, list) else []
                for inner in _all(_children(node)):
                    values[str(inner["name"])] = [
                        _text(r.get(str(inner["name"]))) for r in rows if isinstance(r, dict)
                    ]
        self.calculate(nodes, values)
        clean: dict[str, Any] = {}
        self.walk(nodes, answers, values, clean, prefix)
        # The calculations again, on what is kept: a repeat's rows trimmed to its count,
        # answers dropped as not relevant, values in their XForms form. What the page sent
        # for a calculation is never read.
        for node in _all(nodes):
            name = str(node.get("name"))
            if node.get("type") == "repeat" and isinstance(clean.get(name), list):
                for inner in _all(_children(node)):
                    inner_name = str(inner["name"])
                    values[inner_name] = [_text(r.get(inner_name)) for r in clean[name]]
        self.calculate(nodes, values)
        for node in _all(nodes):
            name = str(node.get("name"))
            if node.get("type") == "calculate" and name in clean:
                clean[name] = values.get(name, "")
        return clean

    def walk(
        self,
        nodes: list[dict[str, Any]],
        answers: Mapping[str, Any],
        values: dict[str, Any],
        clean: dict[str, Any],
        prefix: str,
    ) -> None:
        for node in nodes:
            name = str(node.get("name"))
            kind = str(node.get("type"))
            if kind in _METADATA:
                continue
            if self.holds("relevant", name, values) is False:
                self.blank(node, values)
                continue
            if kind == "group":
                self.walk(_children(node), answers, values, clean, prefix)
            elif kind == "repeat":
                clean[name] = self.repeat(node, answers.get(name), values, prefix)
            elif kind == "calculate":
                clean[name] = values.get(name, "")
            elif kind != "note":
                before = len(self.problems)
                value = self.check(node, f"{prefix}{name}", values.get(name, ""), values)
                values[name] = value
                # A refused answer is not kept (a save for later reports it).
                if value and len(self.problems) == before:
                    clean[name] = value

    def blank(self, node: Mapping[str, Any], values: dict[str, Any]) -> None:
        """A question that is not relevant has no answer, nor have a group's questions."""
        for inner in _all([dict(node)]):
            if inner.get("type") != "repeat":
                values[str(inner.get("name"))] = ""

    def repeat(
        self, node: Mapping[str, Any], rows: Any, values: dict[str, Any], prefix: str
    ) -> list[dict[str, Any]]:
        name = str(node["name"])
        rows = [r if isinstance(r, dict) else {} for r in rows] if isinstance(rows, list) else []
        count_ast = self.logic.get(name, {}).get("repeat_count")
        if count_ast is not None:
            wanted = xpath.to_number(xpath.evaluate(count_ast, self.context(values)))
            count = 0 if math.isnan(wanted) else max(0, min(int(wanted), REPEAT_MAX))
            rows = (rows + [{} for _ in range(count)])[:count]
        elif len(rows) > REPEAT_MAX:
            self.problem(
                f"{prefix}{name}",
                node,
                str(len(rows)),
                _("%(n)s lignes au plus") % {"n": REPEAT_MAX},
            )
            rows = rows[:REPEAT_MAX]
        return [
            self.level(_children(node), row, values, f"{prefix}{name}.{index}.")
            for index, row in enumerate(rows)
        ]

    # -- one answer --------------------------------------------------------------
    def check(
        self, node: Mapping[str, Any], field: str, value: str, values: Mapping[str, Any]
    ) -> str:
        name = str(node.get("name"))
        kind = str(node.get("type"))
        if not value:
            if self.final and self.holds("required", name, values):
                bind = node.get("bind") or {}
                message = text_in(bind.get("jr:requiredMsg"), self.lang, self.default_language)
                self.problem(field, node, "", message or _("réponse obligatoire"))
            return ""
        value, reason = self.typed(node, kind, value, values)
        if reason:
            self.problem(field, node, value, reason)
            return value
        if self.holds("constraint", name, values, value) is False:
            bind = node.get("bind") or {}
            message = text_in(bind.get("jr:constraintMsg"), self.lang, self.default_language)
            self.problem(field, node, value, message or _("valeur refusée par le formulaire"))
        return value

    def typed(
        self, node: Mapping[str, Any], kind: str, value: str, values: Mapping[str, Any]
    ) -> tuple[str, str]:
        """The value in XForms' form, and the reason it is refused ("" when it is not)."""
        if kind == "integer":
            return value, "" if _INTEGER.match(value) else _("un nombre entier est attendu")
        if kind == "decimal":
            text = value.replace(",", ".").replace("\u00a0", "").replace(" ", "")
            try:
                number = float(text)
            except ValueError:
                return value, _("un nombre est attendu")
            return (text, "") if math.isfinite(number) else (value, _("un nombre est attendu"))
        if kind == "date":
            try:
                return dt.date.fromisoformat(value).isoformat(), ""
            except ValueError:
                return value, _("une date AAAA-MM-JJ est attendue")
        if kind == "time":
            match = _TIME.match(value)
            if not match:
                return value, _("une heure HH:MM est attendue")
            return f"{match.group(1)}:{match.group(2)}:{match.group(3) or '00'}", ""
        if kind == "dateTime":
            try:
                return dt.datetime.fromisoformat(value).isoformat(), ""
            except ValueError:
                return value, _("une date et une heure sont attendues")
        if kind in (SELECT_ONE, SELECT_MULTIPLE):
            return self.selected(node, kind, value, values)
        if kind == "acknowledge":
            return ("OK", "") if value in ("OK", "1", "true") else (value, _("réponse inattendue"))
        if len(value) > TEXT_MAX:
            return value[:TEXT_MAX], _("%(n)s caractères au plus") % {"n": TEXT_MAX}
        return value, ""

    def selected(
        self, node: Mapping[str, Any], kind: str, value: str, values: Mapping[str, Any]
    ) -> tuple[str, str]:
        listed = node.get("choices") or self.choices.get(str(node.get("itemset") or ""), [])
        by_name = {str(c.get("name")): c for c in listed}
        names = value.split()
        if kind == SELECT_ONE and len(names) != 1:
            return value, _("un seul choix est attendu")
        if len(set(names)) != len(names):
            return value, _("un choix est donné deux fois")
        unknown = [n for n in names if n not in by_name]
        if unknown:
            return value, _("choix inconnu : %(name)s") % {"name": unknown[0]}
        choice_filter = self.logic.get(str(node.get("name")), {}).get("choice_filter")
        if choice_filter is not None:
            for n in names:
                columns = {k: _text(v) for k, v in by_name[n].items() if not isinstance(v, dict)}
                context = self.context(values, choice=columns)
                if not xpath.to_boolean(xpath.evaluate(choice_filter, context)):
                    return value, _("ce choix ne correspond pas aux réponses précédentes")
        return " ".join(names), ""


def _all(nodes: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every question of one level, inside groups too, but not inside repeats."""
    for node in nodes:
        yield node
        if node.get("type") == "group":
            yield from _all(_children(node))


def answers_check(
    tree: Mapping[str, Any],
    logic: Mapping[str, Mapping[str, Any]],
    answers: Mapping[str, Any],
    *,
    lang: str = "fr",
    final: bool,
    now: dt.datetime,
) -> Checked:
    """The clean answers and every problem. ``final``: the answers are being sent (required
    answers are then due); a save for later checks only what is answered."""
    checker = _Checker(tree, logic, lang=language_code(lang), final=final, now=now)
    data = checker.level(_children(tree), answers if isinstance(answers, Mapping) else {}, {}, "")
    return Checked(data, checker.problems)
