"""Mails out: an agent's public reply reaches the requester (a real SMTP server),
threaded and in their language; a note never leaves; a failed send never blocks the agent
and the retry job sends it later."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from pilotage.contact.models import Channel, MessageKind, TicketMessage
from pilotage.contact.services.mail import mail_retry
from pilotage.contact.services.tickets import ticket_message_add
from pilotage.contact.tasks import MAIL_RETRY
from pilotage.contact.tests.factories import make_ticket
from pilotage.core.jobs import job_kinds
from pilotage.core.tests.support import unchanged

pytestmark = pytest.mark.django_db


def _email_ticket(cc, requester):
    return make_ticket(
        cc.info,
        cc.personas.country,
        channel=Channel.EMAIL,
        requester=requester,
        language=requester.language,
        email_message_id="<asked@citoyen.test>",
    )


def test_a_public_reply_goes_to_the_requester_threaded_in_arabic(
    cc, mailbox, django_capture_on_commit_callbacks
):
    ticket = _email_ticket(cc, cc.citizen)
    with django_capture_on_commit_callbacks(execute=True):
        reply = ticket_message_add(
            actor=cc.agent, ticket=ticket, kind=MessageKind.REPLY, body="وصلنا طلبكم."
        )
    (sent,) = mailbox.messages
    reply.refresh_from_db()
    assert sent["To"] == cc.citizen.email
    assert sent["Subject"] == f"[{ticket.reference}] {ticket.subject}"
    assert sent["Message-ID"].strip() == reply.email_message_id != ""
    assert sent["In-Reply-To"] == "<asked@citoyen.test>" == reply.email_in_reply_to
    assert "<asked@citoyen.test>" in sent["References"]
    assert sent["From"].addresses[0].addr_spec == cc.info.email
    assert "Auto-Submitted" not in sent
    html = sent.get_body(preferencelist=("html",)).get_content()
    assert 'dir="rtl"' in html and "وصلنا طلبكم." in html
    assert "وصلنا طلبكم." in sent.get_body(preferencelist=("plain",)).get_content()
    assert reply.sent_at is not None


def test_a_french_requester_gets_a_left_to_right_mail(
    cc, mailbox, django_capture_on_commit_callbacks
):
    ticket = _email_ticket(cc, cc.assoc_contact)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_message_add(actor=cc.agent, ticket=ticket, kind=MessageKind.REPLY, body="Réponse")
    (sent,) = mailbox.messages
    assert sent["Content-Language"] == "fr"
    assert 'dir="ltr"' in sent.get_body(preferencelist=("html",)).get_content()


def test_a_note_never_leaves(cc, mailbox, django_capture_on_commit_callbacks):
    ticket = _email_ticket(cc, cc.citizen)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_message_add(actor=cc.agent, ticket=ticket, kind=MessageKind.NOTE, body="Interne")
    assert mailbox.messages == []


def test_a_refused_reply_sends_nothing(cc, mailbox, django_capture_on_commit_callbacks):
    ticket = _email_ticket(cc, cc.citizen)
    with (
        unchanged(TicketMessage),
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(PermissionDenied),
    ):
        ticket_message_add(actor=cc.agent_fes, ticket=ticket, kind=MessageKind.REPLY, body="x")
    assert mailbox.messages == []


def test_a_failed_send_is_retried_by_the_job(
    cc, mailbox, settings, django_capture_on_commit_callbacks
):
    ticket = _email_ticket(cc, cc.citizen)
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        reply = ticket_message_add(
            actor=cc.agent, ticket=ticket, kind=MessageKind.REPLY, body="Réponse"
        )
    reply.refresh_from_db()
    assert reply.sent_at is None and reply.email_message_id  # saved; the id kept for the retry
    assert mail_retry() == {"emails": 0, "failed": 1}
    settings.EMAIL_PORT = port
    assert job_kinds()[MAIL_RETRY](None) == {"emails": 1, "failed": 0}
    (sent,) = mailbox.messages
    assert sent["Message-ID"].strip() == reply.email_message_id
    reply.refresh_from_db()
    assert reply.sent_at is not None
    assert mail_retry() == {"emails": 0, "failed": 0}  # sent once
