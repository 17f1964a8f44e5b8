"""Reading the tables ministries really send: CSV with ``,`` or ``;``, UTF-8 with or
without BOM, Windows-1256 or Latin-1, and XLSX; decimal commas and Excel serial dates.

Files are streamed row by row so a 100 MB upload stays in bounded memory, whatever its
content: a cell longer than ``PILOTAGE_IMPORT_MAX_CELL_CHARS`` is cut while it is read and
refused, reading stops at ``PILOTAGE_IMPORT_MAX_ROWS`` rows, and an XLSX whose members
declare more than ``PILOTAGE_IMPORT_XLSX_MAX_UNPACKED_BYTES`` or compress more than
``PILOTAGE_IMPORT_XLSX_MAX_RATIO`` times (a "zip bomb") is refused before it is parsed.
XLSX is read with expat, as a stream, not with openpyxl: openpyxl keeps a whole cell and
the whole shared-strings table in memory. Problems are collected as (row, column, value,
reason) so an import can reject a file with the whole list at once and write nothing; a
value is cut to ``VALUE_CHARS`` characters, so a message never echoes a whole cell.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import posixpath
import re
import zipfile
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any, cast
from xml.parsers import expat

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

SAMPLE_BYTES = 64 * 1024
# A value quoted in a problem is cut to this many characters (with "…").
VALUE_CHARS = 80
# Beyond this many, problems are counted but not kept: a file wrong on each of its million
# rows is rejected with the first ten thousand listed and the total.
MAX_PROBLEMS = 10_000
# Excel's own limit for a cell; no real file has longer ones.
MAX_CELL_CHARS = 32_767
MAX_ROWS = 2_000_000
XLSX_MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
XLSX_MAX_RATIO = 100
# Members smaller than this are not held to the ratio (tiny XML parts compress oddly).
XLSX_RATIO_FLOOR = 1024 * 1024
XLSX_MAX_COLUMNS = 1_000
READ_CHUNK = 64 * 1024
ARABIC_RUN = re.compile(r"[\u0621-\u064a]{2,}")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def clip(value: Any, limit: int = VALUE_CHARS) -> str:
    """A value as it may be quoted in a message: at most ``limit`` characters."""
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def reading_limit(name: str) -> int:
    """A reading limit: the ``PILOTAGE_IMPORT_<name>`` setting, or its default here."""
    return int(getattr(settings, f"PILOTAGE_IMPORT_{name}", globals()[name]))


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    value: str
    reason: str

    def __post_init__(self) -> None:
        if not isinstance(self.value, str) or len(self.value) > VALUE_CHARS:
            object.__setattr__(self, "value", clip(self.value))
        if len(self.column) > VALUE_CHARS:
            object.__setattr__(self, "column", clip(self.column))

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


class Problems:
    """Collects problems in bounded memory: the first ``MAX_PROBLEMS`` are kept, the rest
    counted. ``columns`` orders the problems of a row as the file's columns."""

    def __init__(self, columns: list[str], limit: int | None = None):
        self.kept: list[Problem] = []
        self.total = 0
        self.limit = MAX_PROBLEMS if limit is None else limit
        self._order = {c: i for i, c in enumerate(columns)}
        self.rows_read = 0

    def add(self, row: int, column: str, value: Any, reason: str) -> None:
        self.total += 1
        if len(self.kept) < self.limit:
            self.kept.append(Problem(row, column, cell_text(value), reason))

    def append(self, problem: Problem) -> None:
        self.add(problem.row, problem.column, problem.value, problem.reason)

    def add_row_error(self, row: int, values: dict[str, Any]) -> None:
        """A row the reader could not read (``"__error__"`` in its values)."""
        problem = row_problem(row, values)
        self.add(problem.row, problem.column, problem.value, problem.reason)

    def readable(self, rows: Iterable[tuple[int, dict[str, Any]]]) -> Iterator[tuple[int, dict]]:
        """The rows the reader could read; each one it could not becomes a problem.
        ``rows_read`` counts them all, read or not, as the file's size."""
        self.rows_read = 0
        for number, values in rows:
            self.rows_read += 1
            if "__error__" in values:
                self.add_row_error(number, values)
            else:
                yield number, values

    def raise_if_any(self) -> None:
        if self.total:
            self.kept.sort(key=lambda p: (p.row, self._order.get(p.column, -1)))
            raise ImportRejected(self.kept, total=self.total)


