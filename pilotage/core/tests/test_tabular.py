from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook

from pilotage.core.tabular import (
    ImportRejected,
    detect_encoding,
    open_table,
    parse_date,
    parse_decimal,
)

HEADER = ["code", "nom"]


def read(data: bytes, filename: str = "f.csv") -> list[tuple[int, dict]]:
    return list(open_table(io.BytesIO(data), filename=filename, required=HEADER).rows)


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("code,nom\nA1,Élève Benjelloun\n".encode(), "utf-8"),
        (b"\xef\xbb\xbf" + "code,nom\nA1,Élève Benjelloun\n".encode(), "utf-8-sig"),
        ("code,nom\nA1,Élève Benjelloun\n".encode("latin-1"), "latin-1"),
        ("code,nom\nA1,محمد العمراني\n".encode("cp1256"), "cp1256"),
    ],
)
def test_encodings(data: bytes, encoding: str) -> None:
    assert detect_encoding(data) == encoding
    name = read(data)[0][1]["nom"]
    assert name in {"Élève Benjelloun", "محمد العمراني"}


def test_semicolon_separator_and_row_numbers() -> None:
    rows = read(b"code;nom\nA1;Alaoui\n\nA2;Tazi, Omar\n")
    assert rows == [(2, {"code": "A1", "nom": "Alaoui"}), (4, {"code": "A2", "nom": "Tazi, Omar"})]


def test_wrong_cell_count_is_reported_on_its_row() -> None:
    rows = read(b"code,nom\nA1,x,extra\n")
    assert rows[0][0] == 2 and "3 cellules au lieu de 2" in rows[0][1]["__error__"]


def test_header_problems_are_all_listed() -> None:
    with pytest.raises(ImportRejected) as caught:
        read(b"code,prenom,prenom\nA1,x,y\n")
    reasons = {(p.column, p.reason) for p in caught.value.problems}
    assert ("nom", "colonne obligatoire absente") in reasons
    assert any(col == "prenom" and "inconnue" in reason for col, reason in reasons)
    assert ("prenom", "colonne en double") in reasons


def test_empty_file() -> None:
    with pytest.raises(ImportRejected) as caught:
        read(b"  \n")
    assert caught.value.problems[0].reason == "le fichier est vide"


def test_xlsx_with_dates_and_numbers() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Code", "Nom"])
    sheet.append(["A1", 12.5])
    sheet.append([None, None])
    sheet.append(["A2", dt.datetime(2014, 3, 9)])  # noqa: DTZ001 - a spreadsheet cell
    buffer = io.BytesIO()
    book.save(buffer)
    rows = read(buffer.getvalue(), "eleves.xlsx")
    assert rows == [
        (2, {"code": "A1", "nom": 12.5}),
        (4, {"code": "A2", "nom": dt.datetime(2014, 3, 9)}),
    ]  # noqa: DTZ001


def test_a_file_named_xlsx_that_is_not_a_spreadsheet() -> None:
    with pytest.raises(ImportRejected) as caught:
        read(b"PK\x03\x04 this is not a zip", "notes.xlsx")
    assert "n'est pas un classeur XLSX lisible" in caught.value.problems[0].reason
    with pytest.raises(ImportRejected):
        read(b"%PDF-1.4 nothing", "notes.xlsx")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12,5", Decimal("12.5")),
        ("12.50", Decimal("12.50")),
        (" 7 ", Decimal(7)),
        (15, Decimal(15)),
        (9.75, Decimal("9.75")),
    ],
)
def test_parse_decimal(value: object, expected: Decimal) -> None:
    assert parse_decimal(value) == expected


