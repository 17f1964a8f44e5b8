"""The web form, read from pyxform's tree: what the template draws and what the page's
script evaluates.

:func:`form_fields` turns a form version's tree into :class:`Field` nodes in the reader's
language (a label column ``label::العربية (ar)`` is Arabic; without one in the reader's
language, the form's default language). :func:`form_logic` gives, per question, the
parsed expressions (``relevant``, ``constraint``, ``calculation``, ``required``,
``choice_filter``, ``repeat_count``) as the JSON trees of ``xpath.parse``: the page's
``xpath.js`` evaluates the same trees the server validates with, so what the respondent
sees hidden or refused is what the server drops or refuses.

Answers are keyed by question name (groups only arrange the page); a repeat's answers are a
list of such objects under the repeat's name.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from dataclasses import field as dataclass_field
from typing import Any

from pilotage.surveys import xpath

_LANG_CODE = re.compile(r"\(([a-zA-Z]{2,3})\)\s*$")
_BOOLEAN_TRUE = {"yes", "true", "true()"}
_BOOLEAN_FALSE = {"no", "false", "false()", ""}
SELECT_ONE = "select one"
SELECT_MULTIPLE = "select all that apply"
# A select_one with more choices than this is a drop-down, not a column of radio buttons.
RADIO_MAX = 8


def language_code(name: str) -> str:
    """``Français (fr)`` → ``fr``; a language named without its code is its own name."""
    match = _LANG_CODE.search(name)
    return match.group(1).lower() if match else name


def text_in(value: Any, lang: str, default_language: str) -> str:
    """A translatable cell (a string, or a dict language → text) in ``lang``."""
    if not isinstance(value, dict):
        return "" if value is None else str(value)
    for name, text in value.items():
        if language_code(name) == lang and text:
            return str(text)
    for key in (default_language, "default"):
        if value.get(key):
            return str(value[key])
    return next((str(t) for t in value.values() if t), "")


@dataclass(frozen=True)
class Choice:
    name: str
    label: str
    # The choice's other columns (``region`` for a province), for a choice_filter.
    filters: dict[str, str]


@dataclass
class Field:
    name: str
    kind: str
    label: str
    hint: str = ""
    required: bool = False
    read_only: bool = False
    appearance: str = ""
    choices: list[Choice] = field(default_factory=list)
    children: list[Field] = field(default_factory=list)
    default: str = ""
    # The repeat a question sits in ("" at the top), for the input names.
    repeat: str = ""
    media: str = ""
    # The form's own messages in the reader's language, shown by the page's script.
    constraint_message: str = ""
    required_message: str = ""

    @functools.cached_property
    def widget(self) -> str:
        """Which piece of the template draws it."""
        if self.kind == SELECT_ONE:
            has_filter = any(c.filters for c in self.choices)
            many = len(self.choices) > RADIO_MAX or "minimal" in self.appearance
            return "dropdown" if many and not has_filter else "radio"
        return {
            SELECT_MULTIPLE: "checkbox",
            "text": "textarea" if "multiline" in self.appearance else "text",
            "integer": "integer",
            "decimal": "decimal",
            "date": "date",
            "time": "time",
            "dateTime": "datetime",
            "note": "note",
            "acknowledge": "acknowledge",
            "calculate": "hidden",
            "image": "file",
            "photo": "file",  # pyxform's name for an image question
            "file": "file",
            "group": "group",
            "repeat": "repeat",
        }.get(self.kind, "unsupported")


def _choices(node: dict[str, Any], tree: dict[str, Any], lang: str, default: str) -> list[Choice]:
    raw = node.get("choices") or (tree.get("choices") or {}).get(node.get("itemset") or "", [])
    found = []
    for choice in raw:
        filters = {
            k: str(v)
            for k, v in choice.items()
            if k not in ("name", "label", "media") and not isinstance(v, dict)
        }
        found.append(
            Choice(
                str(choice.get("name", "")), text_in(choice.get("label"), lang, default), filters
            )
        )
    return found


def _is_true(value: Any) -> bool:
    return isinstance(value, str) and value.strip().lower() in _BOOLEAN_TRUE


def _fields(
    nodes: list[dict[str, Any]], tree: dict[str, Any], lang: str, default: str, repeat: str
) -> list[Field]:
    found = []
    for node in nodes:
        name = str(node.get("name", ""))
        kind = str(node.get("type", ""))
        if name == "meta" or kind in ("start", "end", "today", "deviceid", "username", "audit"):
            continue
        bind = node.get("bind") or {}
        control = node.get("control") or {}
        current = Field(
            name=name,
            kind=kind,
            label=text_in(node.get("label"), lang, default),
            hint=text_in(node.get("hint"), lang, default),
            required=_is_true(bind.get("required")),
            read_only=_is_true(bind.get("readonly")),
            appearance=str(control.get("appearance") or ""),
            default=str(node.get("default") or ""),
            repeat=repeat,
            constraint_message=text_in(bind.get("jr:constraintMsg"), lang, default),
            required_message=text_in(bind.get("jr:requiredMsg"), lang, default),
        )
        if kind in (SELECT_ONE, SELECT_MULTIPLE):
            current.choices = _choices(node, tree, lang, default)
        if node.get("children"):
            inner = name if kind == "repeat" else repeat
            current.children = _fields(node["children"], tree, lang, default, inner)
        found.append(current)
    return found


def reader_language(languages: list[str], default_language: str, lang: str) -> str:
    """The form's language closest to the reader's (``lang``): theirs if the form has it,
    else the form's default."""
    codes = [language_code(name) for name in languages]
    return lang if lang in codes or not codes else language_code(default_language)


