"""Mails in: the IMAP mailbox (a real dovecot) and a maildir become tickets or replies,
threaded; auto-replies and bounces are logged and left alone; re-reading changes nothing."""

from __future__ import annotations

import mailbox as mailboxes

import pytest
from django.core.management import call_command

from pilotage.contact.models import (
    Attachment,
    Channel,
    InboundMail,
    InboundOutcome,
    Language,
    MessageKind,
    Requester,
    Status,
    Ticket,
    TicketMessage,
)
from pilotage.contact.services.mail import html_to_text, mail_fetch_imap, mail_receive
from pilotage.contact.tests.factories import make_ticket
from pilotage.contact.tests.mail_support import PDF, arabic_cp1256, mail
from pilotage.core.tests.support import unchanged

pytestmark = pytest.mark.django_db


def test_an_arabic_windows_1256_mail_becomes_a_ticket_and_is_acknowledged(
    cc, imap, mailbox, django_capture_on_commit_callbacks
):
    imap.append(arabic_cp1256("<first@citoyen.test>"))
    with django_capture_on_commit_callbacks(execute=True):
        counts = mail_fetch_imap(imap.settings)

    assert counts == {"created": 1}
    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.EMAIL
    assert ticket.subject == "طلب وصل الإيداع"
    assert ticket.language == Language.ARABIC
    assert ticket.queue == cc.complaints  # by the address it was sent to
    assert ticket.requester.email == "said@citoyen.test"
    assert ticket.requester.name_ar == "سعيد الإدريسي"
    first = ticket.messages.get()
    assert first.body.startswith("السلام عليكم")
    assert first.email_message_id == "<first@citoyen.test>"
    attachment = Attachment.objects.get(message=first)
    assert attachment.name == "recu.pdf"
    assert attachment.file.read() == PDF
    assert InboundMail.objects.get().ticket == ticket
    assert all("\\Seen" in flags for flags in imap.flags())

    (ack,) = mailbox.messages
    assert ack["To"] == "said@citoyen.test"
    assert f"[{ticket.reference}]" in ack["Subject"]
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["From"].addresses[0].addr_spec == "reclamations@contact.test"
    assert ack["In-Reply-To"] == "<first@citoyen.test>"
    html = ack.get_body(preferencelist=("html",)).get_content()
    assert 'dir="rtl"' in html and ticket.reference in html
    text = ack.get_body(preferencelist=("plain",)).get_content()
    assert ticket.reference in text and ack["Content-Language"] == "ar"
    ticket.refresh_from_db()
    assert ticket.acknowledged_at == ticket.created_at  # sent by the filing: at once


def test_reading_again_changes_nothing(cc, imap, mailbox, django_capture_on_commit_callbacks):
    raw = mail(message_id="<twice@citoyen.test>")
    imap.append(raw)
    with django_capture_on_commit_callbacks(execute=True):
        mail_fetch_imap(imap.settings)
    # The same mail again unread (a crash after the commit, before the flag was set):
    imap.append(raw)
    with unchanged(Ticket, TicketMessage, InboundMail, Requester):
        with django_capture_on_commit_callbacks(execute=True):
            counts = mail_fetch_imap(imap.settings)
        assert counts == {"already": 1}
        assert mail_fetch_imap(imap.settings) == {}  # nothing left unread
    assert len(mailbox.messages) == 1
    assert all("\\Seen" in flags for flags in imap.flags())


def test_replies_thread_by_in_reply_to_and_by_subject(cc, mailbox):
    ticket = make_ticket(
        cc.info,
        cc.personas.country,
        channel=Channel.EMAIL,
        requester=cc.citizen,
        email_message_id="<asked@citoyen.test>",
    )
    by_header = mail_receive(
        raw=mail(
            "Re: suite",
            "Voici la pièce demandée.",
            sender="other-address@ailleurs.test",
            in_reply_to="<asked@citoyen.test>",
        )
    )
    by_subject = mail_receive(
        raw=mail(f"Re: [{ticket.reference}] Demande", "Merci.", sender=cc.citizen.email)
    )
    assert by_header.outcome == by_subject.outcome == InboundOutcome.REPLY
    assert by_header.ticket == by_subject.ticket == ticket
    incoming = ticket.messages.filter(kind=MessageKind.INCOMING).order_by("pk")
    assert [m.body for m in incoming] == [
        "Bonjour, où en est notre dossier ?",
        "Voici la pièce demandée.",
        "Merci.",
    ]
    assert incoming[1].email_in_reply_to == "<asked@citoyen.test>"
    assert Ticket.objects.count() == 1


def test_a_copied_reference_from_a_stranger_does_not_reach_the_ticket(cc):
    ticket = make_ticket(cc.info, cc.personas.country, requester=cc.citizen)
    row = mail_receive(raw=mail(f"[{ticket.reference}] je m'invite", sender="intrus@x.test"))
    assert row.outcome == InboundOutcome.CREATED and row.ticket != ticket
    assert ticket.messages.count() == 1


