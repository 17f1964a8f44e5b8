"""The marks sheet as an XLSX file to fill offline, and reading it (or a CSV with the same
columns) back.

Both directions live here so the layout the download writes and the upload expects
cannot drift apart. Row 1 holds machine keys (``code_massar``, ``test_1``…) that survive
any spreadsheet program; the French labels ride along as header comments. The sheet's id
and version travel in a hidden worksheet, so an upload knows which sheet it belongs to
and whether someone saved marks since the download.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from pilotage.core.tabular import ImportRejected, Problem, open_table, row_problem
from pilotage.schooling.models import Assessment, AssessmentKind
from pilotage.schooling.selectors import Grid
from pilotage.schooling.services.marks import APPRECIATION, Cell, number_text
from pilotage.schooling.structure import grading_scale

IDENTITY_COLUMNS = ["code_massar", "nom", "prenom", "nom_ar", "prenom_ar"]
META_SHEET = "pilotage"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Day first, 24-hour, as pilotage/formats: Excel and LibreOffice show 03/12/2026 20:38.
EXCEL_DATETIME_FORMAT = "dd/mm/yyyy hh:mm"


def column_label(assessment: Assessment) -> str:
    """The heading a teacher reads: « Contrôle 2 » rather than ``test_2``."""
    if assessment.kind == AssessmentKind.TEST:
        return _("Contrôle %(number)s") % {"number": assessment.number}
    if assessment.kind == AssessmentKind.ACTIVITY and assessment.number == 1:
        return _("Activités intégrées")
    return _("%(kind)s %(number)s") % {
        "kind": assessment.get_kind_display(),
        "number": assessment.number,
    }


def _identity_columns() -> list[tuple[str, str]]:
    """The identity columns (key, label) in the reader's script first: an Arabic reader's
    sheet has the Arabic names before the Latin ones (the upload reads columns by key, so
    either order comes back)."""
    code = ("code_massar", _("Code Massar"))
    latin = [("nom", pgettext("surname", "Nom")), ("prenom", _("Prénom"))]
    arabic = [("nom_ar", pgettext("surname", "Nom (arabe)")), ("prenom_ar", _("Prénom (arabe)"))]
    return [code, *arabic, *latin] if translation.get_language_bidi() else [code, *latin, *arabic]


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def sheet_xlsx(grid: Grid, appreciations: Mapping[int, str] | None = None) -> bytes:
    """The sheet as a workbook: one row per pupil, one column per assessment, the current
    marks filled in, Excel refusing anything but 0 to the cycle's maximum, ABS or DISP in
    the mark cells. With ``appreciations`` (enrolment id → text), a last column holds the
    teacher's ones."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet = grid.sheet
    workbook = Workbook()
    ws = workbook.active
    ws.title = _("notes")[:31]
    identity = _identity_columns()
    header = [*(key for key, _label in identity), *(a.column for a in grid.assessments)]
    labels = [*(label for _key, label in identity), *(column_label(a) for a in grid.assessments)]
    if appreciations is not None:
        header.append(APPRECIATION)
        labels.append(_("Appréciation"))
    # An Arabic workbook reads from the right, as the page does.
    ws.sheet_view.rightToLeft = bool(translation.get_language_bidi())
    ws.append(header)
    bold, shaded = Font(bold=True), PatternFill("solid", fgColor="EEF2F6")
    for cell, label in zip(ws[1], labels, strict=True):
        cell.comment = Comment(label, "Pilotage")
        cell.font, cell.fill = bold, shaded
    for row in grid.rows:
        pupil = row.enrolment.pupil
        names = {
            "code_massar": pupil.code_massar,
            "nom": pupil.last_name,
            "prenom": pupil.first_name,
            "nom_ar": pupil.last_name_ar,
            "prenom_ar": pupil.first_name_ar,
        }
        values: list[Any] = [names[key] for key, _label in identity]
        for assessment in grid.assessments:
            mark = row.marks.get(assessment.column)
            values.append(None if mark is None else (mark.code or mark.value))
        if appreciations is not None:
            values.append(appreciations.get(row.enrolment.pk) or None)
        ws.append(values)
        for cell in ws[ws.max_row]:
            # A name starting with "=" must stay text, never become a formula Excel runs.
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"

    first = len(IDENTITY_COLUMNS) + 1
    ws.freeze_panes = f"{_column_letter(first)}2"
    if grid.assessments:
        # The class's cycle's scale: 10 in primary, 20 after (docs/schooling.md § Marks).
        maximum = grading_scale(sheet.school_class.grade_level.cycle).maximum_text
        top_left = f"{_column_letter(first)}2"
        last_mark = len(IDENTITY_COLUMNS) + len(grid.assessments)
        bottom_right = f"{_column_letter(last_mark)}{max(len(grid.rows), 1) + 1}"
        validation = DataValidation(
            type="custom",
            formula1=(
                f"OR(AND(ISNUMBER({top_left}),{top_left}>=0,{top_left}<={maximum}),"
                f'{top_left}="ABS",{top_left}="DISP")'
            ),
            allow_blank=True,
            showErrorMessage=True,
            showInputMessage=True,
            errorTitle=_("Note refusée"),
            error=_("Une note de 0 à %(max)s (deux décimales au plus), ABS ou DISP.")
            % {"max": maximum},
            promptTitle=_("Note"),
            prompt=_("0 à %(max)s, ABS (absent) ou DISP (dispensé)") % {"max": maximum},
        )
        validation.add(f"{top_left}:{bottom_right}")
        ws.add_data_validation(validation)
    widths = [14, 18, 16, 18, 16]
    for index in range(1, len(header) + 1):
        width = widths[index - 1] if index <= len(widths) else 12
        if header[index - 1] == APPRECIATION:
            width = 48
        ws.column_dimensions[_column_letter(index)].width = width

    meta = workbook.create_sheet(META_SHEET)
    # A real date-time value (Excel has no time zones: the local time, naive), shown day
    # first whatever the spreadsheet program's locale.
    exported = timezone.localtime().replace(tzinfo=None, microsecond=0)
    for key, value in (
        ("sheet_id", sheet.pk),
        ("version", sheet.version),
        ("classe", sheet.school_class.name),
        ("matiere", sheet.subject.code),
        ("semestre", sheet.semester.number),
        ("exporte_le", exported),
    ):
        meta.append([key, value])
    meta.cell(row=meta.max_row, column=2).number_format = EXCEL_DATETIME_FORMAT
    meta.sheet_state = "hidden"

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass
class Upload:
    """A file read back: the cells to save (row numbers as the spreadsheet shows them),
    the problems found, and the sheet id and version the file was downloaded at (``None``
    for a CSV, which has nowhere to keep them)."""

    cells: list[Cell] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sheet_id: int | None = None
    version: int | None = None
    rows: dict[int, str] = field(default_factory=dict)

    @property
    def from_xlsx(self) -> bool:
        return self.sheet_id is not None


