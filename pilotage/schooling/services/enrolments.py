"""Pupils, enrolments, transfers and dropouts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pilotage.core.audit import CREATE, UPDATE, audit_record, diff, snapshot
from pilotage.core.db import save_or_refuse
from pilotage.orgunits.models import AcademicYear, OrgUnit
from pilotage.schooling.models import (
    ACTIVE_STATUSES,
    Enrolment,
    EnrolmentStatus,
    GradeLevel,
    Pupil,
    SchoolClass,
    Transfer,
    TransferStatus,
)
from pilotage.schooling.permissions import can_manage_school
from pilotage.schooling.services.changes import records_changed

PUPIL_FIELDS = (
    "code_massar",
    "last_name",
    "first_name",
    "last_name_ar",
    "first_name_ar",
    "sex",
    "birth_date",
    "birth_place",
)


@transaction.atomic
def pupil_enrol(
    *,
    actor: Any,
    pupil: Pupil,
    school: OrgUnit,
    academic_year: AcademicYear,
    grade_level: GradeLevel,
    school_class: SchoolClass | None = None,
    status: str = EnrolmentStatus.ENROLLED,
    entered_on: dt.date | None = None,
) -> Enrolment:
    if actor is not None and not can_manage_school(actor, school):
        raise PermissionDenied
    if school_class is not None and (
        school_class.school_id != school.pk
        or school_class.academic_year_id != academic_year.pk
        or school_class.grade_level_id != grade_level.pk
    ):
        raise ValidationError(
            _("La classe n'appartient pas à cet établissement, cette année et ce niveau.")
        )
    enrolment = Enrolment(
        pupil=pupil,
        school=school,
        academic_year=academic_year,
        grade_level=grade_level,
        school_class=school_class,
        status=status,
        entered_on=entered_on or timezone.localdate(),
    )
    records_changed(school_ids=[school.pk], year_id=academic_year.pk, pupil_ids=[pupil.pk])
    save_or_refuse(
        enrolment,
        _("L'élève %(code)s a déjà une inscription active en %(year)s.")
        % {"code": pupil.code_massar, "year": academic_year.code},
    )
    audit_record(
        actor=actor,
        action=CREATE,
        obj=enrolment,
        changes=diff(
            {},
            snapshot(
                enrolment,
                ("pupil", "school", "academic_year", "grade_level", "school_class", "status"),
            ),
        ),
    )
    return enrolment


def _active_enrolment(pupil: Pupil, year: AcademicYear) -> Enrolment:
    enrolment = (
        Enrolment.objects.select_for_update()
        .filter(pupil=pupil, academic_year=year, status__in=ACTIVE_STATUSES)
        .select_related("school")
        .first()
    )
    if enrolment is None:
        raise ValidationError(_("L'élève n'a pas d'inscription active cette année."))
    return enrolment


@transaction.atomic
def transfer_request(
    *, actor: Any, pupil: Pupil, academic_year: AcademicYear, to_school: OrgUnit, reason: str = ""
) -> Transfer:
    """The origin school asks; nothing moves until the destination accepts."""
    enrolment = _active_enrolment(pupil, academic_year)
    if not can_manage_school(actor, enrolment.school):
        raise PermissionDenied
    if to_school.pk == enrolment.school_id:
        raise ValidationError(_("L'établissement de destination est l'établissement actuel."))
    if not hasattr(to_school, "school"):
        raise ValidationError(_("La destination n'est pas un établissement."))
    transfer = Transfer(
        pupil=pupil,
        academic_year=academic_year,
        from_school=enrolment.school,
        to_school=to_school,
        reason=reason,
        requested_by=actor,
    )
    save_or_refuse(
        transfer,
        _("Un transfert est déjà en attente pour cet élève."),
    )
    audit_record(
        actor=actor,
        action=CREATE,
        obj=transfer,
        changes={"to_school": [None, to_school.code], "status": [None, transfer.status]},
    )
    return transfer


@transaction.atomic
def transfer_decide(
    *, actor: Any, transfer: Transfer, accept: bool, school_class: SchoolClass | None = None
) -> Transfer:
    """The destination school accepts (the pupil leaves the origin and is enrolled here,
    history kept) or refuses."""
    transfer = (
        Transfer.objects.select_for_update()
        .select_related("to_school", "pupil")
        .get(pk=transfer.pk)
    )
    if not can_manage_school(actor, transfer.to_school):
        raise PermissionDenied
    if transfer.status != TransferStatus.REQUESTED:
        raise ValidationError(_("Ce transfert a déjà été traité."))
    transfer.status = TransferStatus.ACCEPTED if accept else TransferStatus.REFUSED
    transfer.decided_by = actor
    transfer.decided_at = timezone.now()
    transfer.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action=UPDATE,
        obj=transfer,
        changes={"status": [TransferStatus.REQUESTED, transfer.status]},
        path=transfer.to_school.path,
    )
    if accept:
        origin = _active_enrolment(transfer.pupil, transfer.academic_year)
        previous = origin.status
        origin.status = EnrolmentStatus.TRANSFERRED_OUT
        origin.left_on = timezone.localdate()
        origin.save(update_fields=["status", "left_on"])
        audit_record(
            actor=actor, action=UPDATE, obj=origin, changes={"status": [previous, origin.status]}
        )
        new = Enrolment(
            pupil=transfer.pupil,
            school=transfer.to_school,
            academic_year=transfer.academic_year,
            grade_level=origin.grade_level,
            school_class=school_class,
            status=EnrolmentStatus.TRANSFERRED_IN,
            entered_on=timezone.localdate(),
        )
        new.save()
        records_changed(
            school_ids=[origin.school_id, new.school_id],
            year_id=new.academic_year_id,
            pupil_ids=[new.pupil_id],
        )
        audit_record(
            actor=actor,
            action=CREATE,
            obj=new,
            changes={"status": [None, new.status], "school": [None, transfer.to_school.code]},
        )
    return transfer


@transaction.atomic
def pupil_drop_out(
    *, actor: Any, pupil: Pupil, academic_year: AcademicYear, left_on: dt.date
) -> Enrolment:
    """A pupil who leaves without a transfer."""
    enrolment = _active_enrolment(pupil, academic_year)
    if not can_manage_school(actor, enrolment.school):
        raise PermissionDenied
    before = snapshot(enrolment, ("status", "left_on"))
    enrolment.status = EnrolmentStatus.DROPPED_OUT
    enrolment.left_on = left_on
    enrolment.save(update_fields=["status", "left_on"])
    audit_record(
        actor=actor,
        action=UPDATE,
        obj=enrolment,
        changes=diff(before, snapshot(enrolment, ("status", "left_on"))),
    )
    return enrolment
