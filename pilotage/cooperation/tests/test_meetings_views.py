"""The meeting-log pages, the follow-ups page and the home card."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pilotage.cooperation.models import FollowUpAction, FollowUpStatus, Meeting, MeetingKind
from pilotage.cooperation.services.meetings import followup_add, meeting_create
from pilotage.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _meeting(coop, date=None, title="Dialogue politique", partners=None):
    return meeting_create(
        actor=coop.head,
        partners=partners or [coop.unesco],
        kind=MeetingKind.POLICY_DIALOGUE,
        date=date or dt.date(2026, 3, 10),
        title=title,
    )


def test_outsiders_get_404(client, coop):
    meeting = _meeting(coop)
    for user in (coop.coordinator_sn, coop.partner_user, coop.personas.head_a):
        client.force_login(user)
        assert client.get(reverse("cooperation:meetings")).status_code == 404
        assert client.get(reverse("cooperation:meeting", args=[meeting.pk])).status_code == 404
        assert client.get(reverse("cooperation:meeting-new")).status_code == 404
    client.force_login(coop.personas.head_a)
    assert client.get(reverse("cooperation:followups")).status_code == 404


def test_log_a_meeting_and_a_followup_through_the_pages(client, coop):
    client.force_login(coop.head)
    response = client.post(
        reverse("cooperation:meeting-new"),
        {
            "kind": "webinar",
            "date": "2026-04-02",
            "title": "Webinaire ressources ouvertes",
            "partners": [coop.unesco.pk, coop.oif.pk],
            "participants": [coop.manager.pk],
            "external_participants": "Awa Diop",
            "minutes": "Présentation.",
            "decisions": "Publier le guide.",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    response = client.post(
        reverse("cooperation:meeting-followup-new", args=[meeting.pk]),
        {"description": "Publier le guide", "owner": coop.manager.pk, "due_date": "2026-04-30"},
    )
    assert response.status_code == 302
    action = meeting.followups.get()
    assert action.owner == coop.manager
    page = client.get(reverse("cooperation:meeting", args=[meeting.pk])).content.decode()
    assert "Publier le guide" in page and "Awa Diop" in page


def test_a_followup_with_a_bad_date_says_so_and_writes_nothing(client, coop):
    meeting = _meeting(coop)
    client.force_login(coop.head)
    response = client.post(
        reverse("cooperation:meeting-followup-new", args=[meeting.pk]),
        {"description": "x", "owner": coop.manager.pk, "due_date": "31/31/2026"},
    )
    assert response.status_code == 400 and "date" in response.content.decode().lower()
    assert not FollowUpAction.objects.exists()


def test_the_owner_marks_done_and_another_reader_gets_404(client, coop):
    meeting = _meeting(coop)
    action = followup_add(
        actor=coop.head,
        meeting=meeting,
        description="Note",
        owner=coop.coordinator_sn,
        due_date=dt.date(2026, 1, 2),
    )
    client.force_login(coop.coordinator_ml)
    audit = AuditEntry.objects.count()
    assert client.post(reverse("cooperation:followup-done", args=[action.pk])).status_code == 404
    action.refresh_from_db()
    assert action.status == FollowUpStatus.OPEN and AuditEntry.objects.count() == audit
    client.force_login(coop.coordinator_sn)
    page = client.get(reverse("cooperation:followups")).content.decode()
    assert "Note" in page and "en retard" in page
    client.post(reverse("cooperation:followup-done", args=[action.pk]))
    action.refresh_from_db()
    assert action.status == FollowUpStatus.DONE


def test_upcoming_past_and_by_partner(client, coop):
    today = timezone.localdate()
    _meeting(coop, date=today + dt.timedelta(days=5), title="Futur atelier")
    _meeting(coop, date=today - dt.timedelta(days=5), title="Ancien atelier")
    _meeting(coop, date=today - dt.timedelta(days=9), title="Rencontre OIF", partners=[coop.oif])
    client.force_login(coop.manager)
    url = reverse("cooperation:meetings")
    page = client.get(url, {"when": "upcoming"}).content.decode()
    assert "Futur atelier" in page and "Ancien atelier" not in page
    page = client.get(url, {"when": "past", "partner": coop.unesco.pk}).content.decode()
    assert "Ancien atelier" in page and "Futur atelier" not in page and "Rencontre OIF" not in page


def test_list_query_count_does_not_grow(client, coop, django_assert_max_num_queries):
    for i in range(25):
        _meeting(
            coop,
            date=dt.date(2026, 1, 1) + dt.timedelta(days=i),
            title=f"R{i}",
            partners=[coop.unesco, coop.oif],
        )
    client.force_login(coop.head)
    # session, user, role assignments (scope), the paginator's count, the page of meetings
    # with their programme and open follow-ups, the prefetched partners, and the base
    # template's menu lookups.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("cooperation:meetings"))
    assert response.content.decode().count('id="meeting-') == 25


def test_home_card_shows_the_owners_overdue_followups(client, coop):
    meeting = _meeting(coop, title="Dialogue annuel")
    followup_add(
        actor=coop.head,
        meeting=meeting,
        description="Rapport en retard",
        owner=coop.manager,
        due_date=timezone.localdate() - dt.timedelta(days=3),
    )
    followup_add(
        actor=coop.head,
        meeting=meeting,
        description="Pas encore dû",
        owner=coop.manager,
        due_date=timezone.localdate() + dt.timedelta(days=3),
    )
    client.force_login(coop.manager)
    page = client.get("/").content.decode()
    assert 'id="overdue-followups"' in page and "Rapport en retard" in page
    assert "Pas encore dû" not in page
    client.force_login(coop.head)
    assert 'id="overdue-followups"' not in client.get("/").content.decode()


def test_followups_list_query_count_does_not_grow(client, coop, django_assert_max_num_queries):
    meeting = _meeting(coop)
    for i in range(20):
        followup_add(
            actor=coop.head,
            meeting=meeting,
            description=f"Suivi {i}",
            owner=coop.manager,
            due_date=dt.date(2026, 1, 1) + dt.timedelta(days=i),
        )
    client.force_login(coop.manager)
    # session, user, role assignments (scope), the paginator's count, the page of actions
    # with their meeting and owner, and the base template's menu lookups.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("cooperation:followups"))
    assert response.content.decode().count('id="followup-') == 20
