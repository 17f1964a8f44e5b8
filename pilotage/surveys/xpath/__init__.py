"""XPath for XLSForm expressions (relevant, constraint, calculation, choice_filter,
repeat_count, default): parsed once on the server into a JSON tree, evaluated by
`evaluate` here and by `static/surveys/xpath.js` in the page, with the same results.

    ast = parse("${age} >= 18 and selected(${consent}, 'yes')")
    references(ast)                      # {"age", "consent"}
    evaluate(ast, {"values": {"age": "21", "consent": "yes"}})   # True

The rules are XPath 1.0's with the ODK XForms specification's functions. The choices
where the two engines, or the specifications, left room:

- evaluate returns a float for a number; to_string writes it as XPath's string() does
  (3.0 is "3", 1e-7 is "0.0000001", never an exponent), identically in the page.
- number() also reads dates and date-times (days since 1970-01-01, as the specification
  says) and times of day (a fraction of a day, an extension), so dates compare and
  subtract; = compares exactly (0.1 + 0.2 = 0.3 is false, as in XPath 1.0).
- regex() takes a quoted pattern from a subset both regex engines read alike (regex.py),
  and matches the whole value, as ODK Collect does.
- round() rounds the number as written, halves toward positive infinity; pow() with an
  integer exponent is computed the same way on both sides; functions whose last digit
  would differ between the engines (log, sin, ...) are refused by the parser.
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
