"""The association's journey on the public pages in a real browser, without an account,
in French and in Arabic: it files a complaint through the web form, notes the reference
and the tracking code shown once, follows its request on the tracking page; once an agent
has answered and resolved it, it follows the rating link of the survey mail (the page
asks to confirm: following the link records nothing), confirms a rating with a comment
(recorded once, even from a second tab), then, not satisfied, reopens the request from
the tracking page."""

from __future__ import annotations

import re
import time

import pytest
from django.core.cache import cache
from django.utils import translation
from playwright.sync_api import expect

from pilotage.contact.audit import SURVEY_ANSWER, TICKET_APPEAL
from pilotage.contact.forms.public import MIN_FILL_SECONDS
from pilotage.contact.models import (
    Channel,
    MessageKind,
    SatisfactionSurvey,
    Status,
    Ticket,
    TicketType,
)
from pilotage.contact.services.public import ticket_for_code
from pilotage.contact.services.tickets import ticket_message_add
from pilotage.core.models import AuditEntry
from pilotage.schooling.tests.test_arabic_pages import latin_runs_not_isolated

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

TEXTS = {
    "fr": {
        "subject": "Récépissé de dépôt jamais remis",
        "body": "Nous avons déposé le dossier de renouvellement il y a trois mois, sans récépissé.",
        "reply": "La préfecture a été relancée ; le récépissé vous sera remis cette semaine.",
        "comment": "Réponse arrivée, mais le récépissé n'est toujours pas là.",
        "reason": "Une semaine plus tard, toujours aucun récépissé.",
    },
    "ar": {
        "subject": "عدم تسليم وصل الإيداع",
        "body": "أودعنا ملف التجديد منذ ثلاثة أشهر دون أن نتسلم الوصل.",
        "reply": "تمت مراسلة العمالة وسيسلم لكم الوصل هذا الأسبوع.",
        "comment": "وصل الرد لكن الوصل لم يسلم بعد.",
        "reason": "مر أسبوع ولم نتسلم الوصل.",
    },
}


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # The form's and the tracking page's rate limits live in Django's cache.
    cache.clear()


def _label(status: str, lang: str) -> str:
    with translation.override(lang):
        return str(Status(status).label)


def _not_isolated(page, run: str) -> list[str]:
    """Each place where ``run`` is page text without an isolate (<bdi> or ``dir``) of its
    own, whatever surrounds it (stricter than ``latin_runs_not_isolated``, which needs
    Arabic letters next to it and so passes on an untranslated page). Text boxes are
    the visitor's own text."""
    return page.evaluate(
        """(run) => {
          const found = [];
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            if (!node.nodeValue.includes(run) || node.parentElement.closest('textarea')) continue;
            const holder = node.parentElement.closest('bdi, [dir]');
            const own = holder && holder !== document.documentElement && holder !== document.body
              && holder.textContent.trim() === run;
            if (!own) found.push(node.parentElement.outerHTML.slice(0, 200));
          }
          return found;
        }""",
        run,
    )


def _check_page(page, lang: str, runs: list[str]) -> None:
    """The page is in the visitor's language and direction; in Arabic, each Latin run
    (reference, code) is isolated."""
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    if lang == "ar":
        for run in runs:
            assert _not_isolated(page, run) == [], (page.url, run)
        assert latin_runs_not_isolated(page.content(), runs) == [], page.url


