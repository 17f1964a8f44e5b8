"""XPath for XLSForm expressions (relevant, constraint, calculation, choice_filter,
repeat_count, default): parsed once on the server into a JSON tree, evaluated by
`evaluate` here and by `static/surveys/xpath.js` in the page, with the same results.

    ast = parse("${age} >= 18 and selected(${consent}, 'yes')")
    references(ast)                      # {"age", "consent"}
    evaluate(ast, {"values": {"age": "21", "consent": "yes"}})   # True
"""

from .dependencies import CircularReference, columns, dependency_order, references
from .evaluate import (
    ARITY,
    Context,
    Value,
    XPathEvalError,
    compare,
    evaluate,
    format_number,
    to_boolean,
    to_number,
    to_string,
)
from .parse import UNSUPPORTED, Node, XPathSyntaxError, parse

__all__ = [
    "ARITY",
    "UNSUPPORTED",
    "CircularReference",
    "Context",
    "Node",
    "Value",
    "XPathEvalError",
    "XPathSyntaxError",
    "columns",
    "compare",
    "dependency_order",
    "evaluate",
    "format_number",
    "parse",
    "references",
    "to_boolean",
    "to_number",
    "to_string",
]
