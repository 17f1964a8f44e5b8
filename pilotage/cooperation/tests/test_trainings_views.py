"""The training pages: who opens them, the htmx attendance toggles, the import page and
the list's query count."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pilotage.cooperation.models import Attendance, TrainingSession
from pilotage.cooperation.services.trainings import Person, attendance_add
from pilotage.cooperation.tests.test_trainings_services import new_session
from pilotage.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_the_coordinator_creates_a_session_through_the_page(client, coop):
    client.force_login(coop.coordinator_sn)
    page = client.get(reverse("cooperation:training-new", args=[coop.imagine.pk]))
    assert page.status_code == 200
    # Only their own country's project is offered.
    assert f'value="{coop.project_ml.pk}"' not in page.content.decode()
    response = client.post(
        reverse("cooperation:training-new", args=[coop.imagine.pk]),
        {
            "project": coop.project_sn.pk,
            "topic": "Lecture au CP",
            "audience": "teachers",
            "start_date": "2026-03-02",
            "end_date": "2026-03-04",
            "modality": "blended",
            "venue": "Dakar",
            "planned_participants": "25",
        },
    )
    assert response.status_code == 302
    assert TrainingSession.objects.get().topic == "Lecture au CP"


def test_a_coordinator_cannot_post_a_session_for_another_country(client, coop):
    client.force_login(coop.coordinator_sn)
    response = client.post(
        reverse("cooperation:training-new", args=[coop.imagine.pk]),
        {
            "project": coop.project_ml.pk,
            "topic": "X",
            "audience": "teachers",
            "start_date": "2026-03-02",
            "end_date": "2026-03-04",
            "modality": "offline",
            "planned_participants": "1",
        },
    )
    assert response.status_code == 200 and TrainingSession.objects.count() == 0


def test_outsiders_get_404_and_nothing_changes(client, coop):
    session = new_session(coop.coordinator_sn, coop.project_sn)
    attendance = attendance_add(
        actor=coop.coordinator_sn, session=session, person=Person("Awa Ndiaye", "F")
    )
    audits = AuditEntry.objects.filter(object_type__startswith="cooperation.").count()
    client.force_login(coop.coordinator_ml)
    assert client.get(reverse("cooperation:training", args=[session.pk])).status_code == 404
    assert client.get(reverse("cooperation:training-import", args=[session.pk])).status_code == 404
    response = client.post(
        reverse("cooperation:attendance-toggle", args=[attendance.pk, "completed"]), {"value": "1"}
    )
    assert response.status_code == 404
    client.force_login(coop.manager_b)
    assert client.get(reverse("cooperation:trainings", args=[coop.imagine.pk])).status_code == 404
    client.force_login(coop.personas.head_a)
    assert client.get(reverse("cooperation:trainings", args=[coop.imagine.pk])).status_code == 404
    attendance.refresh_from_db()
    assert (
        not attendance.completed
        and AuditEntry.objects.filter(object_type__startswith="cooperation.").count() == audits
    )


def test_the_htmx_toggle_answers_the_row(client, coop):
    session = new_session(coop.coordinator_sn, coop.project_sn)
    attendance = attendance_add(
        actor=coop.coordinator_sn, session=session, person=Person("Awa Ndiaye", "F")
    )
    client.force_login(coop.coordinator_sn)
    response = client.post(
        reverse("cooperation:attendance-toggle", args=[attendance.pk, "completed"]),
        {"value": "1"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and body.startswith('<tr id="attendance-')
    attendance.refresh_from_db()
    assert attendance.completed and attendance.attended
    response = client.post(
        reverse("cooperation:attendance-toggle", args=[attendance.pk, "attended"]), {"value": "0"}
    )
    assert response.status_code == 302
    attendance.refresh_from_db()
    assert not attendance.attended and not attendance.completed


def test_the_import_page_lists_problems_and_writes_nothing(client, coop):
    session = new_session(coop.coordinator_sn, coop.project_sn)
    client.force_login(coop.coordinator_sn)
    bad = SimpleUploadedFile("liste.csv", b"nom_complet;sexe\nAwa Ndiaye;Z\n")
    response = client.post(reverse("cooperation:training-import", args=[session.pk]), {"file": bad})
    body = response.content.decode()
    assert response.status_code == 200 and 'id="import-problems"' in body and "Z" in body
    assert Attendance.objects.count() == 0
    good = SimpleUploadedFile("liste.csv", b"nom_complet;sexe;present;acheve\nAwa Ndiaye;F;1;1\n")
    response = client.post(
        reverse("cooperation:training-import", args=[session.pk]), {"file": good}
    )
    assert response.status_code == 302 and Attendance.objects.get().completed


def test_list_query_count_does_not_grow(client, coop, django_assert_max_num_queries):
    for i in range(6):
        s = new_session(coop.manager, coop.project_sn if i % 2 else coop.project_ml, topic=f"M{i}")
        attendance_add(actor=coop.manager, session=s, person=Person(f"P {i}", "F"), completed=True)
    client.force_login(coop.manager)
    # session, user, role assignments (scope), programme, the programme's projects and
    # its team (may the reader record a session?), count (paginator), the sessions with
    # their counts, people trained (one grouped query), their countries' names.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("cooperation:trainings", args=[coop.imagine.pk]))
    body = response.content.decode()
    assert body.count('id="session-') == 6
    assert '<strong id="trained-total">6</strong>' in body