def _received(mailbox, count: int) -> list:
    deadline = time.monotonic() + 10
    while len(mailbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(mailbox.messages) == count, [m["Subject"] for m in mailbox.messages]
    return list(mailbox.messages)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_an_association_files_follows_rates_and_reopens_a_complaint(
    page, page_log, live_server, cc, mailbox, settings, lang
) -> None:
    text = TEXTS[lang]
    settings.PILOTAGE_BASE_URL = live_server.url  # the links of the mails

    # The web form, anonymously, in the association's language.
    page.goto(f"{live_server.url}/contact/public/")
    shown_at = time.monotonic()
    if lang != "fr":
        # The top bar's language menu (the shared ``switch_language`` helper's locator,
        # select[name=language], also matches this form's "language of the reply" field).
        page.locator("header.topbar select[name=language]").select_option(lang)
        page.locator(f"html[lang={lang}]").wait_for(state="attached")
    _check_page(page, lang, [])
    form = page.locator("#public-form")
    form.locator("select[name=type]").select_option(TicketType.COMPLAINT)
    form.locator("select[name=category]").select_option(str(cc.cat_constitution.pk))
    form.locator("input[name=subject]").fill(text["subject"])
    form.locator("textarea[name=body]").press_sequentially(text["body"], delay=5)
    form.locator("select[name=org_unit]").select_option(str(cc.personas.province_a.pk))
    form.locator("input[name=association_name]").fill(cc.assoc_a.name_fr)
    form.locator("input[name=registration_number]").fill(cc.assoc_a.registration_number)
    form.locator("input[name=name]").fill("Youssef El Idrissi")
    form.locator("input[name=email]").fill("y.idrissi@asso.test")
    form.locator("input[name=phone]").fill("06 61 00 00 01")
    form.locator("select[name=language]").select_option(lang)
    # The honeypot stays out of a person's sight (a clipped 1-pixel box) and empty.
    trap = form.locator("div.visually-hidden:has(input[name=website])").bounding_box()
    assert trap is not None and trap["width"] <= 1 and trap["height"] <= 1
    expect(form.locator("input[name=website]")).to_have_value("")
    # A person takes a few seconds over the form; quicker is refused as a robot.
    time.sleep(max(0.0, MIN_FILL_SECONDS + 0.5 - (time.monotonic() - shown_at)))
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/contact/public/sent/")

    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.WEB and ticket.type == TicketType.COMPLAINT
    assert ticket.queue == cc.complaints and ticket.association == cc.assoc_a
    assert ticket.category == cc.cat_constitution and ticket.org_unit == cc.personas.province_a
    assert ticket.language == lang and ticket.subject == text["subject"]
    assert ticket.created_by is None
    expect(page.locator("#sent-reference bdi[dir=ltr]")).to_have_text(ticket.reference)
    code = page.locator("#sent-code bdi[dir=ltr]").inner_text().strip()
    assert ticket_for_code(ticket.reference, code) == ticket
    _check_page(page, lang, [ticket.reference, code])
    (receipt,) = _received(mailbox, 1)
    assert receipt["To"] == "y.idrissi@asso.test" and ticket.reference in receipt["Subject"]
    assert code in receipt.get_content()

    # Shown once: the page forgets them; the tracking page asks for both.
    page.locator("#track-link").click()
    page.wait_for_url(re.compile(r"/contact/public/track/\?reference="))
    track = page.locator("#track-form")
    expect(track.locator("input[name=reference]")).to_have_value(ticket.reference)
    track.locator("input[name=code]").fill(code)
    track.locator("button[type=submit]").click()
    tracking_url = f"{live_server.url}/contact/public/track/{ticket.reference}/"
    page.wait_for_url(tracking_url)
    expect(page.locator("#ticket-status")).to_have_text(_label(ticket.status, lang))
    expect(page.locator("#messages")).to_contain_text(text["body"])
    expect(page.locator("#appeal-form")).to_have_count(0)  # nothing answered yet
    _check_page(page, lang, [ticket.reference])

    # The agent answers and resolves the complaint: the reply and the survey are mailed.
    cc.agent.first_name = "Salma"
    cc.agent.save(update_fields=["first_name"])
    ticket_message_add(
        actor=cc.agent,
        ticket=ticket,
        kind=MessageKind.REPLY,
        body=text["reply"],
        status=Status.RESOLVED,
    )
    survey = SatisfactionSurvey.objects.get(ticket=ticket)
    mails = _received(mailbox, 3)
    texts = [m.get_body(preferencelist=("plain",)).get_content() for m in mails]
    assert any(text["reply"] in t for t in texts)  # the reply itself
    (survey_text,) = [t for t in texts if "/contact/public/survey/" in t]
    (survey_mail,) = [m for m, t in zip(mails, texts, strict=True) if t == survey_text]
    assert survey_mail["To"] == "y.idrissi@asso.test"
    assert survey_mail["Content-Language"] == lang
    links = re.findall(r"\S+/contact/public/survey/\S+", survey_text)
    assert len(links) == 5 and all(link.startswith(live_server.url) for link in links)
    (link,) = [link for link in links if link.endswith("?rating=2")]

    page.reload()
    expect(page.locator("#ticket-status")).to_have_text(_label(Status.RESOLVED, lang))
    reply = page.locator("#messages article.message-reply")
    expect(reply).to_contain_text(text["reply"])
    expect(reply).to_contain_text("Salma")
    expect(page.locator("#appeal-form")).to_be_visible()

    # The rating link: a confirm step, nothing recorded by following it.
    page.goto(link)
    survey_form = page.locator("#survey-form")
    expect(survey_form.locator("input[name=rating][value='2']")).to_be_checked()
    _check_page(page, lang, [ticket.reference])
    survey.refresh_from_db()
    assert survey.answered_at is None and survey.rating is None
    assert not AuditEntry.objects.filter(action=SURVEY_ANSWER).exists()
    # The same link open in a second tab (the person clicked twice).
    other_tab = page.context.new_page()
    other_tab.goto(link)
    other_tab.locator("#survey-form input[name=rating][value='5']").check()

    survey_form.locator("textarea[name=comment]").fill(text["comment"])
    survey_form.locator("#survey-confirm").click()
    expect(page.locator("#survey-done")).to_contain_text("2")
    expect(page.locator("#survey-form")).to_have_count(0)
    survey.refresh_from_db()
    assert survey.rating == 2 and survey.comment == text["comment"]
    assert survey.answered_at is not None
    answered_at = survey.answered_at

    other_tab.locator("#survey-confirm").click()
    expect(other_tab.locator("#survey-done")).to_contain_text("2")
    other_tab.close()
    survey.refresh_from_db()
    assert (survey.rating, survey.comment, survey.answered_at) == (2, text["comment"], answered_at)
    assert AuditEntry.objects.filter(action=SURVEY_ANSWER).count() == 1
    assert SatisfactionSurvey.objects.count() == 1

    # Not satisfied: the association reopens its request from the tracking page.
    page.goto(tracking_url)
    expect(page.locator("#ticket-rating")).to_contain_text("2")
    appeal = page.locator("#appeal-form")
    appeal.locator("textarea[name=reason]").fill(text["reason"])
    appeal.locator("button[type=submit]").click()
    expect(page.locator("#appeal-done bdi[dir=ltr]")).to_have_text(ticket.reference)
    expect(page.locator("#mediator-info")).to_be_visible()
    _check_page(page, lang, [ticket.reference])
    ticket.refresh_from_db()
    assert ticket.status == Status.REOPENED
    last = ticket.messages.latest("pk")
    assert last.kind == MessageKind.INCOMING and last.body == text["reason"]
    assert last.author is None and last.channel == Channel.WEB
    survey.refresh_from_db()
    assert survey.appealed_at is not None
    assert AuditEntry.objects.filter(action=TICKET_APPEAL).count() == 1

    page.goto(tracking_url)
    expect(page.locator("#ticket-status")).to_have_text(_label(Status.REOPENED, lang))
    expect(page.locator("#messages article").last).to_contain_text(text["reason"])
    expect(page.locator("#mediator-info")).to_be_visible()
    expect(page.locator("#appeal-form")).to_have_count(0)  # reopened: nothing to appeal
    _check_page(page, lang, [ticket.reference])
    assert not page_log.page_errors, page_log.page_errors
    assert not page_log.csp_violations(), page_log.csp_violations()