def row_problem(row: int, values: dict[str, Any]) -> Problem:
    """The problem of a row the reader could not read: its values hold ``"__error__"``,
    and ``"__column__"`` / ``"__value__"`` when the reader knows them."""
    return Problem(
        row, values.get("__column__", ""), values.get("__value__", ""), values["__error__"]
    )


def _too_long(column: str, value: str) -> dict[str, Any]:
    cap = reading_limit("MAX_CELL_CHARS")
    return {
        "__error__": _("cellule trop longue : plus de %(n)s caractères") % {"n": cap},
        "__column__": column,
        "__value__": value,
    }


def _too_many_rows() -> dict[str, Any]:
    cap = reading_limit("MAX_ROWS")
    return {
        "__error__": _(
            "le fichier dépasse %(n)s lignes ; la lecture s'arrête ici, découpez le fichier"
        )
        % {"n": cap}
    }


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
    stream: IO[bytes],
    *,
    filename: str,
    required: list[str],
    optional: list[str] | None = None,
    any_other: bool = False,
) -> Table:
    """Open a CSV or XLSX stream and check its header. Raises :class:`ImportRejected`.
    ``any_other``: columns beyond ``required`` and ``optional`` are kept, not refused (a
    survey's uploaded sampling frame: each other column is an attribute to stratify by)."""
    head = stream.read(SAMPLE_BYTES)
    stream.seek(0)
    if not head.strip():
        raise ImportRejected([Problem(1, "", filename, _("le fichier est vide"))])
    if _is_xlsx(head, filename):
        header, rows = _open_xlsx(stream, filename)
    else:
        header, rows = _open_csv(stream, head)
    _check_header(header, required, [*(optional or []), *(header if any_other else [])])
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
    # The module-wide limit, set for each reading so the setting is the one in force.
    cap = reading_limit("MAX_CELL_CHARS")
    csv.field_size_limit(cap)
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = _clean_header(next(reader))
    except (StopIteration, csv.Error) as exc:
        raise ImportRejected(
            [Problem(1, "", "", _("en-tête illisible : %(e)s") % {"e": exc})]
        ) from exc
    max_rows = reading_limit("MAX_ROWS")

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        number = 1
        width = len(header)
        strip = str.strip
        try:
            for cells in reader:
                number += 1
                if number > max_rows:
                    yield number, _too_many_rows()
                    return
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
            if "field larger than field limit" not in str(exc):
                yield number + 1, {"__error__": str(exc)}
                return
            # The reader stops in the middle of the long cell; the row is read again from
            # its start to name the column, keeping only the first characters of each cell.
            column, value = _long_field(stream, encoding, delimiter, reader.line_num, cap)
            yield number + 1, _too_long(header[column] if 0 <= column < width else "", value)

    return header, rows()


def _long_field(
    stream: IO[bytes], encoding: str, delimiter: str, line_num: int, cap: int
) -> tuple[int, str]:
    """The position and first characters of the first cell longer than ``cap`` in the
    record the reader was reading at physical line ``line_num``. Read only on that error;
    the first reading already held the record whole (a line is read at once)."""
    stream.seek(0)
    text = io.TextIOWrapper(cast(IO[bytes], _Borrowed(stream)), encoding=encoding, newline="")
    reader = csv.reader(text, delimiter=delimiter)
    csv.field_size_limit(2**31 - 1)
    try:
        for cells in reader:
            if reader.line_num >= line_num:
                for position, cell in enumerate(cells):
                    if len(cell) > cap:
                        return position, cell[:VALUE_CHARS]
                break
    except csv.Error:
        pass
    finally:
        csv.field_size_limit(cap)
    return -1, ""


# --- XLSX, streamed with expat -------------------------------------------------------------

