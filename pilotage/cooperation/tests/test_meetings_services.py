"""The meeting log's writes: meetings, follow-up actions and marking them done."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from pilotage.cooperation.models import FollowUpAction, FollowUpStatus, Meeting, MeetingKind
from pilotage.cooperation.selectors.meetings import followups_overdue_for, meetings_list
from pilotage.cooperation.services.common import Conflict
from pilotage.cooperation.services.meetings import (
    followup_add,
    followup_mark_done,
    meeting_create,
    meeting_update,
)
from pilotage.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _meeting(coop, actor=None, date=None, **kw):
    return meeting_create(
        actor=actor or coop.head,
        partners=kw.pop("partners", [coop.unesco]),
        participants=kw.pop("participants", [coop.manager]),
        kind=MeetingKind.POLICY_DIALOGUE,
        date=date or dt.date(2026, 3, 10),
        title="Dialogue politique ImaginEcole",
        minutes="Revue annuelle.",
        decisions="Étendre au Niger.",
        external_participants="Awa Diop (UNESCO)\n  \nMoussa Traoré",
        **kw,
    )


def test_create_records_partners_and_participants_in_the_audit(coop):
    meeting = _meeting(coop, programme=coop.imagine)
    assert list(meeting.partners.all()) == [coop.unesco]
    assert meeting.external_list == ["Awa Diop (UNESCO)", "Moussa Traoré"]
    entry = AuditEntry.objects.get(object_type="cooperation.meeting", object_id=str(meeting.pk))
    assert entry.changes["partners"] == [None, ["unesco"]]
    assert entry.changes["participants"] == [None, ["coop.manager"]]


def test_a_meeting_without_a_partner_is_refused(coop):
    with pytest.raises(ValidationError) as exc:
        _meeting(coop, partners=[])
    assert "partners" in exc.value.message_dict
    assert (
        not Meeting.objects.exists()
        and not AuditEntry.objects.filter(object_type="cooperation.meeting").exists()
    )


def test_update_versions_and_audits_partner_changes(coop):
    meeting = _meeting(coop)
    meeting = meeting_update(
        actor=coop.manager, meeting=meeting, version=1, partners=[coop.unesco, coop.oif]
    )
    assert meeting.version == 2
    entry = AuditEntry.objects.filter(object_id=str(meeting.pk), action="update").get()
    assert entry.changes["partners"] == [["unesco"], ["oif", "unesco"]]
    with pytest.raises(Conflict):
        meeting_update(actor=coop.head, meeting=meeting, version=1, title="Autre")
    meeting.refresh_from_db()
    assert meeting.title == "Dialogue politique ImaginEcole"


@pytest.mark.parametrize("who", ["finance", "coordinator_sn", "partner_user", "consultant"])
def test_only_partner_managers_log_meetings(coop, who):
    meeting = _meeting(coop)
    audit = AuditEntry.objects.count()
    actor = getattr(coop, who)
    with pytest.raises(PermissionDenied):
        _meeting(coop, actor=actor)
    with pytest.raises(PermissionDenied):
        meeting_update(actor=actor, meeting=meeting, version=None, title="x")
    with pytest.raises(PermissionDenied):
        followup_add(
            actor=actor, meeting=meeting, description="x", owner=actor, due_date=dt.date(2026, 4, 1)
        )
    assert Meeting.objects.count() == 1 and not FollowUpAction.objects.exists()
    assert AuditEntry.objects.count() == audit


def test_followups_owner_marks_done_and_others_cannot(coop):
    meeting = _meeting(coop)
    action = followup_add(
        actor=coop.head,
        meeting=meeting,
        description="Envoyer la note conceptuelle",
        owner=coop.coordinator_sn,
        due_date=dt.date(2026, 3, 20),
    )
    audit = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        followup_mark_done(actor=coop.coordinator_ml, action=action)
    action.refresh_from_db()
    assert action.status == FollowUpStatus.OPEN and AuditEntry.objects.count() == audit
    done = followup_mark_done(actor=coop.coordinator_sn, action=action)
    assert done.status == FollowUpStatus.DONE and done.done_on == timezone.localdate()
    assert AuditEntry.objects.filter(action="followup_done").count() == 1
    # Marking it again changes nothing.
    followup_mark_done(actor=coop.coordinator_sn, action=action)
    assert AuditEntry.objects.filter(action="followup_done").count() == 1


def test_done_in_the_future_is_refused(coop):
    action = followup_add(
        actor=coop.head,
        meeting=_meeting(coop),
        description="x",
        owner=coop.manager,
        due_date=dt.date(2026, 3, 20),
    )
    with pytest.raises(ValidationError):
        followup_mark_done(
            actor=coop.manager, action=action, done_on=timezone.localdate() + dt.timedelta(days=1)
        )
    action.refresh_from_db()
    assert action.status == FollowUpStatus.OPEN and action.done_on is None


def test_overdue_are_the_owners_open_actions_past_due(coop):
    today = dt.date(2026, 5, 1)
    meeting = _meeting(coop)
    late = followup_add(
        actor=coop.head,
        meeting=meeting,
        description="late",
        owner=coop.manager,
        due_date=dt.date(2026, 4, 30),
    )
    followup_add(
        actor=coop.head,
        meeting=meeting,
        description="due today",
        owner=coop.manager,
        due_date=today,
    )
    followup_add(
        actor=coop.head,
        meeting=meeting,
        description="someone else's",
        owner=coop.head,
        due_date=dt.date(2026, 1, 1),
    )
    done = followup_add(
        actor=coop.head,
        meeting=meeting,
        description="done",
        owner=coop.manager,
        due_date=dt.date(2026, 1, 1),
    )
    followup_mark_done(actor=coop.manager, action=done, done_on=dt.date(2026, 1, 2))
    total, rows = followups_overdue_for(coop.manager, today=today)
    assert total == 1 and rows == [late]


def test_upcoming_and_past(coop):
    past = _meeting(coop, date=dt.date(2026, 1, 5))
    soon = _meeting(coop, date=dt.date(2026, 6, 5))
    today = dt.date(2026, 3, 1)
    assert list(meetings_list(coop.head, when="upcoming", today=today)) == [soon]
    assert list(meetings_list(coop.head, when="past", today=today)) == [past]
    assert list(meetings_list(coop.head, partner=coop.oif)) == []
    assert list(meetings_list(coop.coordinator_sn)) == []
