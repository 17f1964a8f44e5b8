"""Writing training sessions, their participants and attendance. A person is matched to
an existing ``Participant`` by a strong identifier (teacher, national identifier, email);
a person known only by name is never merged silently: a namesake in the same country is
recorded as a new participant flagged as a possible duplicate."""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from pilotage.cooperation.audit import ATTENDANCE_SET
from pilotage.cooperation.models import (
    Attendance,
    Participant,
    Programme,
    Project,
    TrainingSession,
)
from pilotage.cooperation.permissions import can_record_training
from pilotage.cooperation.services.common import locked, versioned_update
from pilotage.core.audit import CREATE, audit_record, diff, snapshot
from pilotage.orgunits.models import OrgUnit

SESSION_FIELDS = (
    "topic",
    "audience",
    "start_date",
    "end_date",
    "modality",
    "venue",
    "location",
    "planned_participants",
)


def name_key(name: str) -> str:
    """Lower case, no accents, single spaces: « Aïssatou  NDIAYE » → « aissatou ndiaye »."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    stripped = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return " ".join(stripped.split())


def _session_checks(session: TrainingSession) -> None:
    project = session.project
    if project.programme_id != session.programme_id:
        raise ValidationError({"project": _("Ce projet n'appartient pas au programme.")})
    if project.country_id is None:
        raise ValidationError({"project": _("Une formation se tient dans le pays d'un projet.")})
    if session.location is not None:
        # Paths read afresh: adding a unit to the tree may have renumbered the copies.
        country = OrgUnit.objects.get(pk=project.country_id)
        location = OrgUnit.objects.get(pk=session.location.pk)
        if location.pk == country.pk or not country.covers(location):
            raise ValidationError(
                {
                    "location": _("%(unit)s n'est pas une subdivision de %(country)s.")
                    % {"unit": location.code, "country": country.code}
                }
            )


@transaction.atomic
def training_session_create(
    *, actor: Any, programme: Programme, project: Project, **fields: Any
) -> TrainingSession:
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"training_session_create cannot set {', '.join(sorted(unknown))}")
    if not can_record_training(actor, project):
        raise PermissionDenied
    session = TrainingSession(programme=programme, project=project, **fields)
    session.full_clean()
    _session_checks(session)
    session.save()
    audit_record(
        actor=actor,
        action=CREATE,
        obj=session,
        changes=diff({}, snapshot(session, ("project", *SESSION_FIELDS))),
    )
    return session


@transaction.atomic
def training_session_update(
    *, actor: Any, session: TrainingSession | int, version: int | None, **changes: Any
) -> TrainingSession:
    return versioned_update(
        actor=actor,
        model=TrainingSession,
        obj=session,
        version=version,
        changes=changes,
        editable=SESSION_FIELDS,
        service="training_session_update",
        allowed=lambda stored: can_record_training(actor, stored.project),
        check=_session_checks,
    )


@dataclass
class Person:
    """A person as a form or an import row gives them."""

    full_name: str
    sex: str
    role: str = ""
    email: str = ""
    phone: str = ""
    national_id: str = ""
    teacher: Any = None  # a schooling Teacher the caller may see, or None


@dataclass
class Match:
    participant: Participant | None  # the same person, already recorded
    namesake: Participant | None = None  # same name and country, no identifier to tell


def identity_key(person: Person, country: OrgUnit) -> str | None:
    """The strongest identifier of ``person``; None for a person known only by name."""
    if person.teacher is not None:
        return f"ppr:{person.teacher.ppr}"
    if person.national_id:
        return f"nid:{country.code}:{person.national_id.strip().upper()}"
    if person.email:
        return f"email:{person.email.strip().lower()}"
    return None


def participant_match(
    person: Person, country: OrgUnit, session: TrainingSession | None = None
) -> Match:
    """The participant ``person`` already is, if any identifier says so; else a namesake
    of the same country (a possible duplicate, never merged). A person known only by
    name who is already on ``session``'s list is that entry (re-importing a list)."""
    strong = Q(pk__in=[])
    if person.teacher is not None:
        strong |= Q(teacher=person.teacher)
    if person.national_id:
        strong |= Q(country=country, national_id__iexact=person.national_id.strip())
    if person.email:
        strong |= Q(email__iexact=person.email.strip())
    key = identity_key(person, country)
    if key is not None:
        found = Participant.objects.filter(strong | Q(identity_key=key)).first()
        if found is not None:
            return Match(found)
    same_name = Participant.objects.filter(country=country, name_key=name_key(person.full_name))
    if key is None and session is not None:
        listed = same_name.filter(attendances__session=session).first()
        if listed is not None:
            return Match(listed)
    return Match(None, namesake=same_name.first())