@pytest.mark.parametrize("value", ["douze", "1,2,3", "", "nan", "inf"])
def test_parse_decimal_rejects(value: str) -> None:
    with pytest.raises(ValueError, match="n'est pas un nombre"):
        parse_decimal(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2014-03-09", dt.date(2014, 3, 9)),
        ("09/03/2014", dt.date(2014, 3, 9)),
        # Excel serial date: 41707 is 2014-03-09 (day 1 = 1900-01-01, with Excel's
        # fictitious 1900-02-29, hence the 1899-12-30 epoch).
        ("41707", dt.date(2014, 3, 9)),
        (dt.datetime(2014, 3, 9, 0, 0), dt.date(2014, 3, 9)),  # noqa: DTZ001
    ],
)
def test_parse_date(value: object, expected: dt.date) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["31/02/2014", "2014-13-01", "hier", ""])
def test_parse_date_rejects(value: str) -> None:
    with pytest.raises(ValueError, match="date non reconnue"):
        parse_date(value)


def test_large_file_is_streamed() -> None:
    """A large CSV is read row by row: memory stays bounded (a few buffers), whatever the
    file size. 20 MB here keeps the suite quick; the bound does not depend on the size."""
    import tracemalloc

    line = b"A0000001,Benjelloun Fatima Zahra " + b"x" * 60 + b"\n"
    count = 20 * 1024 * 1024 // len(line)

    class Generated(io.RawIOBase):
        def __init__(self) -> None:
            self.data = io.BytesIO(b"code,nom\n" + line * 2000)  # sample + rest generated
            self.left = count

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
            n = self.data.readinto(buffer)
            if n == 0 and self.left > 0:
                self.left -= 2000
                self.data = io.BytesIO(line * 2000)
                n = self.data.readinto(buffer)
            return n

        def seek(self, offset: int, whence: int = 0) -> int:
            self.data.seek(offset, whence)
            return offset

        def seekable(self) -> bool:
            return True

    tracemalloc.start()
    stream = io.BufferedReader(Generated(), buffer_size=1 << 16)
    table = open_table(stream, filename="big.csv", required=HEADER)
    n = sum(1 for _ in table.rows)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert n >= count
    assert peak < 2 * 1024 * 1024


def test_the_callers_stream_stays_open_for_a_second_reading() -> None:
    """An import validates the whole file, then reads it again to apply it."""
    import gc

    stream = io.BytesIO("code,nom\nA1,Élève\n".encode())
    assert len(list(open_table(stream, filename="f.csv", required=HEADER).rows)) == 1
    gc.collect()  # the text decoder is gone; it must not have closed the stream
    stream.seek(0)
    assert list(open_table(stream, filename="f.csv", required=HEADER).rows) == [
        (2, {"code": "A1", "nom": "Élève"})
    ]


def test_xlsx_text_cells_are_stripped_like_csv_cells() -> None:
    book = Workbook()
    book.active.append(["code", "nom"])
    book.active.append(["  A1 ", " Tazi"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert read(buffer.getvalue(), "f.xlsx") == [(2, {"code": "A1", "nom": "Tazi"})]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("9/3/2014", dt.date(2014, 3, 9)),
        ("09.03.2014", dt.date(2014, 3, 9)),
        (41707.0, dt.date(2014, 3, 9)),  # a serial date in a number cell
        ("41707,0", dt.date(2014, 3, 9)),
    ],
)
def test_parse_date_more_shapes(value: object, expected: dt.date) -> None:
    assert parse_date(value) == expected


def test_parse_date_rejects_mixed_separators() -> None:
    with pytest.raises(ValueError, match="date non reconnue"):
        parse_date("09/03-2014")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, ""), (7.0, "7"), (7.5, "7.5"), (12, "12"), (" 5AP-1 ", "5AP-1"), ("", "")],
)
def test_cell_text(value: object, expected: str) -> None:
    from pilotage.core.tabular import cell_text

    assert cell_text(value) == expected


def test_rejection_counts_problems_it_did_not_keep() -> None:
    from pilotage.core.tabular import Problem

    problems = [Problem(2, "nom", "", "valeur obligatoire")]
    assert ImportRejected(problems).total == 1
    assert ImportRejected(problems, total=40).total == 40
    assert str(ImportRejected(problems, total=40)) == "40 problem(s)"


# --- Limits: long cells, many rows, zip bombs --------------------------------------------------