def _cell_text(value: Any) -> str:
    """Spreadsheet values as text, so what the preview validated is exactly what the
    confirmation saves after a trip through the session."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float | Decimal):
        return number_text(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _read_meta(stream: IO[bytes]) -> dict[str, Any]:
    """The hidden worksheet's key/value pairs; empty for a CSV or a workbook without it
    (a broken file is reported by :func:`open_table`)."""
    from openpyxl import load_workbook

    head = stream.read(4)
    stream.seek(0)
    if head != b"PK\x03\x04":
        return {}
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable file is open_table's to report
        stream.seek(0)
        return {}
    try:
        if META_SHEET not in workbook.sheetnames:
            return {}
        return {
            str(row[0]).strip(): row[1]
            for row in workbook[META_SHEET].iter_rows(min_col=1, max_col=2, values_only=True)
            if row and row[0] is not None
        }
    finally:
        workbook.close()
        stream.seek(0)


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def sheet_read_upload(grid: Grid, stream: IO[bytes], *, filename: str) -> Upload:
    """Read a filled-in sheet into cells. Every problem is collected (row · column ·
    value · reason); marks are checked later by the same service that saves them."""
    sheet = grid.sheet
    upload = Upload()
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size > MAX_UPLOAD_BYTES:
        upload.problems.append(
            Problem(1, "", filename, _("fichier trop volumineux pour une feuille de notes"))
        )
        return upload
    meta = _read_meta(stream)
    if meta:
        upload.sheet_id, upload.version = (
            _as_int(meta.get("sheet_id")),
            _as_int(meta.get("version")),
        )
        if upload.sheet_id != sheet.pk:
            upload.problems.append(
                Problem(
                    1,
                    "sheet_id",
                    str(meta.get("sheet_id")),
                    _("ce fichier a été téléchargé depuis une autre feuille de notes"),
                )
            )
            return upload
        if upload.version is None:
            upload.problems.append(
                Problem(1, "version", str(meta.get("version")), _("version illisible"))
            )
            return upload
    columns = [a.column for a in grid.assessments]
    try:
        table = open_table(
            stream,
            filename=filename,
            required=["code_massar", *columns],
            optional=[*IDENTITY_COLUMNS[1:], APPRECIATION],
        )
    except ImportRejected as exc:
        upload.problems.extend(exc.problems)
        return upload
    # A file without the appreciation column (an older download, a CSV of marks only)
    # leaves the stored appreciations alone; with it, an empty cell clears one.
    if APPRECIATION in table.header:
        columns = [*columns, APPRECIATION]
    roster = {row.enrolment.pupil.code_massar for row in grid.rows}
    seen: dict[str, int] = {}
    for number, values in table.rows:
        if "__error__" in values:
            upload.problems.append(row_problem(number, values))
            continue
        code = _cell_text(values.get("code_massar")).upper()
        if not code:
            upload.problems.append(Problem(number, "code_massar", "", _("code Massar manquant")))
            continue
        upload.rows[number] = code
        if code in seen:
            upload.problems.append(
                Problem(
                    number,
                    "code_massar",
                    code,
                    _("élève en double (déjà en ligne %(row)s)") % {"row": seen[code]},
                )
            )
            continue
        seen[code] = number
        if code not in roster:
            upload.problems.append(
                Problem(number, "code_massar", code, _("élève non inscrit dans la classe"))
            )
            continue
        upload.cells.extend(
            Cell(code, column, _cell_text(values.get(column)), row=number) for column in columns
        )
    if not seen and not upload.problems:
        upload.problems.append(Problem(2, "", filename, _("aucune ligne d'élève dans le fichier")))
    return upload
