"""The server's evaluator of the parsed tree. `static/surveys/xpath.js` is its twin for the
page: same shape (one switch over node types, one table of functions, the same helper
names), same results; `tests/xpath_cases.json` runs through both.

Values are what XPath 1.0 knows (section 1, "Data model"): a string, a number (a float),
a boolean, and, for a question inside a repeat referred to from outside it, a node-set,
here the list of its values as strings. Every value of a form is text, as XForms stores
it: "12", "2.5", "2026-12-07", "a b c" for a select_multiple.

Numbers follow IEEE 754 doubles as JavaScript computes them, so that the page and the
server agree to the last bit: `1 div 0` is Infinity, `0 div 0` and `'' + 1` are NaN, never
an exception. The few places where Python's float functions raise or differ (division,
mod, pow, floor of NaN, `sum`'s compensated addition since Python 3.12) are written out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypedDict

Node = dict[str, Any]
Value = str | float | bool | list[str]


class Context(TypedDict, total=False):
    """What an expression may read. `values` holds each question's stored text (a list of
    texts for a question of a repeat, read from outside it); a missing question reads as "".
    `current` is the value of "." (the question a constraint belongs to), `choice` the
    columns of the choice a choice_filter is tested on, `now` the moment as ISO 8601 text
    with its offset ("2026-12-07T08:30:00.000+01:00"), which today() and now() read;
    without it they read this machine's clock."""

    values: Mapping[str, str | list[str]]
    current: str
    choice: Mapping[str, str]
    now: str


class XPathEvalError(ValueError):
    """A tree the parser could not have produced (an unknown node type or function)."""


NAN = math.nan


def evaluate(node: Node, context: Context) -> Value:
    match node["type"]:
        case "number":
            return float(node["value"])
        case "string":
            return str(node["value"])
        case "regex":
            return str(node["pattern"])
        case "field":
            return context.get("values", {}).get(node["name"], "")
        case "current":
            return context.get("current", "")
        case "column":
            return (context.get("choice") or {}).get(node["name"], "")
        case "negate":
            return -to_number(evaluate(node["operand"], context))
        case "binary":
            return _binary(node, context)
        case "call":
            return _call(node, context)
    raise XPathEvalError(f"unknown node type {node['type']!r}")


def _binary(node: Node, context: Context) -> Value:
    op = node["op"]
    left = evaluate(node["left"], context)
    if op == "or":
        return to_boolean(left) or to_boolean(evaluate(node["right"], context))
    if op == "and":
        return to_boolean(left) and to_boolean(evaluate(node["right"], context))
    right = evaluate(node["right"], context)
    if op in ("=", "!=", "<", "<=", ">", ">="):
        return compare(op, left, right)
    x, y = to_number(left), to_number(right)
    match op:
        case "+":
            return x + y
        case "-":
            return x - y
        case "*":
            return x * y
        case "div":
            return _divide(x, y)
        case "mod":
            return _mod(x, y)
    raise XPathEvalError(f"unknown operator {op!r}")


def _call(node: Node, context: Context) -> Value:
    name = node["name"]
    if name == "if":
        condition, then, otherwise = node["args"]
        return evaluate(then if to_boolean(evaluate(condition, context)) else otherwise, context)
    if name not in FUNCTIONS:
        raise XPathEvalError(f"unknown function {name}()")
    args = [evaluate(arg, context) for arg in node["args"]]
    return FUNCTIONS[name](args, context)


# --- Conversions (XPath 1.0 section 4: string(), number(), boolean()) ---------------------

# XPath's Number, with the minus sign and the whitespace number() accepts around it. The
# digits are [0-9]: Python's \d (and float()) would also read Arabic-Indic digits.
_NUMBER = re.compile(r"[ \t\r\n]*(-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))[ \t\r\n]*")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_ZONE = r"(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?"
_CLOCK = r"([0-9]{2}):([0-9]{2})(?::([0-9]{2}(?:\.[0-9]+)?))?" + _ZONE
_DATETIME = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T" + _CLOCK)
_TIME = re.compile(_CLOCK)
_SPACE = re.compile(r"[ \t\r\n]+")


