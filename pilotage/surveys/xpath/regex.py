"""The regular expressions `regex(s, pattern)` accepts, rewritten once into a form that
Python's `re` and JavaScript's `RegExp(pattern, "u")` read the same way.

The two dialects disagree on details a form author never thinks about: in Python `\\d` and
`\\w` match Arabic-Indic digits and letters of every script while in JavaScript they are
ASCII only, `$` matches before a final newline in Python and not in JavaScript, `.` stops
at `\\r` only in JavaScript, `{` and `]` are literal in one and an error in the other. So
the server accepts a small common subset, checks it when the form is parsed, and stores an
equivalent pattern built only from constructs both engines agree on:

- literal characters; `\\` before one of ``^ $ \\ . * + ? ( ) [ ] { } | -`` and ``/``;
  `\\n`, `\\t`, `\\r`;
- `.` (any character but a line feed), `\\d \\D \\w \\W \\s \\S`, with their ASCII meaning
  (`\\s` is space, tab, CR, LF, vertical tab and form feed);
- classes `[...]` and `[^...]` of characters, ranges `a-z`, and `\\d \\w \\s` inside them;
  a literal `-` first or last, a literal `]` or `[` escaped;
- `^` and `$` (start and very end of the text), groups `(...)` and `(?:...)`, `|`;
- quantifiers `* + ? {n} {n,} {n,m}`, each optionally lazy (`?` after it).

Everything else (back-references, look-arounds, named groups, inline flags, `\\b`, Unicode
classes, possessive quantifiers) is refused with a message saying what to write instead.
The pattern must match the whole value, as in ODK Collect (JavaRosa's regex() is Java's
`Pattern.matches`): `regex(., '[0-9]{10}')` refuses "a0612345678b". The ODK XForms
specification only says "the result of regex test", which Enketo reads as a search; the
whole-value reading is the one that never accepts what Collect would refuse.
"""

from __future__ import annotations

import re

_SYNTAX = set("^$\\.*+?()[]{}|")
_ESCAPABLE = _SYNTAX | {"-", "/"}
_CONTROL = {"n": "\n", "t": "\t", "r": "\r"}
_CONTROL_OUT = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\v": "\\v", "\f": "\\f"}
# The ASCII sets, spelled out so neither engine's own idea of \d, \w, \s takes part.
_SHORTHAND = {"d": "0-9", "w": "A-Za-z0-9_", "s": "\\t\\n\\v\\f\\r "}
# End of the text, and only there: no character follows. ([\s\S] is every character in
# both engines.)
_END = "(?![\\s\\S])"
_QUANTIFIER = re.compile(r"\{([0-9]+)(,([0-9]*))?\}")


class RegexNotSupported(ValueError):
    """A pattern outside the common subset; the message says which part and why."""


def canonical(pattern: str) -> str:
    """The pattern both evaluators search for, anchored at both ends so that it must match
    the whole value; or `RegexNotSupported` naming the first problem."""
    out: list[str] = []
    i = 0
    depth = 0
    can_repeat = False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            atom, i = _escape(pattern, i)
            out.append(atom)
            can_repeat = True
        elif c == "[":
            atom, i = _char_class(pattern, i)
            out.append(atom)
            can_repeat = True
        elif c == "(":
            if pattern.startswith("(?:", i):
                out.append("(?:")
                i += 3
            elif pattern.startswith("(?", i):
                raise RegexNotSupported(
                    f"'(?' at character {i + 1}: only plain groups (...) and (?:...) are supported"
                )
            else:
                out.append("(")
                i += 1
            depth += 1
            can_repeat = False
        elif c == ")":
            if depth == 0:
                raise RegexNotSupported(f"')' at character {i + 1} closes no group")
            depth -= 1
            out.append(")")
            i += 1
            can_repeat = True
        elif c in "*+?{":
            if not can_repeat:
                raise RegexNotSupported(
                    f"'{c}' at character {i + 1} repeats nothing; write \\{c} for the character"
                )
            if c == "{":
                match = _QUANTIFIER.match(pattern, i)
                if match is None:
                    raise RegexNotSupported(
                        f"'{{' at character {i + 1} must start a repetition such as {{2}}, "
                        "{2,} or {2,5}; write \\{ for the character"
                    )
                low, high = match.group(1), match.group(3)
                if high and int(high) < int(low):
                    raise RegexNotSupported(f"{match.group(0)} repeats at least more than at most")
                out.append(match.group(0))
                i = match.end()
            else:
                out.append(c)
                i += 1
            if i < len(pattern) and pattern[i] == "?":
                out.append("?")
                i += 1
            if i < len(pattern) and pattern[i] in "*+?{":
                raise RegexNotSupported(
                    f"'{pattern[i]}' at character {i + 1} repeats a repetition; "
                    "use a group (...) to repeat it again"
                )
            can_repeat = False
        elif c in "]}":
            raise RegexNotSupported(f"write \\{c} for a literal '{c}' (character {i + 1})")
        else:
            if c == "^":
                out.append("^")
            elif c == "$":
                out.append(_END)
            elif c == "|":
                out.append("|")
            elif c == ".":
                out.append("[^\\n]")
            else:
                out.append(_literal(c))
            can_repeat = c not in "^$|"
            i += 1
    if depth:
        raise RegexNotSupported("a group ( is not closed by )")
    return "^(?:" + "".join(out) + ")" + _END


