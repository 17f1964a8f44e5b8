"""XLSForm in, a checked form out: pyxform compiles, we add what it does not check.

pyxform (the ODK reference implementation) turns the workbook into its JSON tree and the
XForm XML, and stops at the first error it meets. Around it this module:

- refuses what is not a workbook (by its bytes), a file too large or a zip that inflates
  too much, before anything is parsed;
- refuses a workbook of several sheets without a ``survey`` one (a single sheet is the
  survey, as pyxform reads it);
- gives every problem its sheet, row and column — pyxform names the row in most messages,
  and for an unknown type we find the row ourselves;
- parses every expression (``relevant``, ``constraint``, ``calculation``, ``choice_filter``,
  ``repeat_count``, ``required`` and ``default`` when they are expressions) with our XPath
  grammar, the one the web form evaluates, and refuses calculations that depend on each
  other in a circle — pyxform accepts both, and the form would fail in the field;
- lists the questions our web form cannot show (a geopoint, a barcode…) as warnings: the
  XForm still opens in ODK Collect.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert, get_xlsform

from pilotage.core.tabular import ImportRejected, check_xlsx_members, clip
from pilotage.surveys import xpath
from pilotage.surveys.rendering import parse_expression

MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
XLSX = "xlsx"
XLS = "xls"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Question types the web form answers (pyxform's JSON names); the metadata ones are filled
# by the server.
ANSWERED = {
    "text",
    "integer",
    "decimal",
    "date",
    "time",
    "dateTime",
    "select one",
    "select all that apply",
    "note",
    "acknowledge",
    "calculate",
    "image",
    "photo",
    "file",
}
CONTAINERS = {"group", "repeat"}
METADATA = {"start", "end", "today", "deviceid", "username", "email", "phonenumber", "audit"}

# Where an expression sits in the JSON tree, and the XLSForm column it came from.
_EXPRESSIONS = (
    (("bind", "relevant"), "relevant"),
    (("bind", "constraint"), "constraint"),
    (("bind", "calculate"), "calculation"),
    (("bind", "required"), "required"),
    (("choice_filter",), "choice_filter"),
    (("control", "jr:count"), "repeat_count"),
)
_ROW = re.compile(r"^\[row : (\d+)\]\s*")
_SHEET = re.compile(r"the '(\w+)' sheet", re.IGNORECASE)
_UNKNOWN_TYPE = re.compile(r"Unknown question type '([^']*)'")
_BOOLEAN_WORDS = {"yes", "no", "true", "false", "true()", "false()", ""}


@dataclass(frozen=True)
class FormProblem:
    sheet: str
    row: int | None
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = _("feuille %(sheet)s") % {"sheet": self.sheet or "—"}
        if self.row:
            where += " · " + _("ligne %(row)s") % {"row": self.row}
        if self.column:
            where += " · " + _("colonne %(column)s") % {"column": self.column}
        if self.value:
            where += " · " + _("valeur « %(value)s »") % {"value": clip(self.value)}
        return f"{where} : {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": clip(self.value),
            "reason": self.reason,
        }


class XLSFormRejected(Exception):
    def __init__(self, problems: list[FormProblem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class CompiledForm:
    """What a form version keeps: pyxform's tree (the web form renders it), the XForm (for
    ODK Collect and Enketo), the languages and the warnings."""

    form_id: str
    version: str
    title: str
    tree: dict[str, Any]
    xform: str
    languages: list[str]
    default_language: str
    warnings: list[str] = field(default_factory=list)
    file_type: str = XLSX


def file_type_of(data: bytes, name: str) -> str:
    """``xlsx`` or ``xls`` from the bytes; anything else is refused with the file's name."""
    if not data:
        raise XLSFormRejected([FormProblem("", None, "", name, _("le fichier est vide"))])
    if len(data) > MAX_BYTES:
        raise XLSFormRejected(
            [
                FormProblem(
                    "",
                    None,
                    "",
                    name,
                    _("%(size)s Mo : un formulaire XLSForm fait au plus %(max)s Mo")
                    % {"size": f"{len(data) / 1048576:.1f}", "max": MAX_BYTES // 1048576},
                )
            ]
        )
    if data.startswith(_OLE):
        return XLS
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "xl/workbook.xml" in archive.NameToInfo:
                    try:
                        check_xlsx_members(archive, name, max_unpacked=MAX_UNPACKED_BYTES)
                    except ImportRejected as exc:
                        raise XLSFormRejected(
                            [FormProblem("", None, "", name, p.reason) for p in exc.problems]
                        ) from exc
                    return XLSX
        except (zipfile.BadZipFile, OSError, ValueError):
            pass
    raise XLSFormRejected(
        [
            FormProblem(
                "",
                None,
                "",
                name,
                _(
                    "ce fichier n'est pas un classeur Excel (.xlsx ou .xls) : un XLSForm a "
                    "ses feuilles survey, choices et settings"
                ),
            )
        ]
    )


def _rows_by_path(survey: list[dict[str, Any]]) -> dict[tuple[str, ...], int]:
    """Each question's path of names → its row on the survey sheet (the header is row 1)."""
    found: dict[tuple[str, ...], int] = {}
    stack: list[str] = []
    for index, row in enumerate(survey):
        kind = str(row.get("type") or "").strip().lower().replace("_", " ")
        name = str(row.get("name") or "").strip()
        if kind.startswith("end ") and kind.split()[1] in ("group", "repeat", "loop"):
            if stack:
                stack.pop()
            continue
        if name:
            found.setdefault((*stack, name), index + 2)
        if kind.startswith("begin ") and kind.split()[1] in ("group", "repeat", "loop"):
            stack.append(name)
    return found


def _row_of_type(survey: list[dict[str, Any]], kind: str) -> int | None:
    for index, row in enumerate(survey):
        if str(row.get("type") or "").strip().split(" ")[0] == kind.split(" ")[0]:
            return index + 2
    return None


def _from_pyxform(exc: PyXFormError, survey: list[dict[str, Any]]) -> FormProblem:
    message = str(exc).strip()
    row: int | None = None
    value = ""
    column = ""
    if match := _ROW.match(message):
        row = int(match.group(1))
        message = message[match.end() :]
    sheet_match = _SHEET.search(message)
    sheet = sheet_match.group(1).lower() if sheet_match else "survey"
    if unknown := _UNKNOWN_TYPE.search(message):
        value = unknown.group(1)
        column = "type"
        row = row or _row_of_type(survey, value)
        return FormProblem(sheet, row, column, value, _("type de question inconnu"))
    return FormProblem(sheet, row, column, value, message)


def _walk(
    node: dict[str, Any], path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    for child in node.get("children", []) or []:
        child_path = (*path, str(child.get("name", "")))
        yield child_path, child
        if child.get("children"):
            yield from _walk(child, child_path)


def _dig(node: dict[str, Any], keys: tuple[str, ...]) -> Any:
    value: Any = node
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def languages_of(tree: dict[str, Any]) -> list[str]:
    """The form's languages as pyxform names them (``Français (fr)``), in the order met."""
    seen: dict[str, None] = {}
    for _path, node in _walk(tree):
        label = node.get("label")
        if isinstance(label, dict):
            seen.update(dict.fromkeys(label))
    return list(seen)


def _check_expressions(
    tree: dict[str, Any], rows: dict[tuple[str, ...], int]
) -> tuple[list[FormProblem], list[str]]:
    problems: list[FormProblem] = []
    warnings: list[str] = []
    calculations: dict[str, Any] = {}
    calculation_rows: dict[str, int | None] = {}
    for path, node in _walk(tree):
        row = rows.get(path)
        kind = str(node.get("type", ""))
        if path and path[0] == "meta":
            continue
        for keys, column in _EXPRESSIONS:
            expression = _dig(node, keys)
            if not isinstance(expression, str) or not expression.strip():
                continue
            if column == "required" and expression.strip().lower() in _BOOLEAN_WORDS:
                continue
            if column == "repeat_count" and expression.strip().isdigit():
                continue
            try:
                parsed = parse_expression(expression, columns=column == "choice_filter")
            except xpath.XPathSyntaxError as exc:
                problems.append(
                    FormProblem(
                        "survey",
                        row,
                        column,
                        expression,
                        _("expression illisible : %(reason)s") % {"reason": exc},
                    )
                )
                continue
            if column == "calculation":
                calculations[path[-1]] = parsed
                calculation_rows[path[-1]] = row
        if kind not in ANSWERED | CONTAINERS | METADATA and node.get("name") != "meta":
            warnings.append(
                _(
                    "ligne %(row)s : la question « %(name)s » (%(type)s) ne peut pas être "
                    "remplie dans le formulaire web ; elle reste dans l'XForm pour ODK Collect"
                )
                % {"row": row or "—", "name": node.get("name", ""), "type": kind}
            )
    try:
        xpath.dependency_order(calculations)
    except xpath.CircularReference as exc:
        first = exc.cycle[0]
        problems.append(
            FormProblem(
                "survey",
                calculation_rows.get(first),
                "calculation",
                " → ".join(exc.cycle),
                _("ces calculs dépendent les uns des autres en boucle"),
            )
        )
    return problems, warnings


def compile_xlsform(data: bytes, *, name: str = "formulaire.xlsx") -> CompiledForm:
    """The checked form, or :class:`XLSFormRejected` with every problem found."""
    file_type = file_type_of(data, name)
    try:
        workbook = get_xlsform(xlsform=io.BytesIO(data), file_type=f".{file_type}")
    except (PyXFormError, ValueError, KeyError, OSError, zipfile.BadZipFile) as exc:
        raise XLSFormRejected(
            [FormProblem("", None, "", name, _("classeur illisible : %(e)s") % {"e": exc})]
        ) from exc
    sheets = {s.lower() for s in (workbook.sheet_names or [])}
    # A workbook of one sheet is its survey, whatever its name (as pyxform reads it).
    if "survey" not in sheets and not (len(sheets) == 1 and workbook.survey):
        raise XLSFormRejected(
            [
                FormProblem(
                    "survey",
                    None,
                    "",
                    ", ".join(workbook.sheet_names or [])[:80],
                    _("le classeur n'a pas de feuille « survey » (celle des questions)"),
                )
            ]
        )
    survey = list(workbook.survey or [])
    if not any(row for row in survey):
        raise XLSFormRejected(
            [FormProblem("survey", None, "", "", _("la feuille « survey » est vide"))]
        )
    warnings: list[str] = []
    try:
        result = convert(xlsform=io.BytesIO(data), file_type=f".{file_type}", warnings=warnings)
    except PyXFormError as exc:
        raise XLSFormRejected([_from_pyxform(exc, survey)]) from exc
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise XLSFormRejected([FormProblem("", None, "", "", str(exc))]) from exc
    tree = result._pyxform or {}
    problems, unanswered = _check_expressions(tree, _rows_by_path(survey))
    if problems:
        raise XLSFormRejected(problems)
    languages = languages_of(tree)
    return CompiledForm(
        form_id=str(tree.get("id_string") or ""),
        version=str(tree.get("version") or ""),
        title=str(tree.get("title") or tree.get("id_string") or ""),
        tree=tree,
        xform=result.xform,
        languages=languages,
        default_language=str(tree.get("default_language") or (languages or ["default"])[0]),
        warnings=[*warnings, *unanswered],
        file_type=file_type,
    )
