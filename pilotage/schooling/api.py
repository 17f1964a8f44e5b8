"""School records over the API, scoped exactly like the pages (same selectors)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import BaseModel

from pilotage.core.apischema import ROW_ID, errors
from pilotage.core.pagination import Pages
from pilotage.schooling.grading import mark_text
from pilotage.schooling.models import ACTIVE_STATUSES, Enrolment, MarkSheet
from pilotage.schooling.selectors import (
    class_roster,
    classes_visible,
    pupil_enrolments,
    pupils_search,
    pupils_visible,
    sheet_grid,
    sheets_visible,
)
from pilotage.schooling.services.marks import (
    Cell,
    SheetConflict,
    SheetLocked,
    SheetRejected,
    marks_save_sheet,
    sheet_is_locked,
)
from pilotage.schooling.structure import grading_scale

router = Router(tags=["school records"])


class ClassOut(Schema):
    id: int
    name: str
    school: str
    academic_year: str
    grade_level: str
    stream: str | None

    @staticmethod
    def resolve_school(obj: Any) -> str:
        return obj.school.code

    @staticmethod
    def resolve_academic_year(obj: Any) -> str:
        return obj.academic_year.code

    @staticmethod
    def resolve_grade_level(obj: Any) -> str:
        return obj.grade_level.code

    @staticmethod
    def resolve_stream(obj: Any) -> str | None:
        return obj.stream.code if obj.stream else None


class PupilOut(Schema):
    code_massar: str
    last_name: str
    first_name: str
    last_name_ar: str
    first_name_ar: str
    sex: str
    birth_date: dt.date


class EnrolmentOut(Schema):
    id: int
    code_massar: str
    school: str
    academic_year: str
    grade_level: str
    school_class: int | None
    status: str
    entered_on: dt.date
    left_on: dt.date | None

    @staticmethod
    def resolve_code_massar(obj: Enrolment) -> str:
        return obj.pupil.code_massar

    @staticmethod
    def resolve_school(obj: Enrolment) -> str:
        return obj.school.code

    @staticmethod
    def resolve_academic_year(obj: Enrolment) -> str:
        return obj.academic_year.code

    @staticmethod
    def resolve_grade_level(obj: Enrolment) -> str:
        return obj.grade_level.code

    @staticmethod
    def resolve_school_class(obj: Enrolment) -> int | None:
        return obj.school_class_id


class PupilDetailOut(PupilOut):
    enrolments: list[EnrolmentOut]


class SheetRowOut(Schema):
    code_massar: str
    name: str
    marks: dict[str, str | None]


class SheetOut(Schema):
    id: int
    school_class: int
    subject: str
    semester: int
    version: int
    locked: bool
    mark_max: str  # the class's cycle's scale: "10" in primary school, "20" after
    pass_mark: str
    columns: list[str]
    rows: list[SheetRowOut]


# Plain pydantic models for the body of a save: a ninja Schema runs its ORM-aware
# validator on each of the 40 cells, which cost a tenth of a save (bench/marks_peak.py).
class MarkIn(BaseModel):
    code_massar: str
    column: str
    value: str | None = None


class SheetIn(BaseModel):
    version: int
    marks: list[MarkIn]


class SavedOut(Schema):
    version: int
    changed: int


class ConflictOut(Schema):
    detail: str
    current_version: int
    by: str


class ProblemOut(Schema):
    row: int
    column: str
    value: str
    reason: str


class RejectedOut(Schema):
    detail: str
    # none when the body itself could not be read ("Cannot parse request body")
    problems: list[ProblemOut] = []


class DetailOut(Schema):
    detail: str


@router.get("/classes", response=list[ClassOut])
@paginate(Pages, page_size=100)
def list_classes(request: HttpRequest, school: str = "", year: str = ""):
    qs = classes_visible(request.user).order_by("school__code", "grade_level__order", "name")
    if school:
        qs = qs.filter(school__code=school)
    if year:
        qs = qs.filter(academic_year__code=year)
    return qs


@router.get("/classes/{class_id}/pupils", response={200: list[PupilOut], **errors(404)})
def class_pupils(request: HttpRequest, class_id: int = Path(..., **ROW_ID)):
    school_class = get_object_or_404(classes_visible(request.user), pk=class_id)
    return [e.pupil for e in class_roster(school_class)]


@router.get("/pupils", response=list[PupilOut])
@paginate(Pages, page_size=100)
def list_pupils(request: HttpRequest, q: str = ""):
    """``q``: words that each start the code Massar or appear in a name, Latin (accents and
    case aside) or Arabic."""
    return pupils_search(request.user, q)


@router.get("/pupils/{code_massar}", response={200: PupilDetailOut, **errors(404)})
def get_pupil(request: HttpRequest, code_massar: str):
    pupil = get_object_or_404(pupils_visible(request.user), code_massar=code_massar)
    return {
        **PupilOut.from_orm(pupil).dict(),
        "enrolments": list(pupil_enrolments(pupil).select_related("pupil")),
    }


@router.get("/enrolments", response=list[EnrolmentOut])
@paginate(Pages, page_size=200)
def list_enrolments(
    request: HttpRequest,
    school_class: int | None = Query(None, **ROW_ID),
    year: str = "",
    active: bool = True,
):
    classes = classes_visible(request.user)
    qs = Enrolment.objects.filter(school_class__in=classes).select_related(
        "pupil", "school", "academic_year", "grade_level"
    )
    if school_class is not None:
        qs = qs.filter(school_class_id=school_class)
    if year:
        qs = qs.filter(academic_year__code=year)
    if active:
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    return qs.order_by("school_class_id", "pupil__last_name", "pupil__first_name")


def _sheet_out(sheet: Any) -> dict[str, Any]:
    grid = sheet_grid(sheet, with_editors=False)
    columns = [a.column for a in grid.assessments]
    scale = grading_scale(sheet.school_class.grade_level.cycle)
    return {
        "id": sheet.pk,
        "school_class": sheet.school_class_id,
        "subject": sheet.subject.code,
        "semester": sheet.semester.number,
        "version": sheet.version,
        "locked": sheet_is_locked(sheet),
        "mark_max": scale.maximum_text,
        "pass_mark": format(scale.pass_mark.normalize(), "f"),
        "columns": columns,
        "rows": [
            {
                "code_massar": row.enrolment.pupil.code_massar,
                "name": row.enrolment.pupil.full_name,
                "marks": {
                    c: mark_text(m.value, m.code) if (m := row.marks.get(c)) else None
                    for c in columns
                },
            }
            for row in grid.rows
        ],
    }


@router.get("/sheets/{sheet_id}", response={200: SheetOut, **errors(404)})
def get_sheet(request: HttpRequest, sheet_id: int):
    """A whole marks sheet with its version: send the version back with the PUT."""
    sheet = get_object_or_404(sheets_visible(request.user), pk=sheet_id)
    return _sheet_out(sheet)


@router.put(
    "/sheets/{sheet_id}",
    response={200: SavedOut, 400: RejectedOut, 409: ConflictOut, 423: DetailOut, **errors(404)},
)
def put_sheet(request: HttpRequest, sheet_id: int, payload: SheetIn):
    """Save a whole sheet. 409 when someone saved since ``version``; 423 when locked;
    400 with every problem when a cell is invalid. Nothing is written in those cases."""
    cells = [
        Cell(m.code_massar, m.column, m.value, row=i) for i, m in enumerate(payload.marks, start=1)
    ]
    try:
        saved = marks_save_sheet(
            actor=request.user, sheet=sheet_id, version=payload.version, cells=cells
        )
    except SheetConflict as exc:
        conflict = {
            "detail": "version conflict",
            "current_version": exc.current_version,
            "by": exc.by,
        }
        return Status(409, conflict)
    except SheetLocked:
        return Status(423, {"detail": "sheet locked"})
    except SheetRejected as exc:
        problems = [p.as_dict() for p in exc.problems]
        return Status(400, {"detail": "invalid marks", "problems": problems})
    except (PermissionDenied, MarkSheet.DoesNotExist) as exc:
        # Outsiders and those who may only read the sheet: as if it did not exist.
        raise Http404 from exc
    return Status(200, saved)
