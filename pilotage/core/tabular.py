"""Reading the tables ministries really send: CSV with ``,`` or ``;``, UTF-8 with or
without BOM, Windows-1256 or Latin-1, and XLSX; decimal commas and Excel serial dates.

Files are streamed row by row so a 100 MB upload stays in bounded memory. Problems are
collected as (row, column, value, reason) so an import can reject a file with the whole
list at once and write nothing.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.utils.translation import gettext as _

SAMPLE_BYTES = 64 * 1024
ARABIC_RUN = re.compile(r"[\u0621-\u064a]{2,}")
EXCEL_EPOCH = dt.date(1899, 12, 30)


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return _("ligne %(row)s · colonne %(column)s · valeur « %(value)s » : %(reason)s") % {
            "row": self.row,
            "column": self.column or "—",
            "value": self.value,
            "reason": self.reason,
        }

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


class ImportRejected(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        # A multi-byte character may be cut at the end of the sample.
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3:
            return "utf-8"
    # Windows-1256 keeps the French accented letters at Latin-1's positions, so a French
    # Latin-1 file decodes the same either way; runs of Arabic letters tell 1256 apart.
    return "cp1256" if ARABIC_RUN.search(sample.decode("cp1256", errors="replace")) else "latin-1"


def _is_xlsx(head: bytes, filename: str) -> bool:
    return head.startswith(b"PK\x03\x04") or filename.lower().endswith((".xlsx", ".xlsm"))


@dataclass
class Table:
    """Header and a row iterator; ``rows`` yields ``(row_number, {column: value})`` where
    the row number is the one a spreadsheet user sees (the header is row 1)."""

    header: list[str]
    rows: Iterator[tuple[int, dict[str, Any]]]


def open_table(
    stream: IO[bytes], *, filename: str, required: list[str], optional: list[str] | None = None
) -> Table:
    """Open a CSV or XLSX stream and check its header. Raises :class:`ImportRejected`."""
    head = stream.read(SAMPLE_BYTES)
    stream.seek(0)
    if not head.strip():
        raise ImportRejected([Problem(1, "", filename, _("le fichier est vide"))])
    if _is_xlsx(head, filename):
        header, rows = _open_xlsx(stream, filename)
    else:
        header, rows = _open_csv(stream, head)
    _check_header(header, required, optional or [])
    return Table(header=header, rows=rows)


def _clean_header(cells: list[Any]) -> list[str]:
    return [str(c or "").strip().lower().lstrip("\ufeff") for c in cells]


def _open_csv(
    stream: IO[bytes], head: bytes
) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    encoding = detect_encoding(head)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    first_line = head.decode(encoding, errors="replace").lstrip("\ufeff").splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = _clean_header(next(reader))
    except (StopIteration, csv.Error) as exc:
        raise ImportRejected(
            [Problem(1, "", "", _("en-tête illisible : %(e)s") % {"e": exc})]
        ) from exc

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        number = 1
        try:
            for cells in reader:
                number += 1
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) != len(header):
                    yield (
                        number,
                        {
                            "__error__": _("%(n)s cellules au lieu de %(m)s")
                            % {"n": len(cells), "m": len(header)}
                        },
                    )
                    continue
                yield number, dict(zip(header, (c.strip() for c in cells), strict=True))
        except UnicodeDecodeError:
            yield (
                number + 1,
                {
                    "__error__": _("caractères illisibles dans l'encodage %(enc)s")
                    % {"enc": encoding}
                },
            )
        except csv.Error as exc:
            yield number + 1, {"__error__": str(exc)}

    return header, rows()


def _open_xlsx(
    stream: IO[bytes], filename: str
) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportRejected(
            [Problem(1, "", filename, _("ce fichier n'est pas un classeur XLSX lisible"))]
        ) from exc
    sheet = workbook.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    try:
        header = _clean_header(list(next(iterator)))
    except StopIteration as exc:
        raise ImportRejected([Problem(1, "", filename, _("le fichier est vide"))]) from exc
    while header and not header[-1]:
        header.pop()

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, cells in enumerate(iterator, start=2):
            values = list(cells[: len(header)]) + [None] * (len(header) - len(cells))
            if all(v is None or str(v).strip() == "" for v in values):
                continue
            yield number, {h: ("" if v is None else v) for h, v in zip(header, values, strict=True)}
        workbook.close()

    return header, rows()


def _check_header(header: list[str], required: list[str], optional: list[str]) -> None:
    problems = [
        Problem(1, col, "", _("colonne obligatoire absente"))
        for col in required
        if col not in header
    ]
    known = set(required) | set(optional)
    problems += [
        Problem(
            1,
            col,
            col,
            _("colonne inconnue (attendues : %(cols)s)") % {"cols": ", ".join(required)},
        )
        for col in header
        if col not in known
    ]
    seen: set[str] = set()
    for col in header:
        if col in seen:
            problems.append(Problem(1, col, col, _("colonne en double")))
        seen.add(col)
    if problems:
        raise ImportRejected(problems)


def parse_decimal(value: Any) -> Decimal:
    """``12,5``, ``12.5``, ``12`` or a spreadsheet number. Raises ``ValueError``."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return Decimal(str(value))
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(_("n'est pas un nombre")) from exc
    if not number.is_finite():
        raise ValueError(_("n'est pas un nombre"))
    return number


DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


def parse_date(value: Any) -> dt.date:
    """ISO dates, day-first dates, spreadsheet dates and Excel serial numbers."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d{4,5}([.,]0+)?", text):
        serial = int(re.split(r"[.,]", text)[0])
        if 1 <= serial <= 2958465:
            return EXCEL_EPOCH + dt.timedelta(days=serial)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ValueError(_("date non reconnue (attendu AAAA-MM-JJ ou JJ/MM/AAAA)"))