def form_fields(tree: dict[str, Any], lang: str) -> list[Field]:
    default = str(tree.get("default_language") or "default")
    return _fields(tree.get("children") or [], tree, lang, default, "")


def walk(fields: list[Field]) -> Iterator[Field]:
    for f in fields:
        yield f
        yield from walk(f.children)


def constraint_message(node: dict[str, Any], lang: str, default: str) -> str:
    bind = node.get("bind") or {}
    return text_in(bind.get("jr:constraintMsg"), lang, default)


def _logic_nodes(
    nodes: list[dict[str, Any]], repeat: str = ""
) -> Iterator[tuple[dict[str, Any], str]]:
    for node in nodes:
        if node.get("name") == "meta":
            continue
        yield node, repeat
        if node.get("children"):
            inner = str(node["name"]) if node.get("type") == "repeat" else repeat
            yield from _logic_nodes(node["children"], inner)


_SIBLING = re.compile(r"(?<![\w.$])\.\./([A-Za-z_][\w.-]*)")


def sibling_references(expression: str) -> str:
    """``../name`` (a sibling, as pyxform writes the ``relevant`` of an ``or_other``
    question) as ``${name}``: answers are keyed by name, so the two are the same question."""
    return _SIBLING.sub(lambda m: "${" + m.group(1) + "}", expression)


def parse_expression(expression: str, *, columns: bool = False) -> dict[str, Any]:
    return xpath.parse(sibling_references(expression), columns=columns)


def _parse_or_none(expression: Any, *, columns: bool = False) -> dict[str, Any] | None:
    if not isinstance(expression, str) or not expression.strip():
        return None
    return parse_expression(expression, columns=columns)


def _logic(tree: dict[str, Any]) -> dict[str, dict[str, Any]]:
    logic: dict[str, dict[str, Any]] = {}
    for node, repeat in _logic_nodes(tree.get("children") or []):
        bind = node.get("bind") or {}
        control = node.get("control") or {}
        entry: dict[str, Any] = {"type": node.get("type"), "repeat": repeat}
        required = bind.get("required")
        if isinstance(required, str) and required.strip().lower() not in (
            _BOOLEAN_TRUE | _BOOLEAN_FALSE
        ):
            entry["required"] = parse_expression(required)
        elif _is_true(required):
            entry["required"] = True
        for key, expression in (
            ("relevant", bind.get("relevant")),
            ("constraint", bind.get("constraint")),
            ("calculate", bind.get("calculate")),
            ("choice_filter", node.get("choice_filter")),
        ):
            parsed = _parse_or_none(expression, columns=key == "choice_filter")
            if parsed is not None:
                entry[key] = parsed
        count = control.get("jr:count")
        if isinstance(count, str) and count.strip():
            entry["repeat_count"] = parse_expression(count)
        logic[str(node.get("name"))] = entry
    return logic


_LOGIC: dict[tuple[int, str], dict[str, dict[str, Any]]] = {}
_LOGIC_KEPT = 64


def form_logic(key: tuple[int, str], tree: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per question name, its parsed expressions. A form version never changes, so they are
    parsed once per process and version — ``key`` is its id and its file's SHA-256 — not
    per page."""
    found = _LOGIC.get(key)
    if found is None:
        if len(_LOGIC) >= _LOGIC_KEPT:
            _LOGIC.clear()
        found = _LOGIC[key] = _logic(tree)
    return found


# --- Binding the answers to the page ---------------------------------------------------

INDEX = "__index__"


@dataclass
class Bound:
    """A question on the page: its input's name (``project.0.budget`` inside a repeat),
    the answer shown, the problem found with it; a repeat holds its instances and the
    empty one the script copies when a row is added."""

    field: Field
    input_name: str
    value: str = ""
    values: list[str] = dataclass_field(default_factory=list)
    error: str = ""
    children: list[Bound] = dataclass_field(default_factory=list)
    instances: list[list[Bound]] = dataclass_field(default_factory=list)
    blank: list[Bound] = dataclass_field(default_factory=list)

    @property
    def widget(self) -> str:
        return self.field.widget


def _bind(
    fields: list[Field],
    data: dict[str, Any],
    errors: dict[str, str],
    prefix: str,
) -> list[Bound]:
    bound = []
    for f in fields:
        name = f"{prefix}{f.name}"
        if f.kind == "group":
            bound.append(Bound(f, name, children=_bind(f.children, data, errors, prefix)))
            continue
        if f.kind == "repeat":
            rows = data.get(f.name)
            rows = rows if isinstance(rows, list) else []
            instances = [
                _bind(f.children, row if isinstance(row, dict) else {}, errors, f"{f.name}.{i}.")
                for i, row in enumerate(rows)
            ]
            blank = _bind(f.children, {}, {}, f"{f.name}.{INDEX}.")
            bound.append(
                Bound(f, name, instances=instances, blank=blank, error=errors.get(name, ""))
            )
            continue
        value = data.get(f.name)
        text = "" if value is None or isinstance(value, list | dict) else str(value)
        if not text and f.default and not data:
            text = f.default
        bound.append(
            Bound(
                f,
                name,
                value=text,
                values=text.split() if f.kind == SELECT_MULTIPLE else [],
                error=errors.get(name, ""),
            )
        )
    return bound


def form_bind(fields: list[Field], data: dict[str, Any], errors: dict[str, str]) -> list[Bound]:
    """The page's questions with ``data`` (the answers saved so far) and ``errors`` (by
    input name) on them."""
    return _bind(fields, data, errors, "")
