"""The marks grid: one class × subject × semester entered and saved whole, its validation
and reopening by the school head, and the offline XLSX round trip.

Every page works without JavaScript: the grid is one plain form posted whole and the
service is the authority on what is saved; ``marks-grid.js`` only makes typing faster
and keeps the average column up to date as marks are typed (with the weights and the
rule of ``grading.continuous_average``, handed over in ``data-*`` attributes).
A save that fails for any reason writes nothing and shows the user's values again, so no
typing is lost.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from pilotage.core.tabular import Problem
from pilotage.schooling import grading
from pilotage.schooling.exports import (
    XLSX_CONTENT_TYPE,
    column_label,
    sheet_read_upload,
    sheet_xlsx,
)
from pilotage.schooling.models import (
    APPRECIATION_MAX,
    Appreciation,
    Mark,
    MarkSheet,
    Pupil,
)
from pilotage.schooling.permissions import can_edit_sheet, can_manage_school, can_view_sheet
from pilotage.schooling.selectors import (
    CONTINUOUS_KINDS,
    Grid,
    sheet_appreciations,
    sheet_grid,
    sheets_visible,
)
from pilotage.schooling.services.marks import (
    APPRECIATION,
    Cell,
    Change,
    SheetConflict,
    SheetLocked,
    SheetRejected,
    appreciation_text,
    marks_save_sheet,
    parse_cell,
    sheet_changed_since,
    sheet_deadline,
    sheet_is_locked,
    sheet_last_editor,
    sheet_preview,
    sheet_unlock,
    sheet_validate,
)
from pilotage.schooling.structure import grading_scale

UNLOCK_HOURS = (24, 48, 72, 168)
DEFAULT_UNLOCK_HOURS = 48


def _sheet_or_404(request: HttpRequest, pk: int) -> MarkSheet:
    sheet = get_object_or_404(sheets_visible(request.user).select_related("validated_by"), pk=pk)
    if not can_view_sheet(request.user, sheet):
        raise Http404
    return sheet


def _user_name(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def typed_mark(value: Decimal | None, code: str = "") -> str:
    """A stored mark as the user types it: ``12,5`` in French, ``ABS``; empty for none."""
    separator = "," if formats.get_format("DECIMAL_SEPARATOR") == "," else "."
    return grading.mark_text(value, code, separator=separator, trim=True)


def _change_text(text: str | None, column: str = "") -> str:
    if text is None:
        return ""
    if column == APPRECIATION:
        return text
    try:
        return typed_mark(Decimal(text))
    except ArithmeticError:
        return text


def _same_mark(text: str, mark: Mark | None) -> bool:
    try:
        parsed = parse_cell(text)
    except ValueError:
        return False
    stored = (None, "") if mark is None else (mark.value, mark.code)
    return parsed == stored


@dataclass
class GridCell:
    name: str
    column: str
    label: str
    text: str
    mark: Mark | None = None
    error: str = ""
    saved: str | None = None
    saved_by: str = ""

    @property
    def who(self) -> str:
        return _user_name(self.mark.updated_by) if self.mark else ""


@dataclass
class AppreciationCell:
    name: str
    text: str
    stored: Appreciation | None = None
    error: str = ""
    saved: str | None = None
    saved_by: str = ""

    @property
    def who(self) -> str:
        return _user_name(self.stored.updated_by) if self.stored else ""


@dataclass
class GridLine:
    number: int
    pupil: Pupil
    cells: list[GridCell]
    average: Decimal | None
    appreciation: AppreciationCell

    @property
    def has_history(self) -> bool:
        return self.appreciation.stored is not None or any(c.mark for c in self.cells)


@dataclass
class ProblemLine:
    row: int
    code: str
    column: str
    value: str
    reason: str


def _problem_lines(
    problems: Iterable[Problem], codes: Mapping[int, str], labels: Mapping[str, str]
) -> list[ProblemLine]:
    """Problems in the words of the page: the pupil's code next to the row, the
    assessment's label instead of its key."""
    return [
        ProblemLine(p.row, codes.get(p.row, ""), labels.get(p.column, p.column), p.value, p.reason)
        for p in sorted(problems, key=lambda p: (p.row, p.column))
    ]


