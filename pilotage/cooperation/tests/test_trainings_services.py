"""Training sessions, participants and attendance: who may record them, how a person is
matched across sessions, and the people-trained count (each person once)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilotage.cooperation.models import Attendance, Participant, TrainingSession
from pilotage.cooperation.selectors.trainings import people_trained
from pilotage.cooperation.services.trainings import (
    Person,
    attendance_add,
    attendance_set,
    name_key,
    training_session_create,
    training_session_update,
)
from pilotage.cooperation.tests.factories import programme_with_countries
from pilotage.core.models import AuditEntry
from pilotage.orgunits.tests.factories import make_unit
from pilotage.schooling.models import Teacher

pytestmark = pytest.mark.django_db


def new_session(actor, project, **kw):
    fields = {
        "topic": "Pédagogie active",
        "audience": "teachers",
        "start_date": dt.date(2026, 3, 2),
        "end_date": dt.date(2026, 3, 4),
        "modality": "offline",
        "planned_participants": 30,
    }
    fields.update(kw)
    return training_session_create(
        actor=actor, programme=project.programme, project=project, **fields
    )


def test_the_coordinator_records_a_session_of_their_country(coop):
    session = new_session(coop.coordinator_sn, coop.project_sn, location=coop.dakar)
    assert session.project == coop.project_sn
    assert AuditEntry.objects.filter(object_id=str(session.pk), action="create").exists()


def test_another_countrys_coordinator_is_refused_and_nothing_is_written(coop):
    audits = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        new_session(coop.coordinator_ml, coop.project_sn)
    with pytest.raises(PermissionDenied):
        new_session(coop.manager_b, coop.project_sn)
    with pytest.raises(PermissionDenied):
        new_session(coop.partner_user, coop.project_sn)
    assert TrainingSession.objects.count() == 0
    assert AuditEntry.objects.count() == audits


def test_manager_and_head_record_sessions_anywhere_in_the_programme(coop):
    new_session(coop.manager, coop.project_ml)
    new_session(coop.head, coop.project_sn)
    assert TrainingSession.objects.count() == 2


def test_a_location_outside_the_country_and_reversed_dates_are_refused(coop):
    with pytest.raises(ValidationError) as exc:
        new_session(coop.coordinator_sn, coop.project_sn, location=coop.bamako)
    assert "location" in exc.value.message_dict
    with pytest.raises(ValidationError):
        new_session(coop.coordinator_sn, coop.project_sn, end_date=dt.date(2026, 3, 1))
    assert TrainingSession.objects.count() == 0


def test_a_stale_edit_is_a_conflict(coop):
    session = new_session(coop.coordinator_sn, coop.project_sn)
    training_session_update(
        actor=coop.manager, session=session, version=1, topic="Lecture en classe"
    )
    with pytest.raises(ValidationError) as exc:
        training_session_update(
            actor=coop.coordinator_sn, session=session, version=1, topic="Autre"
        )
    assert exc.value.code == "conflict"
    session.refresh_from_db()
    assert session.topic == "Lecture en classe" and session.version == 2


def test_name_key_folds_case_accents_and_spaces():
    assert name_key("  Aïssatou   NDIAYE ") == "aissatou ndiaye"
    assert name_key("Fatou Ndiaye") != name_key("Fatou Diop")


def test_the_same_person_is_one_participant_across_sessions(coop):
    one = new_session(coop.coordinator_sn, coop.project_sn)
    two = new_session(coop.coordinator_sn, coop.project_sn, topic="Évaluation")
    attendance_add(
        actor=coop.coordinator_sn,
        session=one,
        person=Person("Awa Ndiaye", "F", email="awa@example.org"),
    )
    attendance_add(
        actor=coop.coordinator_sn,
        session=two,
        person=Person("AWA  NDIAYE", "F", email="Awa@Example.org"),
    )
    assert Participant.objects.count() == 1
    with pytest.raises(ValidationError):
        attendance_add(
            actor=coop.coordinator_sn,
            session=two,
            person=Person("Awa Ndiaye", "F", email="awa@example.org"),
        )


def test_a_namesake_without_identifier_is_flagged_not_merged(coop):
    one = new_session(coop.coordinator_sn, coop.project_sn)
    two = new_session(coop.coordinator_sn, coop.project_sn, topic="Évaluation")
    first = attendance_add(
        actor=coop.coordinator_sn, session=one, person=Person("Moussa Fall", "M")
    )
    second = attendance_add(
        actor=coop.coordinator_sn, session=two, person=Person("Moussa  FALL", "M")
    )
    assert first.participant != second.participant
    assert second.participant.possible_duplicate_of == first.participant


def test_completing_marks_present_and_absence_clears_completion(coop):
    session = new_session(coop.coordinator_sn, coop.project_sn)
    attendance = attendance_add(
        actor=coop.coordinator_sn, session=session, person=Person("Awa Ndiaye", "F")
    )
    attendance = attendance_set(actor=coop.coordinator_sn, attendance=attendance, completed=True)
    assert attendance.attended and attendance.completed
    attendance = attendance_set(actor=coop.coordinator_sn, attendance=attendance, attended=False)
    assert not attendance.attended and not attendance.completed
    with pytest.raises(ValidationError):
        attendance_set(actor=coop.coordinator_sn, attendance=attendance, days_attended=9)


def test_attendance_of_another_country_is_refused_and_unchanged(coop):
    session = new_session(coop.coordinator_sn, coop.project_sn)
    attendance = attendance_add(
        actor=coop.coordinator_sn, session=session, person=Person("Awa Ndiaye", "F")
    )
    audits = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        attendance_set(actor=coop.coordinator_ml, attendance=attendance, completed=True)
    with pytest.raises(PermissionDenied):
        attendance_add(actor=coop.coordinator_ml, session=session, person=Person("X Y", "M"))
    attendance.refresh_from_db()
    assert not attendance.completed
    assert Attendance.objects.count() == 1 and AuditEntry.objects.count() == audits


def _complete(actor, session, person):
    a = attendance_add(actor=actor, session=session, person=person, completed=True)
    assert a.attended
    return a


def test_worked_example_people_trained_counts_each_person_once(coop, personas):
    """Worked example (the issue's "N teachers trained in at least K countries", counted
    as IRIS+ PI2389 "people trained" counts unique individuals, not attendances):

    - Senegal: teacher Awa (PPR 1234567) completes 3 sessions; Fatou completes 1; Moussa
      attends 1 without completing.
    - Mali: Aminata completes 1 trainers' session.
    → attendances completed: 5; people trained (completed): Awa, Fatou, Aminata = 3, of
    whom 3 women, in 2 countries; teachers only: 2 in 1 country; counting presence
    (completed_only=False): 4 people.
    """
    teacher = Teacher.objects.create(
        user=personas.teacher_a1, ppr="1234567", school=personas.school_a, is_qualified=True
    )
    sn = [new_session(coop.coordinator_sn, coop.project_sn, topic=f"Module {i}") for i in range(3)]
    for s in sn:
        _complete(coop.coordinator_sn, s, Person("Awa Ndiaye", "F", teacher=teacher))
    _complete(coop.coordinator_sn, sn[0], Person("Fatou Sow", "F", national_id="SN-1"))
    attendance_add(
        actor=coop.coordinator_sn, session=sn[1], person=Person("Moussa Fall", "M"), attended=True
    )
    ml = new_session(coop.coordinator_ml, coop.project_ml, audience="trainers")
    _complete(coop.coordinator_ml, ml, Person("Aminata Traoré", "F"))

    assert Attendance.objects.filter(completed=True).count() == 5
    result = people_trained(coop.manager, coop.imagine)
    assert result.total == 3
    assert result.women == 3 and result.men == 0
    assert result.countries == 2
    assert [(c.code, n) for c, n in result.by_country] == [("ML", 1), ("SN", 2)]
    teachers = people_trained(coop.manager, coop.imagine, audience="teachers")
    assert (teachers.total, teachers.countries) == (2, 1)
    assert people_trained(coop.manager, coop.imagine, completed_only=False).total == 4
    assert people_trained(coop.manager, coop.imagine, country=coop.mali).total == 1
    # A coordinator counts only their country's sessions; an outsider counts none.
    assert people_trained(coop.coordinator_sn, coop.imagine).total == 2
    assert people_trained(coop.manager_b, coop.imagine).total == 0


def test_other_programmes_sessions_are_not_counted(coop):
    prog = programme_with_countries([coop.senegal], code="third")
    project = prog.projects.get()
    session = new_session(coop.head, project)
    _complete(coop.head, session, Person("Awa Ndiaye", "F"))
    assert people_trained(coop.head, coop.imagine).total == 0
    assert people_trained(coop.head, prog).total == 1


def test_a_subdivision_of_a_subdivision_is_accepted(coop):
    thies = make_unit(coop.senegal, code="SN-TH", name_fr="Thiès")
    session = new_session(coop.coordinator_sn, coop.project_sn, location=thies)
    assert session.location == thies