def participant_get_or_create(
    *, actor: Any, person: Person, country: OrgUnit, session: TrainingSession | None = None
) -> tuple[Participant, bool]:
    """The participant ``person`` is (matched), or a new one; runs in the caller's
    transaction. Returns ``(participant, created)``."""
    match = participant_match(person, country, session)
    if match.participant is not None:
        return match.participant, False
    key = identity_key(person, country) or f"name:{country.code}:{uuid.uuid4().hex}"
    participant = Participant(
        full_name=" ".join(person.full_name.split()),
        name_key=name_key(person.full_name),
        sex=person.sex,
        role=person.role,
        country=country,
        email=person.email.strip(),
        phone=person.phone.strip(),
        national_id=person.national_id.strip(),
        teacher=person.teacher,
        identity_key=key,
        possible_duplicate_of=match.namesake,
    )
    participant.full_clean()
    participant.save()
    audit_record(
        actor=actor,
        action=CREATE,
        obj=participant,
        changes=diff({}, snapshot(participant, ("full_name", "sex", "country", "teacher"))),
    )
    return participant, True


ATTENDANCE_FIELDS = ("attended", "days_attended", "completed", "score")


def _attendance_check(attendance: Attendance) -> None:
    if attendance.completed and not attendance.attended:
        raise ValidationError(
            {"completed": _("Un participant absent ne peut pas avoir achevé la formation.")}
        )
    session = attendance.session
    days = (session.end_date - session.start_date).days + 1
    if attendance.days_attended is not None and attendance.days_attended > days:
        raise ValidationError(
            {
                "days_attended": _(
                    "%(value)s jours de présence pour une session de %(days)s jours."
                )
                % {"value": attendance.days_attended, "days": days}
            }
        )


@transaction.atomic
def attendance_add(
    *,
    actor: Any,
    session: TrainingSession,
    person: Person,
    attended: bool = False,
    completed: bool = False,
    days_attended: int | None = None,
    score: Decimal | None = None,
) -> Attendance:
    """Put ``person`` on the session's list (matched to an existing participant when an
    identifier says so)."""
    if not can_record_training(actor, session.project):
        raise PermissionDenied
    country = session.project.country
    if country is None:
        raise ValidationError(_("Une formation se tient dans le pays d'un projet."))
    participant, _created = participant_get_or_create(
        actor=actor, person=person, country=country, session=session
    )
    attendance = Attendance.objects.filter(session=session, participant=participant).first()
    if attendance is not None:
        raise ValidationError(
            {
                "full_name": _("%(name)s figure déjà sur la liste de cette session.")
                % {"name": participant.full_name}
            }
        )
    attendance = Attendance(
        session=session,
        participant=participant,
        attended=attended or completed,
        completed=completed,
        days_attended=days_attended,
        score=score,
    )
    attendance.full_clean()
    _attendance_check(attendance)
    attendance.save()
    audit_record(
        actor=actor,
        action=ATTENDANCE_SET,
        obj=session,
        changes={"attendance": [None, f"{participant.full_name}: {attendance.attended}"]},
    )
    return attendance


@transaction.atomic
def attendance_set(*, actor: Any, attendance: Attendance | int, **changes: Any) -> Attendance:
    """Mark a participant present / absent, completed or not, days and score. Marking
    completed marks present; marking absent clears completed."""
    unknown = set(changes) - set(ATTENDANCE_FIELDS)
    if unknown:
        raise TypeError(f"attendance_set cannot change {', '.join(sorted(unknown))}")
    stored = locked(Attendance, attendance)
    if not can_record_training(actor, stored.session.project):
        raise PermissionDenied
    before = snapshot(stored, ATTENDANCE_FIELDS)
    for name, value in changes.items():
        setattr(stored, name, value)
    if changes.get("completed"):
        stored.attended = True
    if changes.get("attended") is False:
        stored.completed = False
    stored.full_clean()
    _attendance_check(stored)
    delta = diff(before, snapshot(stored, ATTENDANCE_FIELDS))
    if delta:
        stored.save(update_fields=list(ATTENDANCE_FIELDS))
        audit_record(
            actor=actor,
            action=ATTENDANCE_SET,
            obj=stored.session,
            changes={f"{stored.participant.full_name} · {k}": v for k, v in delta.items()},
        )
    return stored