def _weight(assessment: Any) -> int:
    """An assessment's weight in the grid's average: the continuous assessment counts,
    each column alike (``grading.continuous_average``); the exams do not."""
    return 1 if assessment.kind in CONTINUOUS_KINDS else 0


def _grid_lines(
    grid: Grid,
    appreciations: Mapping[int, Appreciation],
    *,
    typed: Mapping[str, str] | None,
    errors: Mapping[tuple[str, str], str],
    changed: Mapping[tuple[str, str], str],
) -> list[GridLine]:
    labels = {a.column: column_label(a) for a in grid.assessments}
    continuous = [a.column for a in grid.assessments if a.kind in CONTINUOUS_KINDS]
    lines = []
    for number, row in enumerate(grid.rows, start=1):
        pupil = row.enrolment.pupil
        cells = []
        for assessment in grid.assessments:
            column = assessment.column
            mark = row.marks.get(column)
            name = f"m:{pupil.code_massar}:{column}"
            stored = typed_mark(mark.value, mark.code) if mark else ""
            text = typed[name] if typed is not None and name in typed else stored
            cell = GridCell(name, column, labels[column], text, mark)
            cell.error = errors.get((pupil.code_massar, column), "")
            key = (pupil.code_massar, column)
            if key in changed and not _same_mark(text, mark):
                cell.saved, cell.saved_by = stored, changed[key]
            cells.append(cell)
        average = grading.continuous_average(
            grading.Entry(row.marks[c].value, row.marks[c].code)
            for c in continuous
            if c in row.marks
        )
        stored_note = appreciations.get(row.enrolment.pk)
        name = f"a:{pupil.code_massar}"
        stored_text = stored_note.text if stored_note else ""
        text = typed[name] if typed is not None and name in typed else stored_text
        note = AppreciationCell(name, text, stored_note)
        key = (pupil.code_massar, APPRECIATION)
        note.error = errors.get(key, "")
        if key in changed and appreciation_text(text) != stored_text:
            note.saved, note.saved_by = stored_text, changed[key]
        lines.append(GridLine(number, pupil, cells, average, note))
    return lines