def to_string(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, list):
        return value[0] if value else ""
    return value


def to_number(value: Value) -> float:
    """XPath 1.0's number(), extended as the ODK XForms specification extends it: a date
    is its count of days since 1970-01-01, a date-time the same plus the time as a
    fraction of a day (UTC), so that dates can be compared and subtracted. Beyond the
    specification, a time of day is its fraction of a day, offset ignored (both times of a
    comparison carry the device's), so that `${end} > ${start}` works on time questions
    as it does in ODK Collect, where they are typed."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    text = to_string(value)
    match = _NUMBER.fullmatch(text)
    if match:
        return float(match.group(1))
    moment = _moment(text)
    if moment is not None:
        days, seconds, offset = moment
        return days + (seconds - offset) / 86400
    match = _TIME.fullmatch(text)
    if match:
        clock = _clock(match.group(1), match.group(2), match.group(3), match.group(4))
        if clock is not None:
            return clock[0] / 86400
    return NAN


def to_boolean(value: Value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value != 0 and not math.isnan(value)
    return len(value) > 0


def format_number(x: float) -> str:
    """XPath 1.0's string() of a number: no exponent, no trailing ".0", and as many digits
    as distinguish the double from its neighbours (the shortest text that reads back to the
    same number, which both Python's repr and JavaScript's String produce)."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    digits, point = _decimal(abs(x))
    if point <= 0:
        body = "0." + "0" * -point + digits
    elif point >= len(digits):
        body = digits + "0" * (point - len(digits))
    else:
        body = digits[:point] + "." + digits[point:]
    return ("-" if x < 0 else "") + body


