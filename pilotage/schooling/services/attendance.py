"""Daily absences, entered per class and half-day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pilotage.core.audit import UPDATE, audit_record
from pilotage.schooling.audit import ATTENDANCE
from pilotage.schooling.models import ACTIVE_STATUSES, Absence, Enrolment, SchoolClass, Session
from pilotage.schooling.permissions import can_manage_school, can_take_attendance
from pilotage.schooling.services.changes import records_changed

SUNDAY = 6


def attendance_days(
    school_class: SchoolClass, *, today: dt.date | None = None
) -> tuple[dt.date, dt.date]:
    """The first and last day a roll may be taken for the class: its school year, up to
    today (the date picker's min and max)."""
    year = school_class.academic_year
    return year.start, min(year.end, today or timezone.localdate())


def is_school_day(school_class: SchoolClass, day: dt.date, *, today: dt.date | None = None) -> bool:
    """A day of the class's school year, not in the future, not a Sunday. There is no
    holiday calendar in the org-unit models yet; when there is, it joins here."""
    first, last = attendance_days(school_class, today=today)
    return first <= day <= last and day.weekday() != SUNDAY


def school_day_default(school_class: SchoolClass, *, today: dt.date | None = None) -> dt.date:
    """Today if it is a school day of the class's year, else the nearest school day
    before it inside the year (a Sunday gives the Saturday; a class of a past year its
    last school day). A year that has not started yet gives its first day."""
    first, last = attendance_days(school_class, today=today)
    day = last
    while day >= first:
        if day.weekday() != SUNDAY:
            return day
        day -= dt.timedelta(days=1)
    return first


def school_day_step(
    school_class: SchoolClass, day: dt.date, step: int, *, today: dt.date | None = None
) -> dt.date | None:
    """The school day before (``step=-1``) or after (``+1``) ``day``, or None at either
    end of the year (or at today)."""
    first, last = attendance_days(school_class, today=today)
    candidate = day + dt.timedelta(days=step)
    while first <= candidate <= last:
        if candidate.weekday() != SUNDAY:
            return candidate
        candidate += dt.timedelta(days=step)
    return None


@dataclass(frozen=True)
class AbsenceLine:
    pupil_id: int
    hours: int = 4
    justified: bool = False
    reason: str = ""


@transaction.atomic
def absences_record(
    *,
    actor: Any,
    school_class: SchoolClass,
    date: dt.date,
    session: str,
    lines: Iterable[AbsenceLine],
) -> dict[str, int]:
    """The class's absences for one half-day, as a whole: pupils not listed are present.
    Re-sending the same list changes nothing."""
    if not can_take_attendance(actor, school_class):
        raise PermissionDenied
    if session not in Session.values:
        raise ValidationError(_("Demi-journée inconnue : %(s)s") % {"s": session})
    year = school_class.academic_year
    if not year.start <= date <= year.end or date > timezone.localdate():
        raise ValidationError(_("La date doit être dans l'année scolaire et pas dans le futur."))
    if date.weekday() == SUNDAY:
        raise ValidationError(_("Le dimanche n'est pas un jour de classe."))
    roster = set(
        Enrolment.objects.filter(school_class=school_class, status__in=ACTIVE_STATUSES).values_list(
            "pupil_id", flat=True
        )
    )
    wanted = {line.pupil_id: line for line in lines}
    strangers = set(wanted) - roster
    if strangers:
        raise ValidationError(
            _("Élèves non inscrits dans la classe : %(ids)s") % {"ids": sorted(strangers)}
        )
    for line in wanted.values():
        if not 1 <= line.hours <= 5:
            raise ValidationError(_("Le nombre d'heures doit être entre 1 et 5."))
    existing = {
        a.pupil_id: a
        for a in Absence.objects.filter(school_class=school_class, date=date, session=session)
    }
    removed = [a.pk for pid, a in existing.items() if pid not in wanted]
    created, updated = [], []
    for pid, line in wanted.items():
        current = existing.get(pid)
        if current is None:
            created.append(
                Absence(
                    pupil_id=pid,
                    school_class=school_class,
                    date=date,
                    session=session,
                    hours=line.hours,
                    justified=line.justified,
                    reason=line.reason,
                    recorded_by=actor,
                )
            )
        elif (current.hours, current.justified, current.reason) != (
            line.hours,
            line.justified,
            line.reason,
        ):
            current.hours, current.justified, current.reason, current.recorded_by = (
                line.hours,
                line.justified,
                line.reason,
                actor,
            )
            updated.append(current)
    Absence.objects.bulk_create(created)
    Absence.objects.bulk_update(updated, ["hours", "justified", "reason", "recorded_by"])
    Absence.objects.filter(pk__in=removed).delete()
    counts = {"created": len(created), "updated": len(updated), "removed": len(removed)}
    if created or removed:
        records_changed(school_ids=[school_class.school_id], year_id=school_class.academic_year_id)
    if any(counts.values()):
        audit_record(
            actor=actor,
            action=ATTENDANCE,
            obj=school_class,
            changes={f"{date.isoformat()} {session}": [len(existing), len(wanted)]},
        )
    return counts


@transaction.atomic
def absence_justify(*, actor: Any, absence: Absence, reason: str) -> Absence:
    if not can_manage_school(actor, absence.school_class.school):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("Indiquez le motif."))
    before = [absence.justified, absence.reason]
    absence.justified, absence.reason = True, reason.strip()
    absence.save(update_fields=["justified", "reason"])
    audit_record(
        actor=actor,
        action=UPDATE,
        obj=absence,
        changes={"justified": [before[0], True], "reason": [before[1], absence.reason]},
    )
    return absence
