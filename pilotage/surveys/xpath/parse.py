"""From the text of an XLSForm column to the tree both evaluators walk.

The tree is plain JSON (dicts, lists, strings, numbers) so that the page receives exactly
what the server checked. Its nodes:

    {"type": "number", "value": 2.5}
    {"type": "string", "value": "oui"}
    {"type": "field", "name": "age"}                 ${age}
    {"type": "current"}                              .
    {"type": "column", "name": "region"}             a choice's column, in a choice_filter
    {"type": "binary", "op": "+", "left": …, "right": …}
        op: or and = != < <= > >= + - * div mod
    {"type": "negate", "operand": …}                 unary minus
    {"type": "call", "name": "if", "args": [...]}
    {"type": "regex", "pattern": "…", "source": "…"} regex()'s pattern, already rewritten
                                                     into the subset both engines share

Everything a form author can get wrong is refused here, once, with the column it happens
at: the syntax, an unknown function, a wrong number of arguments, a path the engine does
not follow, an unsupported regular expression.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import (
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)

from .evaluate import ARITY
from .regex import RegexNotSupported, canonical

Node = dict[str, Any]

_PARSER = Lark(
    (Path(__file__).parent / "grammar.lark").read_text(encoding="utf-8"),
    parser="lalr",
    lexer="contextual",
    maybe_placeholders=False,
)

_PATHS = "XPath paths are not supported: refer to a question as ${name}"

# Functions of the ODK XForms specification this engine does not evaluate, and why.
UNSUPPORTED = {
    "current": _PATHS,
    "instance": _PATHS,
    "jr:choice-name": "it needs the form's choice lists, which the evaluator does not see",
    "indexed-repeat": "it needs the position inside a repeat",
    "position": "it needs the position inside a repeat",
    "last": "it needs the position inside a repeat",
    "pulldata": "it reads a CSV file attached to the form",
    "jr:itext": "it reads the form's translations",
    "uuid": "its value would differ between the page and the server",
    "random": "its value would differ between the page and the server",
    "randomize": "its value would differ between the page and the server",
    "digest": "cryptographic digests are not offered",
    "area": "geographic functions are not offered",
    "distance": "geographic functions are not offered",
    "geofence": "geographic functions are not offered",
    "version": "it reads the form's version",
    **dict.fromkeys(
        ("exp", "exp10", "log", "log10", "sin", "cos", "tan", "asin", "acos", "atan", "atan2"),
        "its last digits would differ between the page's and the server's engines",
    ),
    "property": "it reads device properties",
}


class XPathSyntaxError(ValueError):
    """An expression refused at parse time; `position` is the 0-based index into the text
    (the message says the 1-based column, as a spreadsheet user counts)."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


def parse(expr: str, *, columns: bool = False) -> Node:
    """The tree of `expr`. Bare names (a choice's columns) are only accepted with
    `columns=True`, for a choice_filter: anywhere else a bare name is a forgotten ${...}."""
    if not expr.strip():
        raise XPathSyntaxError("empty expression", 0)
    try:
        tree = _PARSER.parse(expr)
    except UnexpectedInput as error:
        raise _syntax_error(expr, error) from None
    try:
        return _Build(expr, columns).transform(tree)
    except VisitError as error:  # lark wraps what the rules raise
        if isinstance(error.orig_exc, XPathSyntaxError):
            raise error.orig_exc from None
        raise


def _syntax_error(expr: str, error: UnexpectedInput) -> XPathSyntaxError:
    if isinstance(error, UnexpectedEOF) or (
        isinstance(error, UnexpectedToken) and error.token.type == "$END"
    ):
        position = len(expr.rstrip())
        expected = error.expected if isinstance(error, UnexpectedEOF) else error.accepts
        if "RPAR" in expected and "NUMBER" not in expected:  # after an operand, not before
            return XPathSyntaxError(f"missing ')' at column {position + 1}", position)
        return XPathSyntaxError(f"unexpected end of expression at column {position + 1}", position)
    position = 0
    if isinstance(error, UnexpectedToken):
        position = _pos(error.token)
    elif isinstance(error, UnexpectedCharacters):
        position = error.pos_in_stream or 0
    if expr.startswith("..", position - 1):
        position -= 1  # the lexer read the first dot of ".." as "."
    column = position + 1
    rest = expr[position:]
    if rest.startswith(("/", "[", "]", "@", "|", "::", "..")):
        shown = rest[:2] if rest.startswith(("::", "..", "//")) else rest[0]
        return XPathSyntaxError(f"{_PATHS} ('{shown}' at column {column})", position)
    if isinstance(error, UnexpectedToken):
        return XPathSyntaxError(f"unexpected {_shown(error.token)} at column {column}", position)
    if rest.startswith(("'", '"')):
        return XPathSyntaxError(f"unterminated string starting at column {column}", position)
    if rest.startswith("${"):
        return XPathSyntaxError(
            f"'${{' at column {column} must be followed by a question name and '}}'", position
        )
    return XPathSyntaxError(f"unexpected character '{rest[0]}' at column {column}", position)


