from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from pilotage.core.models import AuditEntry
from pilotage.core.tests.support import unchanged
from pilotage.orgunits.services import academic_year_create
from pilotage.schooling.models import (
    Absence,
    CouncilDecision,
    Enrolment,
    EnrolmentStatus,
    GradeLevel,
    Transfer,
    TransferStatus,
)
from pilotage.schooling.services.attendance import AbsenceLine, absences_record
from pilotage.schooling.services.council import council_close, council_decide, council_proposals
from pilotage.schooling.services.enrolments import (
    pupil_drop_out,
    pupil_enrol,
    transfer_decide,
    transfer_request,
)
from pilotage.schooling.services.marks import (
    Cell,
    marks_save_sheet,
    sheet_ensure,
    sheet_validate,
)
from pilotage.schooling.tests.factories import make_pupil

pytestmark = pytest.mark.django_db


def test_one_active_enrolment_per_year_is_a_database_constraint(school_year) -> None:  # type: ignore[no-untyped-def]
    pupil = school_year.pupils_a1[1]
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(
            pupil=pupil,
            school=school_year.class_b1.school,
            academic_year=school_year.year,
            grade_level=school_year.class_b1.grade_level,
            entered_on=dt.date(2025, 9, 1),
        )


def test_enrol_through_the_service_gives_a_clear_error(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    pupil = school_year.pupils_a1[1]
    with unchanged(Enrolment), pytest.raises(ValidationError, match="déjà une inscription active"):
        pupil_enrol(
            actor=personas.head_b,
            pupil=pupil,
            school=personas.school_b,
            academic_year=school_year.year,
            grade_level=GradeLevel.objects.get(code="1AC"),
        )
    newcomer = make_pupil()
    with unchanged(Enrolment), pytest.raises(PermissionDenied):
        pupil_enrol(
            actor=personas.head_b,
            pupil=newcomer,
            school=personas.school_a,
            academic_year=school_year.year,
            grade_level=GradeLevel.objects.get(code="5AP"),
        )
    assert not Enrolment.objects.filter(pupil=newcomer).exists()


def test_transfer_is_requested_by_origin_and_accepted_by_destination(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    pupil = school_year.pupils_a1[2]
    with unchanged(Transfer, Enrolment), pytest.raises(PermissionDenied):  # cannot pull a pupil
        transfer_request(
            actor=personas.head_b,
            pupil=pupil,
            academic_year=school_year.year,
            to_school=personas.school_b,
        )
    transfer = transfer_request(
        actor=personas.head_a,
        pupil=pupil,
        academic_year=school_year.year,
        to_school=personas.school_b,
        reason="déménagement",
    )
    with unchanged(Transfer, Enrolment), pytest.raises(ValidationError, match="déjà en attente"):
        transfer_request(
            actor=personas.head_a,
            pupil=pupil,
            academic_year=school_year.year,
            to_school=personas.school_b,
        )
    # The origin cannot accept for the destination.
    with unchanged(Transfer, Enrolment), pytest.raises(PermissionDenied):
        transfer_decide(actor=personas.head_a, transfer=transfer, accept=True)
    transfer_decide(
        actor=personas.head_b, transfer=transfer, accept=True, school_class=school_year.class_b1
    )
    history = list(
        Enrolment.objects.filter(pupil=pupil).order_by("pk").values_list("school__code", "status")
    )
    assert history == [
        ("04101A", EnrolmentStatus.TRANSFERRED_OUT),
        ("03201B", EnrolmentStatus.TRANSFERRED_IN),
    ]
    assert Transfer.objects.get().status == TransferStatus.ACCEPTED
    with unchanged(Transfer, Enrolment), pytest.raises(ValidationError, match="déjà été traité"):
        transfer_decide(actor=personas.head_b, transfer=transfer, accept=False)


def test_refused_transfer_moves_nothing(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    pupil = school_year.pupils_a1[2]
    transfer = transfer_request(
        actor=personas.head_a,
        pupil=pupil,
        academic_year=school_year.year,
        to_school=personas.school_b,
    )
    transfer_decide(actor=personas.head_b, transfer=transfer, accept=False)
    assert list(Enrolment.objects.filter(pupil=pupil).values_list("status", flat=True)) == [
        EnrolmentStatus.ENROLLED
    ]


def test_dropout(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    pupil = school_year.pupils_a1[3]
    with unchanged(Enrolment), pytest.raises(PermissionDenied):
        pupil_drop_out(
            actor=personas.teacher_a1,
            pupil=pupil,
            academic_year=school_year.year,
            left_on=dt.date(2025, 12, 1),
        )
    enrolment = pupil_drop_out(
        actor=personas.head_a,
        pupil=pupil,
        academic_year=school_year.year,
        left_on=dt.date(2025, 12, 1),
    )
    assert enrolment.status == EnrolmentStatus.DROPPED_OUT
    entry = AuditEntry.objects.filter(
        object_type="schooling.enrolment", object_id=str(enrolment.pk)
    ).get()
    assert entry.changes["status"] == [EnrolmentStatus.ENROLLED, EnrolmentStatus.DROPPED_OUT]


def test_absences_for_a_half_day_are_idempotent(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    day = dt.date(2025, 10, 6)
    lines = [
        AbsenceLine(school_year.pupils_a1[0].pk),
        AbsenceLine(school_year.pupils_a1[1].pk, hours=2, justified=True, reason="maladie"),
    ]
    assert absences_record(
        actor=personas.teacher_a1,
        school_class=school_year.class_a1,
        date=day,
        session="am",
        lines=lines,
    ) == {"created": 2, "updated": 0, "removed": 0}
    assert absences_record(
        actor=personas.teacher_a1,
        school_class=school_year.class_a1,
        date=day,
        session="am",
        lines=lines,
    ) == {"created": 0, "updated": 0, "removed": 0}
    assert (
        absences_record(
            actor=personas.teacher_a1,
            school_class=school_year.class_a1,
            date=day,
            session="am",
            lines=lines[:1],
        )["removed"]
        == 1
    )
    assert Absence.objects.count() == 1


def test_absences_denied_and_bad_input(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    day = dt.date(2025, 10, 6)
    with unchanged(Absence), pytest.raises(PermissionDenied):
        absences_record(
            actor=personas.head_b,
            school_class=school_year.class_a1,
            date=day,
            session="am",
            lines=[],
        )
    with unchanged(Absence), pytest.raises(ValidationError, match="non inscrits dans la classe"):
        absences_record(
            actor=personas.head_a,
            school_class=school_year.class_a1,
            date=day,
            session="am",
            lines=[AbsenceLine(school_year.pupils_b1[0].pk)],
        )
    with unchanged(Absence), pytest.raises(ValidationError, match="année scolaire"):
        absences_record(
            actor=personas.head_a,
            school_class=school_year.class_a1,
            date=dt.date(2024, 10, 6),
            session="am",
            lines=[],
        )
    assert not Absence.objects.exists()


def _fill(personas, school_year, marks: dict[int, str]) -> None:  # type: ignore[no-untyped-def]
    """Same mark in every continuous assessment of maths, both semesters."""
    for semester in (school_year.s1, school_year.s2):
        sheet = sheet_ensure(
            school_class=school_year.class_a1, subject=school_year.sheet.subject, semester=semester
        )
        cells = [
            Cell(school_year.pupils_a1[i].code_massar, col, v)
            for i, v in marks.items()
            for col in ("test_1", "test_2", "test_3", "activity_1")
        ]
        marks_save_sheet(actor=personas.teacher_a1, sheet=sheet, version=sheet.version, cells=cells)
        sheet_validate(actor=personas.head_a, sheet=sheet)  # a council needs both semesters


def test_council_suggests_decides_and_closes_the_year(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    # 5AP is primary school: marks out of 10, promotion from 5 (docs/schooling.md § Marks).
    _fill(personas, school_year, {0: "7", 1: "4", 2: "5", 3: "4,75", 4: "8"})
    proposals = {p.enrolment.pupil_id: p for p in council_proposals(school_year.class_a1)}
    pupils = school_year.pupils_a1
    assert (
        proposals[pupils[0].pk].annual == Decimal("7.00")
        and proposals[pupils[0].pk].suggestion == "promote"
    )
    assert proposals[pupils[1].pk].suggestion == "repeat"
    assert proposals[pupils[2].pk].suggestion == "promote"  # exactly the threshold
    assert proposals[pupils[3].pk].suggestion == "repeat"
    enrolments = {p.enrolment.pupil_id: p.enrolment.pk for p in proposals.values()}
    with unchanged(CouncilDecision, Enrolment), pytest.raises(PermissionDenied):
        council_decide(
            actor=personas.teacher_a1,
            school_class=school_year.class_a1,
            decisions={enrolments[pupils[0].pk]: ("promote", "")},
        )
    decisions = {enrolments[p.pk]: ("promote", "") for p in pupils}
    decisions[enrolments[pupils[1].pk]] = ("repeat", "")
    decisions[enrolments[pupils[3].pk]] = (
        "promote",
        "rachat du conseil",
    )  # the council departs from the threshold
    next_year = academic_year_create(actor=None, first_year=2026)
    with (
        unchanged(CouncilDecision, Enrolment),
        pytest.raises(ValidationError, match="Décision manquante"),
    ):
        council_close(actor=personas.head_a, school_class=school_year.class_a1, next_year=next_year)
    council_decide(actor=personas.head_a, school_class=school_year.class_a1, decisions=decisions)
    kept = CouncilDecision.objects.get(enrolment_id=enrolments[pupils[3].pk])
    assert (kept.suggestion, kept.decision, kept.note) == ("repeat", "promote", "rachat du conseil")
    counts = council_close(
        actor=personas.head_a, school_class=school_year.class_a1, next_year=next_year
    )
    assert counts == {"promoted": 4, "graduated": 0, "repeating": 1, "dismissed": 0, "next_year": 5}
    following = dict(
        Enrolment.objects.filter(academic_year=next_year).values_list(
            "pupil_id", "grade_level__code"
        )
    )
    assert following[pupils[0].pk] == "6AP" and following[pupils[1].pk] == "5AP"
    assert (
        Enrolment.objects.get(academic_year=next_year, pupil=pupils[1]).status
        == EnrolmentStatus.REPEATING
    )