def test_a_problem_quotes_a_value_cut_to_a_readable_length() -> None:
    from pilotage.core.tabular import VALUE_CHARS, Problem, Problems

    problem = Problem(2, "nom", "Benjelloun " * 1000, "trop long")
    assert len(problem.value) == VALUE_CHARS and problem.value.endswith("…")
    assert len(str(problem)) < 200
    problems = Problems(["nom"])
    problems.add(3, "nom", "x" * 10_000, "trop long")
    assert len(problems.kept[0].value) == VALUE_CHARS


def test_a_csv_cell_over_the_field_limit_is_a_problem_naming_row_and_column(settings) -> None:
    settings.PILOTAGE_IMPORT_MAX_CELL_CHARS = 1000
    data = b"code,nom\nA1,Tazi\nA2," + b"y" * 5000 + b"\nA3,Alaoui\n"
    rows = read(data)
    assert rows[0] == (2, {"code": "A1", "nom": "Tazi"})
    number, values = rows[1]
    assert number == 3 and values["__column__"] == "nom"
    assert values["__error__"] == "cellule trop longue : plus de 1000 caractères"
    assert len(values["__value__"]) <= 80
    from pilotage.core.tabular import row_problem

    assert str(row_problem(number, values)).startswith("ligne 3 · colonne nom · valeur « yyy")


def test_the_default_csv_field_limit_is_excels_cell_limit() -> None:
    """The message of the csv module ("field larger than field limit (131072)") used to
    end the reading with an untranslated error naming no column."""
    data = b"code,nom\nA1," + b"y" * 140_000 + b"\n"
    (number, values), *_rest = read(data)
    assert (number, values["__column__"]) == (2, "nom")
    assert "32767" in values["__error__"]


def test_reading_stops_at_the_row_limit(settings) -> None:
    settings.PILOTAGE_IMPORT_MAX_ROWS = 50
    rows = read(b"code,nom\n" + b"A1,Tazi\n" * 200)
    assert len(rows) == 50
    assert rows[-1][0] == 51 and "dépasse 50 lignes" in rows[-1][1]["__error__"]


def xlsx_with_sheet(sheet_xml: Any, strings_xml: bytes | None = None, level: int = 6) -> bytes:
    """A real workbook whose first sheet (and shared strings) are replaced; ``sheet_xml``
    may be an iterable of byte chunks, written as a stream."""
    import zipfile

    book = Workbook()
    book.active.append(["code", "nom"])
    book.active.append(["A1", "Tazi"])
    original = io.BytesIO()
    book.save(original)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(original) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as target,
    ):
        for info in source.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with target.open(info.filename, "w", force_zip64=True) as member:
                    for chunk in [sheet_xml] if isinstance(sheet_xml, bytes) else sheet_xml:
                        member.write(chunk)
            elif info.filename == "xl/sharedStrings.xml" and strings_xml is not None:
                target.writestr(info.filename, strings_xml)
            else:
                target.writestr(info, source.read(info.filename))
        if strings_xml is not None and "xl/sharedStrings.xml" not in source.namelist():
            target.writestr("xl/sharedStrings.xml", strings_xml)
    return out.getvalue()


SHEET_OPEN = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>nom</t></is></c></row>'
)
SHEET_CLOSE = b"</sheetData></worksheet>"