def _decimal(x: float) -> tuple[str, int]:
    """The shortest significant digits of a positive x and where the point goes: 0.025 is
    ("25", -1), 1200.0 is ("12", 4)."""
    mantissa, _, exponent = repr(x).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + int(exponent or 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    return stripped.rstrip("0"), point


def compare(op: str, left: Value, right: Value) -> bool:
    """XPath 1.0 section 3.4: a node-set compares true if one of its values does; booleans
    win over numbers, numbers over strings for = and !=; < <= > >= compare numbers."""
    if isinstance(left, list):
        if isinstance(right, bool):
            return compare(op, to_boolean(left), right)
        return any(compare(op, item, right) for item in left)
    if isinstance(right, list):
        if isinstance(left, bool):
            return compare(op, left, to_boolean(right))
        return any(compare(op, left, item) for item in right)
    if op in ("=", "!="):
        if isinstance(left, bool) or isinstance(right, bool):
            equal = to_boolean(left) == to_boolean(right)
        elif isinstance(left, float) or isinstance(right, float):
            equal = to_number(left) == to_number(right)
        else:
            equal = left == right
        return equal if op == "=" else not equal
    x, y = to_number(left), to_number(right)
    match op:
        case "<":
            return x < y
        case "<=":
            return x <= y
        case ">":
            return x > y
        case ">=":
            return x >= y
    raise XPathEvalError(f"unknown operator {op!r}")


def _divide(x: float, y: float) -> float:
    if y == 0:
        if x == 0 or math.isnan(x):
            return NAN
        return math.copysign(math.inf, x) * math.copysign(1.0, y)
    return x / y


def _mod(x: float, y: float) -> float:
    """XPath's mod keeps the dividend's sign (5 mod -2 is 1, -5 mod 2 is -1), like
    JavaScript's % and C's fmod."""
    if y == 0 or math.isinf(x) or math.isnan(x) or math.isnan(y):
        return NAN
    return math.fmod(x, y)


# --- Dates: days since 1970-01-01, the proleptic Gregorian calendar ----------------------
# Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms", days_from_civil and
# civil_from_days (howardhinnant.github.io/date_algorithms.html).


def days_from_civil(year: int, month: int, day: int) -> int:
    year -= month <= 2
    era = (year if year >= 0 else year - 399) // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(days: int) -> tuple[int, int, int]:
    days += 719468
    era = (days if days >= 0 else days - 146096) // 146097
    doe = days - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + (3 if mp < 10 else -9)
    return yoe + era * 400 + (month <= 2), month, day


def _days(year: str, month: str, day: str) -> int | None:
    y, m, d = int(year), int(month), int(day)
    if not 1 <= m <= 12 or d < 1:
        return None
    days = days_from_civil(y, m, d)
    return days if civil_from_days(days) == (y, m, d) else None


def _clock(
    hour: str, minute: str, second: str | None, zone: str | None
) -> tuple[float, int] | None:
    """Seconds since midnight and the zone's offset in seconds, or None if out of range."""
    h, m, s = int(hour), int(minute), float(second) if second else 0.0
    if h > 23 or m > 59 or s >= 60:
        return None
    offset = 0
    if zone and zone != "Z":
        zone_hours, zone_minutes = int(zone[1:3]), int(zone[-2:]) if len(zone) > 3 else 0
        if zone_hours > 23 or zone_minutes > 59:
            return None
        offset = (zone_hours * 3600 + zone_minutes * 60) * (-1 if zone[0] == "-" else 1)
    return h * 3600 + m * 60 + s, offset


def _moment(text: str) -> tuple[int, float, int] | None:
    """A date or a date-time: its local day (days since the epoch), its local seconds
    since midnight and its offset from UTC in seconds. A date-time without an offset is
    read as UTC."""
    match = _DATE.fullmatch(text)
    if match:
        days = _days(*match.groups())
        return None if days is None else (days, 0.0, 0)
    match = _DATETIME.fullmatch(text)
    if match:
        days = _days(match.group(1), match.group(2), match.group(3))
        clock = _clock(match.group(4), match.group(5), match.group(6), match.group(7))
        if days is None or clock is None:
            return None
        return days, clock[0], clock[1]
    return None


def _date_text(days: int) -> str:
    year, month, day = civil_from_days(days)
    if not 0 <= year <= 9999:
        return ""
    return f"{year:04d}-{month:02d}-{day:02d}"


def _local_moment(value: Value) -> tuple[int, int] | None:
    """A date, date-time or number of days as (local day, local milliseconds since
    midnight, rounded), for date() and format-date()."""
    if isinstance(value, str | list):
        text = to_string(value)
        moment = _moment(text)
        if moment is not None:
            days, milliseconds = moment[0], math.floor(moment[1] * 1000 + 0.5)
        elif _NUMBER.fullmatch(text):
            return _local_moment(to_number(text))
        else:
            return None
    else:
        number = to_number(value)
        if not math.isfinite(number):
            return None
        days = math.floor(number)
        milliseconds = math.floor((number - days) * 86400000 + 0.5)
    if milliseconds >= 86400000:
        days, milliseconds = days + 1, milliseconds - 86400000
    return days, milliseconds


def _format_date(value: Value, pattern: str) -> str:
    moment = _local_moment(value)
    if moment is None:
        return ""
    days, milliseconds = moment
    year, month, day = civil_from_days(days)
    fields = {
        "Y": f"{year:04d}",
        "y": f"{year % 100:02d}",
        "m": f"{month:02d}",
        "n": str(month),
        "d": f"{day:02d}",
        "e": str(day),
        "H": f"{milliseconds // 3600000:02d}",
        "h": str(milliseconds // 3600000),
        "M": f"{milliseconds // 60000 % 60:02d}",
        "S": f"{milliseconds // 1000 % 60:02d}",
        "3": f"{milliseconds % 1000:03d}",
    }
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern[i] == "%" and i + 1 < len(pattern) and pattern[i + 1] in fields:
            out.append(fields[pattern[i + 1]])
            i += 2
        else:
            out.append(pattern[i])
            i += 1
    return "".join(out)


def _now(context: Context) -> str:
    if "now" in context:
        return context["now"]
    return datetime.now(UTC).astimezone().isoformat(timespec="milliseconds")


# --- Functions --------------------------------------------------------------------------


def _items(args: list[Value]) -> list[Value]:
    """The arguments with every node-set spread into its values."""
    out: list[Value] = []
    for arg in args:
        if isinstance(arg, list):
            out.extend(arg)
        else:
            out.append(arg)
    return out


def _tokens(value: Value) -> list[str]:
    return [token for token in _SPACE.split(to_string(value)) if token]


def _signed_zero(result: float, x: float) -> float:
    """A zero result takes x's sign, as JavaScript's Math.floor, ceil and trunc give it
    (Math.ceil(-0.5) is -0); Python's math functions return an int and lose it."""
    return math.copysign(0.0, x) if result == 0 else result


def _integer(x: float) -> float:
    return x if not math.isfinite(x) else _signed_zero(float(math.trunc(x)), x)


def _floor_number(x: float) -> float:
    return x if not math.isfinite(x) else _signed_zero(float(math.floor(x)), x)


def _ceiling(x: float) -> float:
    return x if not math.isfinite(x) else _signed_zero(float(math.ceil(x)), x)


def _round(args: list[Value]) -> float:
    """XPath 1.0's round, halves toward positive infinity (2.5 is 3, -2.5 is -2), with the
    ODK XForms specification's number of decimals (negative: tens, hundreds). It rounds the
    number as written, its shortest decimal form, as ODK Collect does (BigDecimal of the
    double's text): 2.675 is 2.68 although the double nearest 2.675 lies just below it."""
    x = to_number(args[0])
    places = to_number(args[1]) if len(args) > 1 else 0.0
    if math.isnan(places):
        return NAN
    if not math.isfinite(x) or x == 0:
        return x
    digits, point = _decimal(abs(x))
    keep = point + int(_integer(max(min(places, 400.0), -400.0)))
    if keep >= len(digits):
        return x
    head = int(digits[:keep]) if keep > 0 else 0
    dropped = digits[keep:] if keep >= 0 else "0"
    # A half goes up for a positive number, toward zero for a negative one.
    if dropped[0] > "5" or (dropped[0] == "5" and (x > 0 or len(dropped) > 1)):
        head += 1
    return float(f"{'-' if x < 0 else ''}{head}e{point - keep}")


def _substr(args: list[Value]) -> str:
    """ODK's substr(s, start, end): 0-based, end excluded, negative indices counted from
    the end, everything clamped to the text."""
    chars = list(to_string(args[0]))

    def index(value: Value) -> int:
        i = _integer(to_number(value))
        if math.isnan(i):
            return 0
        if i < 0:
            i = max(0.0, len(chars) + i)
        return int(min(i, float(len(chars))))

    start = index(args[1])
    end = index(args[2]) if len(args) > 2 else len(chars)
    return "".join(chars[start:end])


def _translate(args: list[Value]) -> str:
    text, source, target = (to_string(arg) for arg in args)
    out: list[str] = []
    for char in text:
        i = source.find(char)
        if i < 0:
            out.append(char)
        elif i < len(target):
            out.append(target[i])
    return "".join(out)


def _substring_before(args: list[Value]) -> str:
    text, part = to_string(args[0]), to_string(args[1])
    i = text.find(part)
    return text[:i] if i >= 0 else ""


def _substring_after(args: list[Value]) -> str:
    text, part = to_string(args[0]), to_string(args[1])
    i = text.find(part)
    return text[i + len(part) :] if i >= 0 else ""


def _selected_at(args: list[Value]) -> str:
    tokens = _tokens(args[0])
    i = _integer(to_number(args[1]))
    return tokens[int(i)] if math.isfinite(i) and 0 <= i < len(tokens) else ""


def _sum(args: list[Value]) -> float:
    total = 0.0
    for item in _items(args):
        total += to_number(item)
    return total


def _extreme(args: list[Value], larger: bool) -> float:
    """max() and min(): NaN when there is no value or when one is not a number (an empty
    answer in a repeat included), as ODK Collect does."""
    numbers = [to_number(item) for item in _items(args)]
    if not numbers or any(math.isnan(n) for n in numbers):
        return NAN
    best = numbers[0]
    for n in numbers[1:]:
        if (n > best) if larger else (n < best):
            best = n
    return best


def _pow(x: float, y: float) -> float:
    """XPath 3.0's math:pow (IEEE 754-2008 pow: 1 to any power is 1, -1 to an infinite
    power is 1). An integer exponent is worked out by repeated squaring, the same
    multiplications in both evaluators, since the engines' own pow differ in the last bit
    (V8 gives 0.00009999999999999999 for 10 to the -4); an exponent of 0.5 is a square
    root, exact in both. Other exponents use the platform's pow: the page and the server
    may then differ in the last bit."""
    if math.isfinite(y) and y.is_integer() and abs(y) <= 2**53:
        n, result, base = int(abs(y)), 1.0, x
        while n > 0:
            if n % 2 == 1:
                result *= base
            base *= base
            n //= 2
        return _divide(1.0, result) if y < 0 else result
    if y == 0.5 and x >= 0:
        return math.sqrt(x) + 0.0  # + 0.0: the square root of -0 is -0, its power 0.5 is 0
    try:
        return math.pow(x, y)
    except OverflowError:  # only a positive base reaches it with a fractional power
        return math.inf
    except ValueError:  # 0 to a negative power, or a negative base to a fractional one
        return math.inf if x == 0 else NAN


def _sqrt(x: float) -> float:
    return NAN if x < 0 else math.sqrt(x)


def _decimal_time(value: Value) -> float:
    """The ODK XForms specification's decimal-time: a time of day (or a date-time's) as a
    fraction of the day, on the clock it is written in."""
    text = to_string(value)
    moment = _moment(text)
    if moment is not None and "T" in text:
        return moment[1] / 86400
    match = _TIME.fullmatch(text)
    clock = _clock(*match.groups()) if match else None
    return NAN if clock is None else clock[0] / 86400


def _date(args: list[Value]) -> str:
    moment = _local_moment(args[0])
    return "" if moment is None else _date_text(moment[0])


def _count(value: Value) -> float:
    return float(len(value)) if isinstance(value, list) else 1.0


def _count_non_empty(value: Value) -> float:
    items = value if isinstance(value, list) else [to_string(value)]
    return float(sum(1 for item in items if item != ""))


def _once(args: list[Value], context: Context) -> Value:
    current = context.get("current", "")
    return current if current != "" else args[0]


def _current_or(args: list[Value], context: Context) -> Value:
    return args[0] if args else context.get("current", "")


Function = Callable[[list[Value], Context], Value]

FUNCTIONS: dict[str, Function] = {
    # Choices (ODK XForms specification, "Select lists").
    "selected": lambda a, c: to_string(a[1]).strip(" \t\r\n") in _tokens(a[0]),
    "count-selected": lambda a, c: float(len(_tokens(a[0]))),
    "selected-at": lambda a, c: _selected_at(a),
    # Logic.
    "coalesce": lambda a, c: a[0] if to_string(a[0]) != "" else a[1],
    "once": _once,
    "boolean": lambda a, c: to_boolean(a[0]),
    "boolean-from-string": lambda a, c: to_string(a[0]) in ("true", "1"),
    "not": lambda a, c: not to_boolean(a[0]),
    "true": lambda a, c: True,
    "false": lambda a, c: False,
    # Text.
    "string": lambda a, c: to_string(_current_or(a, c)),
    "concat": lambda a, c: "".join(to_string(item) for item in _items(a)),
    "join": lambda a, c: to_string(a[0]).join(to_string(item) for item in _items(a[1:])),
    "string-length": lambda a, c: float(len(to_string(_current_or(a, c)))),
    "substr": lambda a, c: _substr(a),
    "substring-before": lambda a, c: _substring_before(a),
    "substring-after": lambda a, c: _substring_after(a),
    "contains": lambda a, c: to_string(a[1]) in to_string(a[0]),
    "starts-with": lambda a, c: to_string(a[0]).startswith(to_string(a[1])),
    "ends-with": lambda a, c: to_string(a[0]).endswith(to_string(a[1])),
    "normalize-space": lambda a, c: " ".join(_tokens(_current_or(a, c))),
    "translate": lambda a, c: _translate(a),
    "regex": lambda a, c: re.search(to_string(a[1]), to_string(a[0])) is not None,
    # Numbers.
    "number": lambda a, c: to_number(_current_or(a, c)),
    "int": lambda a, c: _integer(to_number(a[0])),
    "round": lambda a, c: _round(a),
    "floor": lambda a, c: _floor_number(to_number(a[0])),
    "ceiling": lambda a, c: _ceiling(to_number(a[0])),
    "abs": lambda a, c: abs(to_number(a[0])),
    "pow": lambda a, c: _pow(to_number(a[0]), to_number(a[1])),
    "sqrt": lambda a, c: _sqrt(to_number(a[0])),
    "pi": lambda a, c: math.pi,
    # Repeats.
    "count": lambda a, c: _count(a[0]),
    "count-non-empty": lambda a, c: _count_non_empty(a[0]),
    "sum": lambda a, c: _sum(a),
    "max": lambda a, c: _extreme(a, larger=True),
    "min": lambda a, c: _extreme(a, larger=False),
    # Dates.
    "today": lambda a, c: _now(c)[:10],
    "now": lambda a, c: _now(c),
    "date": lambda a, c: _date(a),
    "decimal-date-time": lambda a, c: to_number(a[0]),
    "decimal-time": lambda a, c: _decimal_time(a[0]),
    "format-date": lambda a, c: _format_date(a[0], to_string(a[1])),
    "format-date-time": lambda a, c: _format_date(a[0], to_string(a[1])),
}

# How many arguments each function takes (at least, at most; None for no limit). The
# parser refuses any other count, so the functions above index their arguments freely.
ARITY: dict[str, tuple[int, int | None]] = {
    "if": (3, 3),
    "selected": (2, 2),
    "count-selected": (1, 1),
    "selected-at": (2, 2),
    "coalesce": (2, 2),
    "once": (1, 1),
    "boolean": (1, 1),
    "boolean-from-string": (1, 1),
    "not": (1, 1),
    "true": (0, 0),
    "false": (0, 0),
    "string": (0, 1),
    "concat": (1, None),
    "join": (2, None),
    "string-length": (0, 1),
    "substr": (2, 3),
    "substring-before": (2, 2),
    "substring-after": (2, 2),
    "contains": (2, 2),
    "starts-with": (2, 2),
    "ends-with": (2, 2),
    "normalize-space": (0, 1),
    "translate": (3, 3),
    "regex": (2, 2),
    "number": (0, 1),
    "int": (1, 1),
    "round": (1, 2),
    "floor": (1, 1),
    "ceiling": (1, 1),
    "abs": (1, 1),
    "pow": (2, 2),
    "sqrt": (1, 1),
    "pi": (0, 0),
    "count": (1, 1),
    "count-non-empty": (1, 1),
    "sum": (1, 1),
    "max": (1, None),
    "min": (1, None),
    "today": (0, 0),
    "now": (0, 0),
    "date": (1, 1),
    "decimal-date-time": (1, 1),
    "decimal-time": (1, 1),
    "format-date": (2, 2),
    "format-date-time": (2, 2),
}
