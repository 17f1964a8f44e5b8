"""The phone and walk-in journeys in a real browser. The telephony server announces a
call (the webhook, with its token); the agent's open intake page rings within seconds;
the agent opens the caller, types the subject, sees a knowledge-base answer, records the
call; the ticket exists with the right requester and channel. In French and in Arabic.
Then a walk-in visitor: registered, called to the desk, served into a ticket."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from pilotage.contact.models import (
    ArticleKind,
    ArticleStatus,
    Channel,
    Ticket,
    Visit,
    VisitStatus,
)
from pilotage.contact.services.intake import telephony_token_create
from pilotage.contact.services.kb import article_create, article_status_set
from pilotage.core.tests.browser import open_as

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def _announce(live_server, token: str, call_id: str, caller: str) -> int:  # type: ignore[no-untyped-def]
    request = urllib.request.Request(  # noqa: S310 - the test's own live server
        f"{live_server.url}/api/v1/contact/calls/incoming",
        data=json.dumps({"caller": caller, "agent": "agent", "call_id": call_id}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_an_agent_takes_an_announced_call(page, page_log, live_server, cc, lang) -> None:
    # Through the services, which index the article for the search.
    article = article_create(
        actor=cc.agent,
        lang="fr",
        kind=ArticleKind.FAQ,
        title="Obtenir le récépissé de dépôt",
        body="Le récépissé est remis par l'autorité locale.",
    )
    article_status_set(actor=cc.supervisor, article=article, status=ArticleStatus.PUBLIC)
    _token, raw = telephony_token_create(actor=None, name="asterisk")
    open_as(page, live_server, "agent", lang)
    page.goto(f"{live_server.url}/contact/intake/")
    expect(page.locator("#ringing-banner")).to_have_count(0)

    assert _announce(live_server, raw, f"call-{lang}", "+212 661 000 001") == 201
    banner = page.locator("#ringing-banner")
    expect(banner).to_contain_text("Youssef El Idrissi", timeout=6_000)
    banner.locator("button[type=submit]").click()
    expect(page.locator("#caller-selected")).to_contain_text("Youssef El Idrissi")

    subject = page.locator("#call-form input[name=subject]")
    subject.press_sequentially("récépissé", delay=30)
    expect(page.locator("#kb-suggestions")).to_contain_text("Obtenir le récépissé de dépôt")
    page.locator("#call-form select[name=type]").select_option("procedure")
    page.locator("#call-form textarea[name=notes]").fill("Demande où en est le récépissé.")
    page.locator("#call-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/contact/tickets/\d+/$"))

    ticket = Ticket.objects.get()
    assert ticket.requester == cc.assoc_contact and ticket.association == cc.assoc_a
    assert ticket.channel == Channel.PHONE and ticket.subject == "récépissé"
    expect(page.locator("body")).to_contain_text(ticket.reference)
    assert not page_log.page_errors, page_log.page_errors
    assert not page_log.csp_violations(), page_log.csp_violations()


def test_a_walk_in_visitor_becomes_a_ticket(page, page_log, live_server, cc) -> None:
    open_as(page, live_server, "agent", "fr")
    page.goto(f"{live_server.url}/contact/visits/")
    form = page.locator("#visit-register form")
    form.get_by_label("Nom du visiteur").fill("Hassan Alami")
    form.get_by_label("Téléphone").fill("0677112233")
    form.get_by_label("Motif").fill("Dépôt du dossier de subvention")
    form.get_by_role("button", name="Donner un numéro").click()
    expect(page.locator(".messages")).to_contain_text("A-001")
    expect(page.locator("#visits-waiting")).to_contain_text("Hassan Alami")

    page.locator("#call-next").get_by_label("Guichet").fill("G2")
    page.get_by_role("button", name="Appeler le suivant").click()
    page.wait_for_url(re.compile(r"/contact/visits/\d+/$"))
    expect(page.locator("#visit-name")).to_have_text("Hassan Alami")
    page.locator("#visit-serve select[name=type]").select_option("procedure")
    page.get_by_role("button", name="Enregistrer la visite").click()
    page.wait_for_url(re.compile(r"/contact/tickets/\d+/$"))

    visit = Visit.objects.get()
    assert visit.status == VisitStatus.SERVED and visit.ticket is not None
    assert visit.ticket.channel == Channel.WALK_IN
    assert visit.ticket.requester is not None and visit.ticket.requester.phone == "0677112233"
    page.goto(f"{live_server.url}/contact/visits/display/")
    expect(page.locator("#display")).to_contain_text("A-001")
    expect(page.locator("#display")).to_contain_text("G2")
    assert not page_log.page_errors, page_log.page_errors
    assert not page_log.csp_violations(), page_log.csp_violations()
