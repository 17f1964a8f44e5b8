"""The e-mail journey in a real browser, in French and in Arabic: a requester's mail lands
in the centre's IMAP mailbox (a private dovecot), ``contact_fetch_mail`` files it as a
ticket and acknowledges it; the agent finds the ticket in the list, opens it, inserts a
canned reply, completes it and sends it; the reply leaves through a real SMTP server,
threaded to the requester's mail; the requester's answer, threaded by its In-Reply-To
only, is fetched and shows on the agent's page as a new message of the same ticket."""

from __future__ import annotations

import io
import re
import time

import pytest
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import expect

from pilotage.contact.models import (
    CannedReply,
    Channel,
    InboundMail,
    Language,
    MessageKind,
    Status,
    Ticket,
)
from pilotage.contact.services.public import ticket_for_code
from pilotage.contact.tests.mail_support import mail
from pilotage.core.tests.browser import open_as
from pilotage.schooling.tests.test_arabic_pages import latin_runs_not_isolated

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

# What each run's requester writes: the French association's president, the Arabic-speaking
# citizen (the mail's language decides the ticket's, and so the reply's).
LETTERS = {
    "fr": {
        "sender": "Youssef El Idrissi <youssef@asso.test>",
        "subject": "Renouvellement du bureau",
        "body": "Bonjour, quelles pièces faut-il pour déclarer le nouveau bureau ?",
        "added": "Le dossier se dépose auprès de l'autorité locale.",
        "answer": "Merci, nous déposerons le dossier lundi.",
        "language": Language.FRENCH,
    },
    "ar": {
        "sender": "فاطمة الزهراء بناني <fatima@citoyen.test>",
        "subject": "تجديد مكتب الجمعية",
        "body": "السلام عليكم، ما هي الوثائق المطلوبة للتصريح بالمكتب الجديد؟",
        "added": "يودع الملف لدى السلطة المحلية.",
        "answer": "شكرا، سنودع الملف يوم الاثنين.",
        "language": Language.ARABIC,
    },
}


def _fetch() -> str:
    out = io.StringIO()
    call_command("contact_fetch_mail", stdout=out)
    return out.getvalue()


