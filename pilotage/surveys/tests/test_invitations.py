"""Invitations and reminders reach a real SMTP server, in both languages with the
respondent's own first and their personal link; each round writes to each person once."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from pilotage.core.tests.support import unchanged
from pilotage.surveys.models import Respondent, RespondentStatus
from pilotage.surveys.services.forms import survey_status_set
from pilotage.surveys.services.invitations import invitations_send
from pilotage.surveys.services.sampling import sample_draw
from pilotage.surveys.tests.conftest import Surveys
from pilotage.surveys.tests.test_services_sampling import frame


def _drawn(sv: Surveys, n: int = 3) -> list[Respondent]:
    sample_draw(
        actor=sv.manager_a,
        survey=sv.survey_a,
        source="upload",
        frame=frame({"A": n}),
        n=n,
        method="simple",
        seed=3,
    )
    survey_status_set(actor=sv.manager_a, survey=sv.survey_a, status="open")
    return list(Respondent.objects.order_by("pk"))


def test_invitations_are_bilingual_with_a_working_personal_link(sv: Surveys, mailbox) -> None:  # type: ignore[no-untyped-def]
    first, second, third = _drawn(sv)
    Respondent.objects.filter(pk=second.pk).update(language="ar")
    Respondent.objects.filter(pk=third.pk).update(email="")
    counts = invitations_send(actor=sv.manager_a, survey=sv.survey_a)
    assert counts == {"invitations_sent": 2, "invitations_failed": 0, "no_address": 1}
    french, arabic = sorted(mailbox.messages, key=lambda m: m["To"])
    assert french["To"] == first.email
    assert (
        french["Subject"].strip()
        == "Enquête : Attentes des associations / استطلاع: انتظارات الجمعيات"
    )
    assert arabic["Subject"].strip().startswith("استطلاع")
    text = french.get_body(preferencelist=("plain",)).get_content()
    assert text.index("Bonjour") < text.index("مرحبا")
    link = next(line for line in text.splitlines() if "/surveys/r/" in line).strip()
    page = Client().get(link[link.index("/surveys/r/") :])
    assert page.status_code == 200 and "Région" in page.content.decode()
    # A second round sends nothing: everyone with an address is invited.
    assert invitations_send(actor=sv.manager_a, survey=sv.survey_a)["invitations_sent"] == 0
    assert len(mailbox.messages) == 2


def test_reminders_go_only_to_those_without_an_answer_once_a_day(sv: Surveys, mailbox) -> None:  # type: ignore[no-untyped-def]
    first, second, _third = _drawn(sv)
    invitations_send(actor=sv.manager_a, survey=sv.survey_a)
    Respondent.objects.filter(pk=first.pk).update(status=RespondentStatus.SUBMITTED)
    mailbox.messages.clear()
    counts = invitations_send(actor=sv.manager_a, survey=sv.survey_a, reminder=True)
    assert counts["invitations_sent"] == 2
    assert first.email not in {m["To"] for m in mailbox.messages}
    assert all(m["Subject"].strip().startswith("Rappel") for m in mailbox.messages)
    assert Respondent.objects.get(pk=second.pk).reminders == 1
    assert (
        invitations_send(actor=sv.manager_a, survey=sv.survey_a, reminder=True)["invitations_sent"]
        == 0
    )


def test_an_outsider_sends_nothing(sv: Surveys, mailbox) -> None:  # type: ignore[no-untyped-def]
    _drawn(sv)
    with unchanged(Respondent), pytest.raises(PermissionDenied):
        invitations_send(actor=sv.manager_b, survey=sv.survey_a)
    assert mailbox.messages == []