_DOCUMENT = "/officeDocument"
_SHEET_TYPE = "/worksheet"
_STRINGS_TYPE = "/sharedStrings"
_STYLES_TYPE = "/styles"


class _Oversized:
    """A cell cut while it was read: its first characters, for the message."""

    __slots__ = ("start",)

    def __init__(self, start: str):
        self.start = start


class _Unreadable(Exception):
    pass


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]


def _parse_member(
    archive: zipfile.ZipFile,
    name: str,
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None],
    chars: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Feeds one member to expat in chunks; yields after each chunk so the caller can
    hand out what the handlers gathered. Stops at the member's declared size: a member
    that inflates beyond what it declared is refused."""
    info = archive.getinfo(name)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = lambda tag, attrs: start(_local(tag), attrs)
    parser.EndElementHandler = lambda tag: end(_local(tag))
    if chars is not None:
        parser.CharacterDataHandler = chars
    read = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(READ_CHUNK):
                read += len(chunk)
                if read > info.file_size:
                    raise _Unreadable(name)
                parser.Parse(chunk, False)
                yield
            parser.Parse(b"", True)
    except (expat.ExpatError, zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise _Unreadable(name) from exc
    yield


def _drain(parts: Iterator[None]) -> None:
    for _step in parts:
        pass


def _relations(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """A part's relationships: id → (type, member name)."""
    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    found: dict[str, tuple[str, str]] = {}
    if rels not in archive.NameToInfo:
        return found

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            target = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            found[attrs.get("Id", "")] = (attrs.get("Type", ""), target)

    _drain(_parse_member(archive, rels, start, lambda tag: None))
    return found


def _first_sheet(archive: zipfile.ZipFile) -> tuple[str, str | None, str | None, bool]:
    """The first worksheet's member, the shared strings' and the styles' (if any), and
    whether the workbook counts dates from 1904."""
    document = next(
        (t for kind, t in _relations(archive, "").values() if kind.endswith(_DOCUMENT)),
        "xl/workbook.xml",
    )
    sheet_ids: list[str] = []
    state = {"1904": False}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "sheet":
            sheet_ids.extend(v for k, v in attrs.items() if _local(k) == "id")
        elif tag == "workbookPr":
            state["1904"] = attrs.get("date1904", "") in ("1", "true")

    _drain(_parse_member(archive, document, start, lambda tag: None))
    rels = _relations(archive, document)
    if not sheet_ids or sheet_ids[0] not in rels:
        raise _Unreadable(document)
    # Some writers leave the shared strings out of the relationships; Excel finds them.
    strings = next(
        (t for k, t in rels.values() if k.endswith(_STRINGS_TYPE)), "xl/sharedStrings.xml"
    )
    styles = next((t for k, t in rels.values() if k.endswith(_STYLES_TYPE)), None)
    return rels[sheet_ids[0]][1], strings, styles, state["1904"]


class _Strings:
    """The shared strings in two flat buffers (UTF-8 text and offsets) rather than a list
    of Python strings: some 10 bytes a string instead of 60."""

    def __init__(self) -> None:
        self.text = bytearray()
        self.offsets = array("q", [0])
        self.oversized: dict[int, str] = {}

    def add(self, value: str, oversized: bool) -> None:
        if oversized:
            self.oversized[len(self.offsets) - 1] = value[:VALUE_CHARS]
            value = ""
        self.text += value.encode("utf-8")
        self.offsets.append(len(self.text))

    def get(self, index: int) -> str | _Oversized:
        if index in self.oversized:
            return _Oversized(self.oversized[index])
        return self.text[self.offsets[index] : self.offsets[index + 1]].decode("utf-8")

    def __len__(self) -> int:
        return len(self.offsets) - 1


