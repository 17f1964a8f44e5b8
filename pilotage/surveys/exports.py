"""A survey's complete submissions as tables: an XLSX workbook, or a zip of CSV files with
the same sheets.

One sheet for the main level (one row per submission), one per repeat group (one row per
repeat instance, carrying its submission's key ``_submission`` and its ``_index``, 1-based,
so the sheets join in any spreadsheet or statistics package; a repeat inside a repeat
also carries ``_parent_index``), and a ``questions`` sheet with each column's label in
French and Arabic and its type. Columns follow the form's order (the current version's);
a select_multiple is its names as stored plus one 0/1 column per option
(``needs/training``). Each submission carries its stratum, its design weight and the
weight the analysis uses (after the non-response adjustment, ``analysis.py``).

The CSV files are UTF-8 with a byte-order mark: without it Excel reads them in the
machine's legacy code page and Arabic comes out as mojibake.

An answer is the respondent's text, never a formula: in the workbook a text starting with
``=`` is written as a text cell; in a CSV, which has no cell types, a text that a
spreadsheet would run (``=``, ``@``, ``+`` or ``-`` not followed by a digit, a tab or a
carriage return first) is prefixed with an apostrophe, the usual guard against formula
injection (OWASP, "CSV Injection").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from pilotage.core.imports import XLSX_TYPE
from pilotage.surveys.analysis import weights_by_submission
from pilotage.surveys.models import Submission, SubmissionStatus, Survey
from pilotage.surveys.rendering import SELECT_MULTIPLE, Field, form_fields

__all__ = ["CSV_ZIP_TYPE", "XLSX_TYPE", "submissions_csv_zip", "submissions_xlsx", "tables"]

CSV_ZIP_TYPE = "application/zip"
MAIN_SHEET = "submissions"
QUESTIONS_SHEET = "questions"
# Not answers: what the page shows or the form keeps for itself.
_SKIPPED = ("note", "group", "repeat")
_NUMERIC = ("integer", "decimal")
_RUNS_AS_FORMULA = re.compile(r"^(?:[=@\t\r]|[+-](?!\d))")
_MAIN_META = ["_submission", "_submitted_at", "_channel", "_stratum", "_design_weight", "_weight"]


@dataclass
class Column:
    name: str
    kind: str
    label_fr: str
    label_ar: str
    options: list[str]


@dataclass
class Level:
    """The main level or a repeat: its columns and the repeats inside it."""

    name: str
    columns: list[Column] = field(default_factory=list)
    repeats: list[Level] = field(default_factory=list)
    nested: bool = False


def _levels(fr: list[Field], ar: list[Field], level: Level, found: list[Level]) -> None:
    for f, g in zip(fr, ar, strict=True):
        if f.kind == "group":
            _levels(f.children, g.children, level, found)
        elif f.kind == "repeat":
            inner = Level(f.name, nested=level.name != MAIN_SHEET)
            found.append(inner)
            level.repeats.append(inner)
            _levels(f.children, g.children, inner, found)
        elif f.kind not in _SKIPPED:
            level.columns.append(
                Column(f.name, f.kind, f.label, g.label, [c.name for c in f.choices])
            )


def levels(tree: dict[str, Any]) -> list[Level]:
    """The main level first, then every repeat in form order."""
    main = Level(MAIN_SHEET)
    found = [main]
    _levels(form_fields(tree, "fr"), form_fields(tree, "ar"), main, found)
    return found


def _header(level: Level) -> list[str]:
    head = (
        list(_MAIN_META)
        if level.name == MAIN_SHEET
        else ["_submission", *(["_parent_index"] if level.nested else []), "_index"]
    )
    for c in level.columns:
        head.append(c.name)
        if c.kind == SELECT_MULTIPLE:
            head.extend(f"{c.name}/{option}" for option in c.options)
    return head


def _cell(value: Any, kind: str, typed: bool) -> Any:
    if value is None or isinstance(value, list | dict):
        return None
    text = str(value)
    if typed and kind in _NUMERIC and text:
        try:
            number = float(text)
        except ValueError:
            return text
        return int(number) if kind == "integer" and number.is_integer() else number
    return text


def _answers(level: Level, data: dict[str, Any], typed: bool) -> list[Any]:
    row: list[Any] = []
    for c in level.columns:
        value = data.get(c.name)
        row.append(_cell(value, c.kind, typed))
        if c.kind == SELECT_MULTIPLE:
            chosen = set(str(value).split()) if isinstance(value, str) and value else None
            row.extend(None if chosen is None else int(option in chosen) for option in c.options)
    return row


def _instances(
    level: Level, data: dict[str, Any], key: str, parent: str, typed: bool
) -> Iterator[tuple[Level, list[Any]]]:
    """The rows of the repeats of ``level`` in one submission's (or instance's) answers."""
    for repeat in level.repeats:
        items = data.get(repeat.name)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                continue
            index = f"{parent}.{i}" if parent else str(i)
            lead: list[Any] = [
                key,
                *([parent] if repeat.nested else []),
                index if repeat.nested else i,
            ]
            yield repeat, lead + _answers(repeat, item, typed)
            yield from _instances(repeat, item, key, index, typed)


def _when(value: dt.datetime | None, typed: bool) -> Any:
    if value is None:
        return None
    local = timezone.localtime(value)
    return local.replace(tzinfo=None) if typed else local.isoformat()


def tables(survey: Survey, *, typed: bool) -> list[tuple[str, list[list[Any]]]]:
    """Every sheet as (name, rows with the header first). ``typed``: numbers and dates as
    such (XLSX), else text as stored (CSV). Three queries: the form, the weights, the
    answers."""
    form = survey.current_form
    tree: dict[str, Any] = form.tree if form is not None else {}
    found = levels(tree)
    sheets: dict[str, list[list[Any]]] = {level.name: [_header(level)] for level in found}
    weights = weights_by_submission(survey)
    rows = (
        Submission.objects.filter(survey=survey, status=SubmissionStatus.COMPLETE)
        .order_by("submitted_at", "pk")
        .values_list("pk", "instance_id", "submitted_at", "channel", "data")
    )
    main = found[0]
    for pk, instance_id, submitted_at, channel, data in rows:
        key = str(instance_id)
        stratum, design, weight = weights.get(pk, ("", None, 1.0))
        answers = data if isinstance(data, dict) else {}
        sheets[MAIN_SHEET].append(
            [key, _when(submitted_at, typed), channel, stratum, design, weight]
            + _answers(main, answers, typed)
        )
        for level, row in _instances(main, answers, key, "", typed):
            sheets[level.name].append(row)
    questions: list[list[Any]] = [["name", "label_fr", "label_ar", "type", "sheet"]]
    for level in found:
        for c in level.columns:
            questions.append([c.name, c.label_fr, c.label_ar, c.kind, level.name])
    return [*sheets.items(), (QUESTIONS_SHEET, questions)]


def _inert(value: Any) -> Any:
    if isinstance(value, str) and _RUNS_AS_FORMULA.match(value):
        return "'" + value
    return value


def submissions_xlsx(survey: Survey) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    for name, rows in tables(survey, typed=True):
        sheet = book.create_sheet(name[:31])
        for row in rows:
            cells: list[Any] = []
            for value in row:
                if isinstance(value, str) and value.startswith("="):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.data_type = "s"
                    cells.append(cell)
                else:
                    cells.append(value)
            sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def submissions_csv_zip(survey: Survey) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in tables(survey, typed=False):
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerows(["" if v is None else _inert(v) for v in row] for row in rows)
            archive.writestr(f"{name}.csv", text.getvalue().encode("utf-8-sig"))
    return buffer.getvalue()
