"""Overdue actions: detection (due date passed, not done or cancelled), the home-page card
of owners and supervisors, and the daily e-mail received by a real local SMTP server — at
most once per action per day, in the recipient's language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from pilotage.core.jobs import Progress, job_kinds
from pilotage.core.models import AuditEntry
from pilotage.indicators.models import Action
from pilotage.indicators.notifications import notify_overdue
from pilotage.indicators.selectors.actions import nearest_supervisors, overdue_for
from pilotage.indicators.services.actions import action_update
from pilotage.indicators.tests.steering import Steering, make_action, steering_setup


@pytest.fixture
def steering(personas) -> Steering:  # type: ignore[no-untyped-def]
    return steering_setup(personas)


TODAY = dt.date(2026, 3, 2)


def _late(s, **kw) -> Action:  # type: ignore[no-untyped-def]
    return make_action(s, start=dt.date(2025, 9, 1), due=kw.pop("due", dt.date(2026, 3, 1)), **kw)


def test_overdue_means_due_date_passed_and_still_open(steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    late = _late(s, title="En retard")
    on_time = make_action(s, title="Dans les temps", due=TODAY)  # due today: not yet late
    done = _late(s, title="Réalisée")
    action_update(actor=s.p.head_a, action=done, version=1, status="done")
    cancelled = _late(s, title="Annulée")
    action_update(actor=s.p.head_a, action=cancelled, version=1, status="cancelled")
    total, rows = overdue_for(s.p.head_a, today=TODAY)
    assert (total, rows) == (1, [late])
    assert late.is_overdue(TODAY) and not on_time.is_overdue(TODAY)


def test_supervisors_see_the_overdue_actions_below_them(steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    school = _late(s, title="École A")
    province = _late(s, title="Province A", unit=s.p.province_a, owner=s.p.provincial_a)
    other = _late(s, title="École B", unit=s.p.school_b, owner=s.p.head_b)
    assert overdue_for(s.p.head_a, today=TODAY) == (1, [school])
    # the provincial officer: their own action and the school's below them
    assert overdue_for(s.p.provincial_a, today=TODAY)[1] == [school, province]
    assert overdue_for(s.p.regional_officer, today=TODAY)[1] == [school, province]
    assert overdue_for(s.p.provincial_b, today=TODAY)[1] == [other]
    assert overdue_for(s.p.national_admin, today=TODAY)[0] == 3
    assert overdue_for(s.p.teacher_a1, today=TODAY) == (0, [])
    nearest = nearest_supervisors([school, province, other])
    assert nearest == {
        school.pk: [s.p.provincial_a],  # the commune has no one: the province answers
        province.pk: [s.p.regional_officer],
        other.pk: [s.p.provincial_b],
    }


def test_the_home_card_lists_them(client, steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    today = timezone.localdate()
    action = make_action(
        s,
        title="Cantine scolaire",
        start=today - dt.timedelta(days=30),
        due=today - dt.timedelta(days=1),
    )
    client.force_login(s.p.provincial_a)
    page = client.get("/").content.decode()
    card = page[page.index('id="overdue-actions"') :]
    assert "1 action en retard" in card and f"/indicators/actions/{action.pk}/" in card
    client.force_login(s.p.head_b)
    assert "Cantine scolaire" not in client.get("/").content.decode()
    client.force_login(s.p.teacher_a1)
    assert 'id="overdue-actions"' not in client.get("/").content.decode()


def test_the_email_reaches_owner_and_supervisor_once_a_day(steering, mailbox, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PILOTAGE_BASE_URL = "https://pilotage.example.ma/"
    s = steering
    action = _late(s, title="Soutien en mathématiques")
    s.p.provincial_a.preferred_language = "en"
    s.p.provincial_a.save(update_fields=["preferred_language"])
    assert notify_overdue(today=TODAY) == {"actions": 1, "emails": 2, "no_email": 0, "failed": 0}
    by_to = {m["To"]: m for m in mailbox.messages}
    assert by_to[s.p.head_a.email]["Subject"] == "Pilotage : 1 action en retard"
    assert set(by_to) == {s.p.head_a.email, s.p.provincial_a.email}
    head = by_to[s.p.head_a.email].get_content()
    assert "Soutien en mathématiques" in head and "1 mars 2026" in head
    assert "dont vous êtes responsable" in head
    assert f"https://pilotage.example.ma/indicators/actions/{action.pk}/" in head
    officer = by_to[s.p.provincial_a.email].get_content()
    assert "1 March 2026" in officer  # in the officer's language
    assert "units you oversee" in officer
    action.refresh_from_db()
    assert action.overdue_notified_on == TODAY
    assert AuditEntry.objects.filter(action="overdue_notice").count() == 1
    # the same day again: nothing; the next day: once more
    assert notify_overdue(today=TODAY)["emails"] == 0
    assert len(mailbox.messages) == 2
    assert notify_overdue(today=TODAY + dt.timedelta(days=1))["emails"] == 2
    assert len(mailbox.messages) == 4


def test_done_actions_and_people_without_address_get_nothing(steering, mailbox) -> None:  # type: ignore[no-untyped-def]
    s = steering
    done = _late(s)
    action_update(actor=s.p.head_a, action=done, version=1, status="done")
    assert notify_overdue(today=TODAY)["actions"] == 0
    _late(s)
    s.p.provincial_a.email = ""
    s.p.provincial_a.save(update_fields=["email"])
    assert notify_overdue(today=TODAY) == {"actions": 1, "emails": 1, "no_email": 1, "failed": 0}
    assert [m["To"] for m in mailbox.messages] == [s.p.head_a.email]


def test_the_command_and_the_job_send_them(steering, mailbox, capsys) -> None:  # type: ignore[no-untyped-def]
    s = steering
    today = timezone.localdate()
    make_action(s, start=today - dt.timedelta(days=10), due=today - dt.timedelta(days=1))
    call_command("notify_overdue_actions")
    assert "1 overdue action(s) flagged, 2 e-mail(s) sent" in capsys.readouterr().out
    assert len(mailbox.messages) == 2
    make_action(s, start=today - dt.timedelta(days=10), due=today - dt.timedelta(days=2))
    result = job_kinds()["indicators.notify_overdue"](Progress(None))
    assert result["actions"] == 1 and len(mailbox.messages) == 4


def test_moving_the_due_date_lets_the_notice_go_again(steering, mailbox) -> None:  # type: ignore[no-untyped-def]
    s = steering
    action = _late(s)
    notify_overdue(today=TODAY)
    action_update(actor=s.p.head_a, action=action, version=1, due_date=dt.date(2026, 3, 1))
    action.refresh_from_db()
    assert action.overdue_notified_on == TODAY  # same date: no change, flag kept
    action_update(actor=s.p.head_a, action=action, version=1, due_date=dt.date(2026, 2, 27))
    action.refresh_from_db()
    assert action.overdue_notified_on is None
    assert notify_overdue(today=TODAY)["actions"] == 1


def test_the_card_costs_two_queries(steering, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    from pilotage.core.scope import scope_of
    from pilotage.indicators.home import _overdue

    s = steering
    today = timezone.localdate()
    for n in range(3):
        make_action(
            s,
            title=f"Action {n}",
            start=today - dt.timedelta(days=30),
            due=today - dt.timedelta(days=n + 1),
        )
    officer = s.p.provincial_a
    _overdue(officer)  # reads the officer's grants once (cached on the user)
    with django_assert_num_queries(2):  # the count, the ten most overdue with unit and owner
        card = _overdue(officer)
    assert card is not None and card["total"] == 3
    scope_of(s.p.teacher_a1)  # the grants, read once per request by the menu already
    with django_assert_num_queries(0):  # a teacher has no action plans: no query
        assert _overdue(s.p.teacher_a1) is None