def repeated(chunk: bytes, total: int) -> Any:
    block = chunk * (1024 * 1024 // len(chunk))
    for _ in range(total // len(block)):
        yield block


def test_an_xlsx_whose_parts_inflate_too_much_is_refused_before_parsing() -> None:
    bomb = xlsx_with_sheet([SHEET_OPEN, *repeated(b" ", 5 * 1024 * 1024), SHEET_CLOSE])
    assert len(bomb) < 100_000
    with pytest.raises(ImportRejected) as caught:
        read(bomb, "f.xlsx")
    (problem,) = caught.value.problems
    assert "se décompresse" in problem.reason and "au plus 100" in problem.reason


def test_an_xlsx_declaring_too_much_unpacked_is_refused(settings) -> None:
    settings.PILOTAGE_IMPORT_XLSX_MAX_UNPACKED_BYTES = 100_000
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>A%d</t></is></c></row>' % (n, n, n)
        for n in range(2, 5000)
    )
    with pytest.raises(ImportRejected) as caught:
        read(xlsx_with_sheet(SHEET_OPEN + rows + SHEET_CLOSE), "f.xlsx")
    assert "une fois décompressé" in caught.value.problems[0].reason


def test_a_huge_xlsx_cell_is_cut_while_read_and_refused(settings) -> None:
    settings.PILOTAGE_IMPORT_XLSX_MAX_RATIO = 10**9  # past the zip check: the reader's cap
    cell = [
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>A1</t></is></c><c r="B2" t="inlineStr"><is><t>',
        *repeated(b"Tazi ", 2 * 1024 * 1024),
        b"</t></is></c></row>",
    ]
    rows = read(xlsx_with_sheet([SHEET_OPEN, *cell, SHEET_CLOSE]), "f.xlsx")
    ((number, values),) = rows
    assert number == 2 and values["__column__"] == "nom"
    assert values["__error__"] == "cellule trop longue : plus de 32767 caractères"
    assert values["__value__"].startswith("Tazi Tazi") and len(values["__value__"]) <= 80


def test_a_huge_shared_string_is_cut_while_read(settings) -> None:
    settings.PILOTAGE_IMPORT_XLSX_MAX_RATIO = 10**9
    strings = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<si><t>code</t></si><si><t>nom</t></si><si><t>" + b"x" * 200_000 + b"</t></si></sst>"
    )
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        b'<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" t="s"><v>2</v></c></row>'
        b"</sheetData></worksheet>"
    )
    ((number, values),) = read(xlsx_with_sheet(sheet, strings), "f.xlsx")
    assert (number, values["__column__"]) == (2, "nom")
    assert "cellule trop longue" in values["__error__"]


def test_empty_xlsx_rows_count_towards_the_row_limit(settings) -> None:
    settings.PILOTAGE_IMPORT_MAX_ROWS = 100_000
    settings.PILOTAGE_IMPORT_XLSX_MAX_RATIO = 10**9
    first = b'<row r="2"><c r="A2" t="inlineStr"><is><t>A1</t></is></c></row>'
    empty = [
        b"".join(b'<row r="%d"/>' % n for n in range(start, start + 50_000))
        for start in range(3, 300_000, 50_000)
    ]
    rows = read(xlsx_with_sheet([SHEET_OPEN, first, *empty, SHEET_CLOSE]), "f.xlsx")
    assert rows[0] == (2, {"code": "A1", "nom": ""})
    assert rows[-1][0] > 100_000 and "dépasse 100000 lignes" in rows[-1][1]["__error__"]
    assert len(rows) == 2


def test_xlsx_shared_strings_rich_text_booleans_and_1904_dates() -> None:
    book = Workbook()
    book.epoch = __import__("openpyxl").utils.datetime.CALENDAR_MAC_1904
    book.active.append(["code", "nom"])
    book.active.append([True, dt.date(2014, 3, 9)])
    book.active["B2"].number_format = "DD/MM/YYYY"
    buffer = io.BytesIO()
    book.save(buffer)
    (row,) = read(buffer.getvalue(), "f.xlsx")
    assert row == (2, {"code": True, "nom": dt.datetime(2014, 3, 9)})


def test_xlsx_iso_date_cells_and_malformed_numbers() -> None:
    sheet = (
        SHEET_OPEN + b'<row r="2"><c r="A2" t="d"><v>2014-03-09T00:00:00</v></c>'
        b'<c r="B2"><v>douze</v></c></row>' + SHEET_CLOSE
    )
    assert read(xlsx_with_sheet(sheet), "f.xlsx") == [
        (2, {"code": dt.datetime(2014, 3, 9), "nom": "douze"})
    ]
