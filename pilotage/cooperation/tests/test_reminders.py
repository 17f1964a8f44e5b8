"""Reminders before each due date, against a real local SMTP server: N days before (30
and 7 unless the obligation says otherwise) and on the due date, each sent once, to the
internal owner and the responsible party's contacts, in each recipient's language."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from pilotage.cooperation.models import ObligationReminder, PartnerContact
from pilotage.cooperation.services.agreements import obligation_create, obligation_submit
from pilotage.cooperation.tasks import REMIND
from pilotage.cooperation.tests.agreements_support import FUNDING, make_agreement, pdf_upload
from pilotage.core.jobs import job_execute, job_start
from pilotage.core.models import AuditEntry

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 6, 30)


@pytest.fixture
def obligation(coop):
    agreement = make_agreement(coop.imagine, "REM-1", [(coop.unesco, FUNDING)])
    coop.manager.email, coop.manager.preferred_language = "manager@example.org", "en"
    coop.manager.save(update_fields=["email", "preferred_language"])
    coop.partner_user.email = "awa@example.org"
    coop.partner_user.preferred_language = "ar"
    coop.partner_user.save(update_fields=["email", "preferred_language"])
    # A contact without an account: French.
    PartnerContact.objects.create(partner=coop.unesco, name="Jean Dupont", email="jd@example.org")
    return obligation_create(
        actor=coop.manager,
        agreement=agreement,
        kind="narrative",
        title="Rapport narratif 2025",
        due_on=DUE,
        responsible_party=coop.unesco,
        owner=coop.manager,
    )


def _run(day: dt.date) -> str:
    out = StringIO()
    call_command("cooperation_remind", "--today", day.isoformat(), stdout=out)
    return out.getvalue()


def _by_recipient(mailbox) -> dict[str, object]:
    return {m["To"]: m for m in mailbox.messages}


def test_each_reminder_goes_once_to_everyone_in_their_language(mailbox, obligation):
    assert "0 reminder(s)" in _run(DUE - dt.timedelta(days=31))
    assert mailbox.messages == []

    assert "3 e-mail(s) sent" in _run(DUE - dt.timedelta(days=30))
    sent = _by_recipient(mailbox)
    assert set(sent) == {"manager@example.org", "awa@example.org", "jd@example.org"}
    english, arabic, french = (
        sent["manager@example.org"],
        sent["awa@example.org"],
        sent["jd@example.org"],
    )
    assert english["Content-Language"] == "en" and "June" in english.get_content()
    assert french["Content-Language"] == "fr" and "juin" in french.get_content()
    assert arabic["Content-Language"] == "ar" and "June" not in arabic.get_content()
    assert "30" in french["Subject"] and "Rapport narratif 2025" in french["Subject"]
    assert "REM-1" in french.get_content()

    # The same day again, and the days after: nothing until the 7-day threshold.
    _run(DUE - dt.timedelta(days=30))
    _run(DUE - dt.timedelta(days=29))
    _run(DUE - dt.timedelta(days=8))
    assert len(mailbox.messages) == 3

    _run(DUE - dt.timedelta(days=7))
    assert len(mailbox.messages) == 6
    _run(DUE - dt.timedelta(days=7))
    _run(DUE)
    assert len(mailbox.messages) == 9
    last_french = [m for m in mailbox.messages[-3:] if m["To"] == "jd@example.org"]
    assert "aujourd'hui" in last_french[0]["Subject"]
    _run(DUE)
    _run(DUE + dt.timedelta(days=1))
    assert len(mailbox.messages) == 9
    assert sorted(
        ObligationReminder.objects.filter(obligation=obligation).values_list(
            "days_before", "recipients"
        )
    ) == [(0, 3), (7, 3), (30, 3)]
    assert AuditEntry.objects.filter(action="obligation_remind").count() == 3


def test_a_missed_day_sends_the_nearest_reminder_once(mailbox, obligation):
    # The job did not run on D-30: on D-10 the 30-day reminder goes, once, saying 10 days.
    _run(DUE - dt.timedelta(days=10))
    assert len(mailbox.messages) == 3
    assert "10" in mailbox.messages[0]["Subject"]
    _run(DUE - dt.timedelta(days=9))
    assert len(mailbox.messages) == 3


def test_a_submitted_obligation_is_not_reminded(mailbox, coop, obligation):
    obligation_submit(actor=coop.partner_user, obligation=obligation, upload=pdf_upload())
    _run(DUE - dt.timedelta(days=7))
    assert mailbox.messages == []
    assert not ObligationReminder.objects.exists()


def test_custom_thresholds(mailbox, coop, obligation):
    obligation.reminder_days = [14]
    obligation.save(update_fields=["reminder_days"])
    _run(DUE - dt.timedelta(days=30))
    assert mailbox.messages == []
    _run(DUE - dt.timedelta(days=14))
    assert len(mailbox.messages) == 3


def test_the_job_kind_sends_the_same_reminders(mailbox, coop, obligation):
    job = job_start(
        actor=coop.head, kind=REMIND, params={"today": (DUE - dt.timedelta(days=7)).isoformat()}
    )
    job = job_execute(job)
    assert job.result["emails"] == 3, job.result
    assert len(mailbox.messages) == 3
    job_execute(
        job_start(
            actor=coop.head, kind=REMIND, params={"today": (DUE - dt.timedelta(days=7)).isoformat()}
        )
    )
    assert len(mailbox.messages) == 3


def test_a_bad_date_is_a_clear_error(obligation):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="2026-13-01"):
        call_command("cooperation_remind", "--today", "2026-13-01")
