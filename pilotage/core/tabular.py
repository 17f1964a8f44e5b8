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
from typing import IO, Any, cast

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
    """``total`` counts every problem found when only the first ones were kept (a file
    wrong on every one of its million rows must not fill the memory with problems)."""

    def __init__(self, problems: list[Problem], *, total: int | None = None):
        self.total = len(problems) if total is None else total
        super().__init__(f"{self.total} problem(s)")
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


class _Borrowed(io.BufferedIOBase):
    """Lends the caller's stream to a text decoder. A ``TextIOWrapper`` closes its buffer
    when it is collected; the caller owns the stream and may read it again (an import
    validates the whole file, then reads it a second time to apply it)."""

    def __init__(self, stream: IO[bytes]):
        super().__init__()
        self._stream = stream

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return self._stream.read(-1 if size is None else size)

    def read1(self, size: int = -1) -> bytes:
        read1 = getattr(self._stream, "read1", None)
        return read1(size) if read1 is not None else self._stream.read(size)


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
    text = io.TextIOWrapper(cast(IO[bytes], _Borrowed(stream)), encoding=encoding, newline="")
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
        width = len(header)
        strip = str.strip
        try:
            for cells in reader:
                number += 1
                if len(cells) != width:
                    if "".join(cells).strip():
                        yield (
                            number,
                            {
                                "__error__": ngettext(
                                    "%(n)s cellule au lieu de %(m)s",
                                    "%(n)s cellules au lieu de %(m)s",
                                    len(cells),
                                )
                                % {"n": len(cells), "m": width}
                            },
                        )
                    continue
                values = list(map(strip, cells))
                if any(values):
                    yield number, dict(zip(header, values, strict=True))
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
            yield (
                number,
                {
                    h: "" if v is None else v.strip() if isinstance(v, str) else v
                    for h, v in zip(header, values, strict=True)
                },
            )
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
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
DAY_FIRST_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")
SERIAL_DATE = re.compile(r"(\d{4,5})(?:[.,]0+)?")


def parse_date(value: Any) -> dt.date:
    """ISO dates, day-first dates, spreadsheet dates and Excel serial numbers."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    # The two usual shapes are read directly: strptime costs microseconds a row, which
    # counts on a million-row import. DATE_FORMATS stays the reference for the rest.
    parts: tuple[str, ...] | None = None
    if match := ISO_DATE.fullmatch(text):
        parts = match.group(1, 2, 3)
    elif match := DAY_FIRST_DATE.fullmatch(text):
        parts = match.group(4, 3, 1)
    if parts:
        try:
            return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
        except ValueError:
            pass
    match = SERIAL_DATE.fullmatch(text)
    if match:
        serial = int(match.group(1))
        if 1 <= serial <= 2958465:
            return EXCEL_EPOCH + dt.timedelta(days=serial)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ValueError(_("date non reconnue (attendu AAAA-MM-JJ ou JJ/MM/AAAA)"))


def cell_text(value: Any) -> str:
    """A cell as text: a spreadsheet's whole number ``12.0`` reads ``12`` (a class named
    ``1``, a PPR typed as a number), empty cells read ``""``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