def _received(mailbox, count: int) -> list:
    """The SMTP server's messages once ``count`` have arrived (the live server sends after
    its commit, in its own thread)."""
    deadline = time.monotonic() + 10
    while len(mailbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(mailbox.messages) == count, [m["Subject"] for m in mailbox.messages]
    return list(mailbox.messages)


def _not_isolated(page, run: str, root: str = "body") -> list[str]:
    """Each place under ``root`` where ``run`` is text without an isolate (<bdi> or
    ``dir``) of its own, whatever surrounds it (stricter than ``latin_runs_not_isolated``,
    which needs Arabic letters next to it and so passes on an untranslated page)."""
    return page.evaluate(
        """([run, root]) => {
          const found = [];
          const walker = document.createTreeWalker(
            document.querySelector(root), NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            if (!node.nodeValue.includes(run) || node.parentElement.closest('textarea')) continue;
            const holder = node.parentElement.closest('bdi, [dir]');
            const own = holder && holder !== document.documentElement && holder !== document.body
              && holder.textContent.trim() === run;
            if (!own) found.push(node.parentElement.outerHTML.slice(0, 200));
          }
          return found;
        }""",
        [run, root],
    )


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_an_agent_answers_a_mail_and_the_answer_threads_back(
    page, page_log, live_server, cc, imap, mailbox, settings, monkeypatch, lang
) -> None:
    letter = LETTERS[lang]
    settings.PILOTAGE_BASE_URL = live_server.url
    for name, value in {
        "CONTACT_IMAP_HOST": imap.settings.host,
        "CONTACT_IMAP_PORT": str(imap.settings.port),
        "CONTACT_IMAP_USER": imap.settings.user,
        "CONTACT_IMAP_PASSWORD": imap.settings.password,
        "CONTACT_IMAP_SSL": "false",
    }.items():
        monkeypatch.setenv(name, value)
    canned = CannedReply.objects.create(
        title="Pièces du renouvellement",
        body_fr="Bonjour {requester}, votre demande {reference} est prise en charge.",
        body_ar="مرحبا {requester}، طلبكم {reference} قيد المعالجة.",
    )

    # The mail arrives and the cron's command files it.
    imap.append(
        mail(
            letter["subject"],
            letter["body"],
            sender=letter["sender"],
            to="info@contact.test",
            message_id=f"<first-{lang}@citoyen.test>",
        )
    )
    assert "(created: 1)" in _fetch()
    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.EMAIL and ticket.queue == cc.info
    # Found in the registry by the sender's address, not created again.
    assert ticket.requester == (cc.citizen if lang == "ar" else cc.assoc_contact)
    assert ticket.language == letter["language"]
    assert ticket.subject == letter["subject"]
    assert all("\\Seen" in flags for flags in imap.flags())
    (ack,) = _received(mailbox, 1)
    assert f"[{ticket.reference}]" in ack["Subject"]
    ack_text = ack.get_body(preferencelist=("plain",)).get_content()
    assert f"{live_server.url}/contact/public/track/" in ack_text
    code = re.search(r"[A-Z2-9]{8}", ack_text.split(ticket.reference, 1)[1])
    assert code is not None and ticket_for_code(ticket.reference, code.group(0)) == ticket

    # The agent finds it in the list and opens it.
    open_as(page, live_server, cc.agent.username, lang)
    page.locator("header.topbar nav.mainnav a[href='/contact/']").click()
    page.wait_for_url(f"{live_server.url}/contact/")
    row = page.locator(f"#ticket-{ticket.pk}")
    expect(row).to_contain_text(ticket.reference)
    expect(row).to_contain_text(letter["subject"])
    if lang == "ar":
        assert _not_isolated(page, ticket.reference) == []
        assert latin_runs_not_isolated(page.content(), [ticket.reference]) == []
    row.locator(f"a[href='/contact/tickets/{ticket.pk}/']").click()
    page.wait_for_url(f"{live_server.url}/contact/tickets/{ticket.pk}/")
    expect(page.locator("h1 bdi[dir=ltr]")).to_have_text(ticket.reference)
    first = ticket.messages.get()
    expect(page.locator(f"#message-{first.pk}")).to_contain_text(letter["body"])

    # A canned reply, filled for this ticket in the requester's language, then a sentence
    # of the agent's own; the requester is asked to answer.
    form = page.locator("#reply-form")
    expect(form.locator("input[name=kind][value=reply]")).to_be_checked()
    form.locator(f"button[hx-get='/contact/tickets/{ticket.pk}/canned/{canned.pk}/']").click()
    with translation.override(lang):
        requester = ticket.requester.display_name
    inserted = (canned.body_ar if lang == "ar" else canned.body_fr).format(
        requester=requester, reference=ticket.reference
    )
    body = page.locator("#reply-body")
    expect(body).to_have_value(inserted)
    body.focus()
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.press("Enter")
    page.keyboard.type(letter["added"], delay=5)
    form.locator("select[name=status]").select_option(Status.WAITING_REQUESTER)
    form.locator("button[type=submit]").click()
    replies = page.locator("#messages article.message-reply")
    expect(replies).to_have_count(1)
    expect(replies).to_contain_text(letter["added"])

    reply = ticket.messages.get(kind=MessageKind.REPLY)
    # A browser sends a text box's line breaks as CRLF (HTML's form encoding).
    assert reply.body.replace("\r\n", "\n") == f"{inserted}\n{letter['added']}"
    assert reply.author == cc.agent
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING_REQUESTER and ticket.first_response_at is not None
    # The page (no reload) shows where the reply left the ticket, and its status form
    # carries the ticket's new version: a status change now is not a false conflict.
    with translation.override(lang):
        expect(page.locator("#ticket-status")).to_have_text(str(Status.WAITING_REQUESTER.label))
    status_box = page.locator("#ticket-status-box")
    expect(status_box.locator("input[name=version]")).to_have_value(str(ticket.version))
    _ack, sent = _received(mailbox, 2)
    assert sent["To"] == ticket.requester.email
    # A long encoded subject (Arabic) is folded right after "Subject:"; unfolding leaves a
    # blank in front, which mail clients drop.
    assert sent["Subject"].strip() == f"[{ticket.reference}] {ticket.subject}"
    assert sent["In-Reply-To"] == f"<first-{lang}@citoyen.test>"
    assert f"<first-{lang}@citoyen.test>" in sent["References"]
    assert sent["Message-ID"].strip() == reply.email_message_id
    assert sent["From"].addresses[0].addr_spec == cc.info.email
    assert sent["Content-Language"] == lang
    assert letter["added"] in sent.get_body(preferencelist=("plain",)).get_content()
    html = sent.get_body(preferencelist=("html",)).get_content()
    assert f'dir="{"rtl" if lang == "ar" else "ltr"}"' in html
    reply.refresh_from_db()
    assert reply.sent_at is not None

    # The requester answers from a client that kept only the threading headers (no
    # reference in the subject): the In-Reply-To alone must find the ticket.
    imap.append(
        mail(
            f"Re: {letter['subject']}",
            letter["answer"],
            sender=letter["sender"],
            to="info@contact.test",
            message_id=f"<answer-{lang}@citoyen.test>",
            in_reply_to=reply.email_message_id,
        )
    )
    assert "(reply: 1)" in _fetch()
    assert Ticket.objects.count() == 1 and InboundMail.objects.count() == 2
    answer = ticket.messages.filter(kind=MessageKind.INCOMING).latest("pk")
    assert answer.body == letter["answer"] and answer.pk != first.pk
    assert answer.email_in_reply_to == reply.email_message_id
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN  # the requester's answer restarts the clock

    page.reload()
    expect(page.locator("#messages article")).to_have_count(3)
    expect(page.locator("#messages article").last).to_have_attribute("id", f"message-{answer.pk}")
    expect(page.locator(f"#message-{answer.pk}")).to_contain_text(letter["answer"])
    with translation.override(lang):
        expect(page.locator("#ticket-status")).to_have_text(str(Status.OPEN.label))
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    if lang == "ar":
        # The page's own places; the canned text in the messages is the agent's prose.
        for root in ("h1", "#ticket-facts", "#ticket-status-box"):
            assert _not_isolated(page, ticket.reference, root) == [], root
    assert len(mailbox.messages) == 2  # the answer is not acknowledged again
    assert not page_log.page_errors, page_log.page_errors
    assert not page_log.csp_violations(), page_log.csp_violations()