def _render_sheet(
    request: HttpRequest,
    sheet: MarkSheet,
    *,
    typed: Mapping[str, str] | None = None,
    problems: Iterable[Problem] = (),
    outcome: str = "",
    conflict_by: str = "",
    changed: Mapping[tuple[str, str], str] | None = None,
    unlock_error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The grid page, fresh or shown again after a refused save with the user's values.

    Queries, whatever the class size: the sheet, the deadline, the columns, the roster,
    the marks with their authors, the appreciations with theirs, and for a teacher
    whether they teach this subject.
    """
    grid = sheet_grid(sheet)
    appreciations = sheet_appreciations(sheet)
    locked = sheet_is_locked(sheet)
    deadline = sheet_deadline(sheet)
    can_edit = can_edit_sheet(request.user, sheet)
    codes = {n: row.enrolment.pupil.code_massar for n, row in enumerate(grid.rows, start=1)}
    labels = {a.column: column_label(a) for a in grid.assessments}
    labels[APPRECIATION] = _("Appréciation")
    problems = list(problems)
    errors = {(codes.get(p.row, ""), p.column): p.reason for p in problems}
    now = timezone.now()
    return render(
        request,
        "schooling/sheet.html",
        {
            "sheet": sheet,
            "columns": [
                {"column": a.column, "label": labels[a.column], "weight": _weight(a)}
                for a in grid.assessments
            ],
            "lines": _grid_lines(
                grid, appreciations, typed=typed, errors=errors, changed=changed or {}
            ),
            "mark_max": grading_scale(sheet.school_class.grade_level.cycle).maximum_text,
            "appreciation_max": APPRECIATION_MAX,
            "decimal_separator": formats.get_format("DECIMAL_SEPARATOR"),
            "locked": locked,
            "editable": can_edit and not locked,
            "can_edit": can_edit,
            "can_manage": can_manage_school(request.user, sheet.school_class.school),
            "deadline": deadline,
            "deadline_passed": deadline is not None and deadline < now,
            "unlocked_until": sheet.unlocked_until
            if sheet.unlocked_until and sheet.unlocked_until > now
            else None,
            "validated_by": _user_name(sheet.validated_by),
            "problems": _problem_lines(problems, codes, labels),
            "row_heading": _("N°"),
            "outcome": outcome,
            "conflict_by": conflict_by,
            "unsaved": typed is not None,
            "unlock_error": unlock_error,
            "unlock_reason": request.POST.get("reason", "") if unlock_error else "",
            "unlock_hours": UNLOCK_HOURS,
            "default_unlock_hours": DEFAULT_UNLOCK_HOURS,
        },
        status=status,
    )


def _cells_from_post(request: HttpRequest, grid: Grid) -> tuple[dict[str, str], list[Cell]]:
    """Every ``m:<code>:<column>`` field of the form, and every ``a:<code>`` (the pupil's
    appreciation); the row of a cell is the pupil's line number in the grid, so a problem
    can point at the line the user sees."""
    lines = {row.enrolment.pupil.code_massar: n for n, row in enumerate(grid.rows, start=1)}
    typed: dict[str, str] = {}
    cells: list[Cell] = []
    for name in request.POST:
        if name.startswith("a:"):
            raw = request.POST.get(name) or ""
            typed[name] = raw
            code = name[2:]
            cells.append(Cell(code, APPRECIATION, raw, row=lines.get(code, 0)))
            continue
        parts = name.split(":", 2)
        if len(parts) != 3 or parts[0] != "m":
            continue
        raw = request.POST.get(name) or ""
        typed[name] = raw
        cells.append(Cell(parts[1], parts[2], raw, row=lines.get(parts[1], 0)))
    return typed, cells


def _posted_version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def _saved_message(request: HttpRequest, result: Mapping[str, int]) -> None:
    changed, remarks = result["changed"], result.get("appreciations", 0)
    if changed:
        messages.success(
            request,
            ngettext("%(count)s note enregistrée.", "%(count)s notes enregistrées.", changed)
            % {"count": changed},
        )
    if remarks:
        messages.success(
            request,
            ngettext(
                "%(count)s appréciation enregistrée.",
                "%(count)s appréciations enregistrées.",
                remarks,
            )
            % {"count": remarks},
        )
    if not changed and not remarks:
        messages.info(request, _("Aucune modification : rien n'a été enregistré."))


def sheet_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = _sheet_or_404(request, pk)
    if request.method != "POST":
        return _render_sheet(request, sheet)
    # marks_save_sheet checks who may enter marks (PermissionDenied → 404 below).
    typed, cells = _cells_from_post(request, sheet_grid(sheet))
    try:
        result = marks_save_sheet(
            actor=request.user, sheet=sheet, version=_posted_version(request), cells=cells
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except SheetConflict as exc:
        sheet.refresh_from_db()
        return _render_sheet(
            request,
            sheet,
            typed=typed,
            outcome="conflict",
            conflict_by=exc.by or _("un autre utilisateur"),
            changed=sheet_changed_since(sheet, _posted_version(request)),
            status=409,
        )
    except SheetLocked:
        sheet.refresh_from_db()
        return _render_sheet(request, sheet, typed=typed, outcome="locked", status=423)
    except SheetRejected as exc:
        return _render_sheet(
            request, sheet, typed=typed, problems=exc.problems, outcome="rejected", status=400
        )
    _saved_message(request, result)
    return redirect("schooling:sheet", pk=sheet.pk)


def _manager_sheet_or_404(request: HttpRequest, pk: int) -> MarkSheet:
    sheet = _sheet_or_404(request, pk)
    if not can_manage_school(request.user, sheet.school_class.school):
        raise Http404
    return sheet


@require_POST
def validate(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = _manager_sheet_or_404(request, pk)
    try:
        sheet_validate(actor=request.user, sheet=sheet)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("Feuille validée : la saisie est close."))
    return redirect("schooling:sheet", pk=sheet.pk)


@require_POST
def unlock(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = _manager_sheet_or_404(request, pk)
    try:
        hours = int(request.POST.get("hours", DEFAULT_UNLOCK_HOURS))
    except ValueError:
        hours = DEFAULT_UNLOCK_HOURS
    if hours not in UNLOCK_HOURS:
        hours = DEFAULT_UNLOCK_HOURS
    try:
        sheet = sheet_unlock(
            actor=request.user, sheet=sheet, reason=request.POST.get("reason", ""), hours=hours
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValueError as exc:
        return _render_sheet(request, sheet, unlock_error=str(exc), status=400)
    messages.success(
        request,
        _("Saisie rouverte jusqu'au %(until)s.")
        % {
            "until": formats.date_format(
                timezone.localtime(sheet.unlocked_until), "DATETIME_FORMAT"
            )
        },
    )
    return redirect("schooling:sheet", pk=sheet.pk)


def _download_name(sheet: MarkSheet) -> str:
    base = slugify(f"notes {sheet.school_class.name} {sheet.subject.code} s{sheet.semester.number}")
    return f"{base or 'notes'}.xlsx"


@require_GET
def download(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = _sheet_or_404(request, pk)
    appreciations = {pk: a.text for pk, a in sheet_appreciations(sheet).items()}
    response = HttpResponse(
        sheet_xlsx(sheet_grid(sheet), appreciations), content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{_download_name(sheet)}"'
    return response


class UploadForm(forms.Form):
    # Empty files are let through so the reader reports them like every other problem.
    file = forms.FileField(label=gettext_lazy("Fichier XLSX ou CSV"), allow_empty_file=True)


@dataclass
class ChangeLine:
    code: str
    name: str
    name_ar: str
    column: str
    old: str
    new: str
    pupil: Pupil | None = None
    free_text: bool = False  # an appreciation: shown in its own direction


@dataclass
class Preview:
    changes: list[ChangeLine] = field(default_factory=list)
    problems: list[ProblemLine] = field(default_factory=list)
    outcome: str = ""
    conflict_by: str = ""
    token: str = ""
    filename: str = ""
    from_xlsx: bool = True


def _change_lines(grid: Grid, changes: Iterable[Change]) -> list[ChangeLine]:
    pupils = {row.enrolment.pupil.code_massar: row.enrolment.pupil for row in grid.rows}
    labels = {a.column: column_label(a) for a in grid.assessments}
    labels[APPRECIATION] = _("Appréciation")
    lines = []
    for change in changes:
        pupil = pupils.get(change.code_massar)
        lines.append(
            ChangeLine(
                change.code_massar,
                pupil.full_name if pupil else "",
                pupil.full_name_ar if pupil else "",
                labels.get(change.column, change.column),
                _change_text(change.old, change.column),
                _change_text(change.new, change.column),
                pupil,
                change.column == APPRECIATION,
            )
        )
    return lines


def _file_labels(grid: Grid) -> dict[str, str]:
    """A file's problems name the column by the key its header holds, then the label."""
    labels = {a.column: f"{a.column} ({column_label(a)})" for a in grid.assessments}
    labels[APPRECIATION] = f"{APPRECIATION} ({_('Appréciation')})"
    return labels


def _session_key(sheet: MarkSheet) -> str:
    return f"marks-upload:{sheet.pk}"


def _render_upload(
    request: HttpRequest,
    sheet: MarkSheet,
    *,
    form: forms.Form | None = None,
    preview: Preview | None = None,
    status: int = 200,
) -> HttpResponse:
    locked = sheet_is_locked(sheet)
    return render(
        request,
        "schooling/sheet_upload.html",
        {
            "sheet": sheet,
            "form": form if form is not None else UploadForm(),
            "preview": preview,
            "locked": locked,
        },
        status=status,
    )


def _preview_upload(request: HttpRequest, sheet: MarkSheet, upload: Any) -> HttpResponse:
    """Read the file, show what would change and every problem, save nothing: the cells
    wait in the session for the user's confirmation."""
    grid = sheet_grid(sheet)
    labels = _file_labels(grid)
    parsed = sheet_read_upload(grid, upload.file, filename=upload.name)
    preview = Preview(filename=upload.name, from_xlsx=parsed.from_xlsx)
    problems = parsed.problems
    changes: list[Change] = []
    if not problems:
        changes, problems = sheet_preview(sheet=sheet, cells=parsed.cells)
    if problems:
        preview.problems = _problem_lines(problems, parsed.rows, labels)
        preview.outcome = "rejected"
        return _render_upload(request, sheet, preview=preview, status=400)
    preview.changes = _change_lines(grid, changes)
    if parsed.version is not None and parsed.version != sheet.version:
        preview.outcome = "conflict"
        preview.conflict_by = sheet_last_editor(sheet) or _("un autre utilisateur")
        return _render_upload(request, sheet, preview=preview, status=409)
    if changes:
        preview.token = uuid.uuid4().hex
        request.session[_session_key(sheet)] = {
            "token": preview.token,
            "version": sheet.version if parsed.version is None else parsed.version,
            "filename": upload.name,
            "cells": [[c.code_massar, c.column, c.raw, c.row] for c in parsed.cells],
        }
    return _render_upload(request, sheet, preview=preview)


def _confirm_upload(request: HttpRequest, sheet: MarkSheet) -> HttpResponse:
    stored = request.session.get(_session_key(sheet))
    if not stored or stored.get("token") != request.POST.get("token"):
        messages.error(request, _("Cet aperçu n'est plus valable : déposez de nouveau le fichier."))
        return redirect("schooling:sheet_upload", pk=sheet.pk)
    del request.session[_session_key(sheet)]
    cells = [Cell(code, column, raw, row=row) for code, column, raw, row in stored["cells"]]
    grid = sheet_grid(sheet)
    preview = Preview(filename=stored.get("filename", ""))
    try:
        result = marks_save_sheet(
            actor=request.user, sheet=sheet, version=stored["version"], cells=cells
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except SheetConflict as exc:
        preview.outcome, preview.conflict_by = "conflict", exc.by or _("un autre utilisateur")
        return _render_upload(request, sheet, preview=preview, status=409)
    except SheetLocked:
        return _render_upload(request, sheet, status=423)
    except SheetRejected as exc:
        codes = {row: code for code, _column, _raw, row in stored["cells"]}
        preview.problems = _problem_lines(exc.problems, codes, _file_labels(grid))
        preview.outcome = "rejected"
        return _render_upload(request, sheet, preview=preview, status=400)
    _saved_message(request, result)
    return redirect("schooling:sheet", pk=sheet.pk)


def upload(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = _sheet_or_404(request, pk)
    if not can_edit_sheet(request.user, sheet):
        raise Http404
    if request.method == "POST" and sheet_is_locked(sheet):
        return _render_upload(request, sheet, status=423)
    if request.method == "POST" and request.POST.get("action") == "confirm":
        return _confirm_upload(request, sheet)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        return _preview_upload(request, sheet, form.cleaned_data["file"])
    return _render_upload(request, sheet, form=form, status=400 if form.errors else 200)


urlpatterns = [
    path("sheets/<int:pk>/", sheet_detail, name="sheet"),
    path("sheets/<int:pk>/validate/", validate, name="sheet_validate"),
    path("sheets/<int:pk>/unlock/", unlock, name="sheet_unlock"),
    path("sheets/<int:pk>/xlsx", download, name="sheet_xlsx"),
    path("sheets/<int:pk>/upload", upload, name="sheet_upload"),
]