class _Text:
    """Character data gathered up to ``cap`` characters; beyond, only counted."""

    __slots__ = ("cap", "on", "oversized", "parts", "size")

    def __init__(self, cap: int):
        self.cap = cap
        self.on = False
        self.reset()

    def reset(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.oversized = False

    def __call__(self, data: str) -> None:
        if not self.on:
            return
        room = self.cap - self.size
        if len(data) > room:
            self.oversized = True
            data = data[: max(room, 0)]
        if data:
            self.parts.append(data)
            self.size += len(data)

    def value(self) -> str:
        return "".join(self.parts)


def _shared_strings(archive: zipfile.ZipFile, name: str | None, cap: int) -> _Strings:
    strings = _Strings()
    if name is None or name not in archive.NameToInfo:
        return strings
    text = _Text(cap)
    depth = {"rPh": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "si":
            text.reset()
        elif tag == "rPh":  # phonetic guide: not part of the value
            depth["rPh"] += 1
        elif tag == "t" and not depth["rPh"]:
            text.on = True

    def end(tag: str) -> None:
        if tag == "t":
            text.on = False
        elif tag == "rPh":
            depth["rPh"] -= 1
        elif tag == "si":
            strings.add(text.value(), text.oversized)

    _drain(_parse_member(archive, name, start, end, text))
    return strings


def _date_styles(archive: zipfile.ZipFile, name: str | None) -> set[int]:
    """The indexes of the cell styles whose number format is a date."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    if name is None or name not in archive.NameToInfo:
        return set()
    formats: dict[int, str] = dict(BUILTIN_FORMATS)
    cell_formats: list[int] = []
    state = {"in_xfs": False}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "numFmt":
            formats[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            state["in_xfs"] = True
        elif tag == "xf" and state["in_xfs"]:
            cell_formats.append(int(attrs.get("numFmtId", "0")))

    def end(tag: str) -> None:
        if tag == "cellXfs":
            state["in_xfs"] = False

    _drain(_parse_member(archive, name, start, end))
    return {
        index
        for index, fmt in enumerate(cell_formats)
        if fmt in formats and is_date_format(formats[fmt])
    }


def _column_index(reference: str) -> int:
    """``"C12"`` → 2."""
    index = 0
    for char in reference:
        if "A" <= char <= "Z":
            index = index * 26 + ord(char) - 64
        else:
            break
    return index - 1


def check_xlsx_members(
    archive: zipfile.ZipFile, filename: str, *, max_unpacked: int | None = None
) -> None:
    """The zip's own declarations, before anything is inflated: ImportRejected when a part
    compresses too well or the whole unpacks beyond ``max_unpacked`` (by default the
    import limit; a smaller file kind, an XLSForm, passes its own)."""
    total = 0
    max_total = max_unpacked or reading_limit("XLSX_MAX_UNPACKED_BYTES")
    max_ratio = reading_limit("XLSX_MAX_RATIO")
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > XLSX_RATIO_FLOOR and ratio > max_ratio:
            raise ImportRejected(
                [
                    Problem(
                        1,
                        "",
                        filename,
                        _(
                            "classeur refusé : une de ses parties se décompresse %(ratio)s fois "
                            "(au plus %(max)s) ; enregistrez-le à nouveau ou envoyez un CSV"
                        )
                        % {"ratio": int(ratio), "max": max_ratio},
                    )
                ]
            )
    if total > max_total:
        raise ImportRejected(
            [
                Problem(
                    1,
                    "",
                    filename,
                    _(
                        "classeur refusé : %(size)s une fois décompressé (au plus %(max)s) ; "
                        "découpez le fichier ou envoyez un CSV"
                    )
                    % {"size": filesizeformat(total), "max": filesizeformat(max_total)},
                )
            ]
        )


def _open_xlsx(
    stream: IO[bytes], filename: str
) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

    unreadable = ImportRejected(
        [Problem(1, "", filename, _("ce fichier n'est pas un classeur XLSX lisible"))]
    )
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise unreadable from exc
    check_xlsx_members(archive, filename)
    cap = reading_limit("MAX_CELL_CHARS")
    max_rows = reading_limit("MAX_ROWS")
    try:
        sheet, strings_name, styles_name, mac_epoch = _first_sheet(archive)
        strings = _shared_strings(archive, strings_name, cap)
        dates = _date_styles(archive, styles_name)
        if sheet not in archive.NameToInfo:
            raise _Unreadable(sheet)
    except (_Unreadable, KeyError, ValueError) as exc:
        raise unreadable from exc
    epoch = CALENDAR_MAC_1904 if mac_epoch else CALENDAR_WINDOWS_1900

    text = _Text(cap)
    done: list[tuple[int, dict[int, Any]]] = []
    cell: dict[str, Any] = {}
    row: dict[str, Any] = {"number": 0, "cells": {}, "width": XLSX_MAX_COLUMNS}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "row":
            reference = attrs.get("r")
            row["number"] = int(reference) if reference else row["number"] + 1
            row["cells"] = {}
            row["next"] = 0
        elif tag == "c":
            reference = attrs.get("r")
            column = _column_index(reference) if reference else row["next"]
            row["next"] = column + 1
            cell["column"] = column
            cell["type"] = attrs.get("t", "n")
            cell["style"] = int(attrs.get("s", "0") or 0)
            text.reset()
        elif tag in ("v", "t") and cell.get("column", -1) >= 0 and not cell.get("rPh"):
            text.on = True
        elif tag == "rPh":  # phonetic guide: not part of the value
            cell["rPh"] = True

    def end(tag: str) -> None:
        if tag in ("v", "t"):
            text.on = False
        elif tag == "rPh":
            cell["rPh"] = False
        elif tag == "c":
            column = cell.pop("column", -1)
            cell.pop("rPh", None)
            if 0 <= column < row["width"] and text.size:
                row["cells"][column] = _cell_value(cell["type"], cell["style"])
        elif tag == "row" and row["cells"]:
            done.append((row["number"], row["cells"]))

    def _cell_value(kind: str, style: int) -> Any:
        raw = text.value()
        if text.oversized:
            return _Oversized(raw[:VALUE_CHARS])
        if kind == "s":
            index = int(raw)
            return strings.get(index) if 0 <= index < len(strings) else ""
        if kind in ("inlineStr", "str", "e"):
            return raw
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind == "d":  # an ISO 8601 date cell (rare; Excel writes serial numbers)
            try:
                return dt.datetime.fromisoformat(raw.strip().removesuffix("Z"))
            except ValueError:
                return raw
        try:
            number: int | float = float(raw) if any(c in raw for c in ".eE") else int(raw)
        except ValueError:
            return raw  # not a number after all: the importer says what it expected
        if style in dates:
            try:
                return from_excel(number, epoch)
            except (ValueError, OverflowError):
                return number
        return number

    parts = _parse_member(archive, sheet, start, end, text)

    def records() -> Iterator[tuple[int, dict[int, Any]]]:
        try:
            for _step in parts:
                yield from done
                done.clear()
                if row["number"] > max_rows:  # empty rows count too
                    yield row["number"], {}
                    return
        except (_Unreadable, ValueError, OverflowError) as exc:
            raise unreadable from exc

    stream_rows = records()
    header: list[str] = []
    for _number, cells in stream_rows:
        if not cells:  # the row limit reached before any cell
            break
        width = max(cells) + 1
        header = _clean_header([_plain(cells.get(i)) for i in range(width)])
        break
    while header and not header[-1]:
        header.pop()
    if not header:
        raise ImportRejected([Problem(1, "", filename, _("le fichier est vide"))])
    row["width"] = len(header)

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, cells in stream_rows:
            if number > max_rows:
                yield number, _too_many_rows()
                return
            values: dict[str, Any] = {}
            problem = None
            for index, column in enumerate(header):
                value = cells.get(index)
                if value is None:
                    values[column] = ""
                elif isinstance(value, str):
                    values[column] = value.strip()
                elif isinstance(value, _Oversized):
                    problem = problem or _too_long(column, value.start)
                else:
                    values[column] = value
            if problem is not None:
                yield number, problem
            elif any(v != "" for v in values.values()):
                yield number, values
        archive.close()

    return header, rows()


def _plain(value: Any) -> Any:
    return value.start if isinstance(value, _Oversized) else value


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
