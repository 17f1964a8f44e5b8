"""The participants import of a session: matched to recorded people, all or nothing,
every problem as row · column · value · reason, re-importing changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook

from pilotage.cooperation.imports.participants import participants_import
from pilotage.cooperation.models import Attendance, Participant
from pilotage.cooperation.services.trainings import Person, attendance_add
from pilotage.cooperation.tests.test_trainings_services import new_session
from pilotage.core.models import AuditEntry
from pilotage.core.tabular import ImportRejected
from pilotage.schooling.models import Teacher

pytestmark = pytest.mark.django_db

HEADER = "nom_complet;sexe;fonction;email;telephone;identifiant_national;ppr;present;acheve\n"


def csv(*rows: str) -> io.BytesIO:
    return io.BytesIO((HEADER + "\n".join(rows) + "\n").encode("utf-8"))


def run(actor, session, stream, name="liste.csv", **kw):
    return participants_import(actor=actor, session=session, stream=stream, filename=name, **kw)


def test_a_list_is_imported_and_a_second_import_changes_nothing(coop):
    session = new_session(coop.coordinator_sn, coop.project_sn)
    data = (
        "Awa Ndiaye;F;Enseignante;awa@example.org;;;;oui;oui",
        "Moussa Fall;M;Directeur;;;SN-77;;oui;non",
        "Fatou Sow;f;;;;;;non;",
    )
    counts = run(coop.coordinator_sn, session, csv(*data))
    assert counts["participants_created"] == 3 and counts["attendances_created"] == 3
    assert Attendance.objects.filter(completed=True).count() == 1
    audits = AuditEntry.objects.count()
    again = run(coop.coordinator_sn, session, csv(*data))
    assert again["unchanged"] == 3 and again["participants_created"] == 0
    assert Participant.objects.count() == 3 and AuditEntry.objects.count() == audits


def test_every_problem_is_listed_and_nothing_is_written(coop):
    session = new_session(coop.coordinator_sn, coop.project_sn)
    with pytest.raises(ImportRejected) as exc:
        run(
            coop.coordinator_sn,
            session,
            csv(
                "Awa Ndiaye;X;;pas-un-email;;;;oui;oui",
                ";F;;;;;;peut-être;",
                "Moussa Fall;M;;;;;;non;oui",
                "Moussa  FALL;M;;;;;;oui;oui",
            ),
        )
    found = {(p.row, p.column, p.value) for p in exc.value.problems}
    assert (2, "sexe", "X") in found
    assert (2, "email", "pas-un-email") in found
    assert (3, "nom_complet", "") in found
    assert (3, "present", "peut-être") in found
    assert (4, "acheve", "oui") in found
    assert (5, "nom_complet", "Moussa FALL") in found  # same name as row 4, no identifier
    assert "ligne 2 · colonne sexe" in str(exc.value.problems[0])
    assert Participant.objects.count() == 0 and Attendance.objects.count() == 0


def test_an_xlsx_list_is_read(coop):
    session = new_session(coop.coordinator_sn, coop.project_sn)
    book = Workbook()
    sheet = book.active
    sheet.append(["nom_complet", "sexe", "present", "acheve"])
    sheet.append(["Awa Ndiaye", "F", 1, 1])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    counts = run(coop.coordinator_sn, session, buffer, name="liste.xlsx")
    assert counts["attendances_created"] == 1
    assert Attendance.objects.get().completed


def test_known_people_are_matched_and_namesakes_flagged(coop):
    first = new_session(coop.coordinator_sn, coop.project_sn)
    attendance_add(
        actor=coop.coordinator_sn,
        session=first,
        person=Person("Awa Ndiaye", "F", national_id="SN-1"),
    )
    attendance_add(actor=coop.coordinator_sn, session=first, person=Person("Moussa Fall", "M"))
    second = new_session(coop.coordinator_sn, coop.project_sn, topic="Évaluation")
    counts = run(
        coop.coordinator_sn,
        second,
        csv("Awa NDIAYE;F;;;;sn-1;;oui;oui", "Moussa Fall;M;;;;;;oui;non"),
    )
    assert counts["participants_matched"] == 1
    assert counts["possible_duplicates"] == 1
    assert Participant.objects.filter(name_key="awa ndiaye").count() == 1
    assert Participant.objects.filter(name_key="moussa fall").count() == 2


def test_a_teacher_is_linked_only_when_the_importer_sees_the_school(coop, personas):
    teacher = Teacher.objects.create(
        user=personas.teacher_a1, ppr="1234567", school=personas.school_a, is_qualified=True
    )
    session = new_session(coop.coordinator_sn, coop.project_sn)
    counts = run(coop.coordinator_sn, session, csv("Nadia El Fassi;F;;;;;1234567;oui;oui"))
    # The Senegal coordinator does not see Moroccan schools: no link, no word of it.
    assert counts["teachers_linked"] == 0 and counts["ppr_not_linked"] == 1
    assert Participant.objects.get().teacher is None
    other = new_session(coop.head, coop.project_sn, topic="Évaluation")
    counts = run(personas.national_admin, other, csv("Nadia El Fassi;F;;;;;1234567;oui;oui"))
    assert counts["teachers_linked"] == 1
    assert Participant.objects.get(teacher=teacher).full_name == "Nadia El Fassi"


def test_an_outsider_cannot_import(coop):
    session = new_session(coop.coordinator_sn, coop.project_sn)
    with pytest.raises(PermissionDenied):
        run(coop.coordinator_ml, session, csv("Awa Ndiaye;F;;;;;;oui;oui"))
    assert Participant.objects.count() == 0