_KINDS = {"NAME": "name ", "FIELD": "", "NUMBER": "number ", "STRING": "string "}


def _shown(token: Token) -> str:
    text = str(token)
    if len(text) > 30:
        text = text[:29] + "…"
    if token.type in _KINDS:
        return _KINDS[token.type] + text
    return f"'{text}'"


@v_args(inline=True)
class _Build(Transformer[Token, Node]):
    """Tokens and rules into nodes; the checks that need a position happen here."""

    def __init__(self, expr: str, columns: bool) -> None:
        super().__init__()
        self.expr = expr
        self.columns = columns

    def number(self, token: Token) -> Node:
        value = float(token)
        if not math.isfinite(value):
            raise XPathSyntaxError(f"number too large at column {_pos(token) + 1}", _pos(token))
        return {"type": "number", "value": value}

    def string(self, token: Token) -> Node:
        return {"type": "string", "value": str(token)[1:-1]}

    def field(self, token: Token) -> Node:
        return {"type": "field", "name": str(token)[2:-1]}

    def current(self, _token: Token) -> Node:
        return {"type": "current"}

    def column(self, token: Token) -> Node:
        name = str(token)
        if not self.columns:
            hint = (
                f"write {name}() for the boolean"
                if name in ("true", "false")
                else (f"refer to a question as ${{{name}}}")
            )
            raise XPathSyntaxError(
                f"unexpected name '{name}' at column {_pos(token) + 1}: {hint}", _pos(token)
            )
        return {"type": "column", "name": name}

    def negate(self, _minus: Token, operand: Node) -> Node:
        return {"type": "negate", "operand": operand}

    def binary(self, left: Node, op: Token, right: Node) -> Node:
        return {"type": "binary", "op": str(op), "left": left, "right": right}

    def call(self, name_token: Token, *args: Node) -> Node:
        name = str(name_token)
        position = _pos(name_token)
        where = f"at column {position + 1}"
        if name in UNSUPPORTED:
            raise XPathSyntaxError(
                f"function {name}() {where} is not supported: {UNSUPPORTED[name]}", position
            )
        if name not in ARITY:
            raise XPathSyntaxError(f"unknown function {name}() {where}", position)
        low, high = ARITY[name]
        if len(args) < low or (high is not None and len(args) > high):
            raise XPathSyntaxError(
                f"function {name}() {where} takes {_count(low, high)}, got {len(args)}", position
            )
        arguments = list(args)
        if name == "regex":
            arguments[1] = self._regex(arguments[1], where, position)
        return {"type": "call", "name": name, "args": arguments}

    def _regex(self, pattern: Node, where: str, position: int) -> Node:
        if pattern["type"] != "string":
            raise XPathSyntaxError(
                f"regex() {where} needs its pattern written as a quoted string", position
            )
        try:
            rewritten = canonical(pattern["value"])
        except RegexNotSupported as error:
            raise XPathSyntaxError(f"regex() pattern {where}: {error}", position) from None
        return {"type": "regex", "pattern": rewritten, "source": pattern["value"]}


def _pos(token: Token) -> int:
    return token.start_pos or 0


def _count(low: int, high: int | None) -> str:
    def plural(n: int) -> str:
        return f"{n} argument" + ("" if n == 1 else "s")

    if high is None:
        return f"at least {plural(low)}"
    if low == high:
        return plural(low)
    if high == low + 1:
        return f"{low} or {plural(high)}"
    return f"{low} to {plural(high)}"
