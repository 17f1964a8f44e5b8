from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

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