def _literal(c: str) -> str:
    if c in _SYNTAX:
        return "\\" + c
    return _CONTROL_OUT.get(c, c)


def _escape(pattern: str, i: int) -> tuple[str, int]:
    """The escape starting at pattern[i] (a backslash), outside a class."""
    if i + 1 >= len(pattern):
        raise RegexNotSupported("the pattern ends with a lone \\")
    c = pattern[i + 1]
    if c.lower() in _SHORTHAND:
        negated = "^" if c.isupper() else ""
        return f"[{negated}{_SHORTHAND[c.lower()]}]", i + 2
    if c in _CONTROL:
        return _literal(_CONTROL[c]), i + 2
    if c in _ESCAPABLE:
        return ("\\" + c if c in _SYNTAX else c), i + 2
    raise RegexNotSupported(f"\\{c} at character {i + 1} is not supported")


def _char_class(pattern: str, start: int) -> tuple[str, int]:
    """The class opening at pattern[start] ('['), rewritten; and the index after its ']'."""
    i = start + 1
    negated = pattern.startswith("^", i)
    if negated:
        i += 1
    # Each item is (text, kind): "char" a character, "set" a spelled-out set such as 0-9,
    # "dash" an unescaped '-' (a range, or a literal when first or last).
    items: list[tuple[str, str]] = []
    while True:
        if i >= len(pattern):
            raise RegexNotSupported(f"the class [ at character {start + 1} is not closed by ]")
        c = pattern[i]
        if c == "]":
            break
        if c == "[":
            raise RegexNotSupported(f"write \\[ for a '[' inside a class (character {i + 1})")
        if c != "\\":
            items.append((c, "dash" if c == "-" else "char"))
            i += 1
            continue
        if i + 1 >= len(pattern):
            raise RegexNotSupported("the pattern ends with a lone \\")
        e = pattern[i + 1]
        if e in _SHORTHAND:
            items.append((_SHORTHAND[e], "set"))
        elif e.lower() in _SHORTHAND:
            raise RegexNotSupported(
                f"\\{e} inside a class (character {i + 1}) is not supported; "
                f"write [^...] around \\{e.lower()} instead"
            )
        elif e in _CONTROL:
            items.append((_CONTROL[e], "char"))
        elif e in _ESCAPABLE:
            items.append((e, "char"))
        else:
            raise RegexNotSupported(f"\\{e} at character {i + 1} is not supported")
        i += 2
    if not items:
        raise RegexNotSupported(f"the class at character {start + 1} is empty")
    return "[" + ("^" if negated else "") + _class_body(items, start) + "]", i + 1


def _class_body(items: list[tuple[str, str]], start: int) -> str:
    out: list[str] = []
    k = 0
    while k < len(items):
        text, kind = items[k]
        if k + 1 < len(items) - 1 and items[k + 1][1] == "dash":
            high, high_kind = items[k + 2]
            if kind != "char" or high_kind != "char":
                raise RegexNotSupported(
                    f"a range in the class at character {start + 1} must join two characters"
                )
            if ord(high) < ord(text):
                raise RegexNotSupported(f"the range {text}-{high} runs backwards")
            out.append(f"{_class_char(text)}-{_class_char(high)}")
            k += 3
            continue
        if kind == "dash" and 0 < k < len(items) - 1:
            raise RegexNotSupported(
                f"'-' in the class at character {start + 1} joins no range; "
                "put it first or last, or write \\-"
            )
        out.append(text if kind == "set" else _class_char(text))
        k += 1
    return "".join(out)


def _class_char(c: str) -> str:
    # & and ~ are written as hexadecimal escapes: doubled, Python reads them as the set
    # operations it may add one day (and warns), while JavaScript's "u" mode refuses \& and \~.
    if c in _SYNTAX or c == "-":
        return "\\" + c
    if c in "&~":
        return f"\\x{ord(c):02x}"
    return _CONTROL_OUT.get(c, c)