def test_a_reply_reopens_a_resolved_ticket(cc):
    ticket = make_ticket(cc.info, cc.personas.country, requester=cc.citizen)
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.RESOLVED)
    mail_receive(raw=mail(f"[{ticket.reference}]", "Ce n'est pas réglé.", sender=cc.citizen.email))
    ticket.refresh_from_db()
    assert ticket.status == Status.REOPENED


@pytest.mark.parametrize(
    ("headers", "sender", "subject", "outcome"),
    [
        ({"Auto-Submitted": "auto-replied"}, "karim@citoyen.test", "Re: x", "auto_reply"),
        ({"X-Autoreply": "yes"}, "karim@citoyen.test", "Re: x", "auto_reply"),
        ({"Precedence": "bulk"}, "karim@citoyen.test", "Lettre", "auto_reply"),
        ({}, "karim@citoyen.test", "Absence du bureau", "auto_reply"),
        ({}, "MAILER-DAEMON@mx.test", "Undelivered Mail", "bounce"),
        ({"Return-Path": "<>"}, "karim@citoyen.test", "Delivery failure", "bounce"),
        ({}, "info@contact.test", "Notre propre courriel", "loop"),
    ],
)
def test_robots_are_logged_not_ticketed_nor_answered(
    cc, mailbox, headers, sender, subject, outcome, django_capture_on_commit_callbacks
):
    with (
        unchanged(Ticket, TicketMessage, Requester),
        django_capture_on_commit_callbacks(execute=True),
    ):
        row = mail_receive(raw=mail(subject, sender=sender, headers=headers))
    assert row.outcome == outcome and row.ticket is None
    assert mailbox.messages == []


def test_a_delivery_status_report_is_a_bounce(cc):
    raw = (
        b"From: postmaster@mx.test\r\nTo: info@contact.test\r\nSubject: Returned\r\n"
        b"Message-ID: <dsn@mx.test>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nFailed.\r\n"
        b"--b\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--b--\r\n"
    )
    with unchanged(Ticket):
        assert mail_receive(raw=raw).outcome == InboundOutcome.BOUNCE


def test_html_only_and_iso_8859_6_mails_read_as_text(cc):
    row = mail_receive(
        raw=mail(
            "بخصوص التمويل",
            "",
            html="<html><head><style>p{}</style></head><body><p>مرحبا</p>"
            "<script>alert(1)</script><p>نريد معلومات</p></body></html>",
            charset="iso-8859-6",
        )
    )
    body = row.ticket.messages.get().body
    assert body == "مرحبا\nنريد معلومات"
    assert row.ticket.language == Language.ARABIC
    assert html_to_text("<p>a<br>b</p>") == "a\nb"


def test_a_mail_too_large_is_logged_and_the_run_goes_on(
    cc, imap, settings, django_capture_on_commit_callbacks
):
    settings.CONTACT_MAIL_MAX_BYTES = 4000
    imap.append(mail("Énorme", "x" * 10_000, message_id="<big@citoyen.test>"))
    imap.append(mail("Normal", "Bonjour", message_id="<small@citoyen.test>"))
    with django_capture_on_commit_callbacks(execute=True):
        counts = mail_fetch_imap(imap.settings)
    assert counts == {"too_large": 1, "created": 1}
    big = InboundMail.objects.get(message_id="<big@citoyen.test>")
    assert big.ticket is None and "4000" in big.error and big.subject == "Énorme"
    assert Ticket.objects.get().subject == "Normal"
    assert all("\\Seen" in flags for flags in imap.flags())


def test_a_mail_that_cannot_be_filed_is_logged_with_its_reason(cc):
    with unchanged(Ticket, TicketMessage):
        row = mail_receive(raw=mail(sender="Karim <karim@-bad-.test>"))
    assert row.outcome == InboundOutcome.ERROR
    assert row.error and row.from_address == "karim@-bad-.test"


def test_a_maildir_run(cc, tmp_path, django_capture_on_commit_callbacks):
    box = mailboxes.Maildir(tmp_path / "box", create=True)
    box.add(mail("Première", message_id="<m1@citoyen.test>"))
    box.add(mail("Seconde", message_id="<m2@citoyen.test>", sender="autre@citoyen.test"))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("contact_fetch_mail", maildir=str(tmp_path / "box"), verbosity=0)
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["Première", "Seconde"]
    assert all("S" in box.get_message(key).get_flags() for key in box.iterkeys())
    assert not list((tmp_path / "box" / "new").iterdir())
    with unchanged(Ticket, InboundMail):
        call_command("contact_fetch_mail", maildir=str(tmp_path / "box"), verbosity=0)
