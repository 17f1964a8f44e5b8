"""The supervisor's journey in a real browser, in French and in Arabic: the SLA board shows
a breached ticket; the supervisor ticks it and gives it to the Fès agent (htmx, no
reload); that agent, in the other language, finds it in their ticket list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pilotage.contact.models import Ticket
from pilotage.contact.tests.factories import make_ticket
from pilotage.core.tests.browser import open_as

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.mark.parametrize(("lang", "other"), [("fr", "ar"), ("ar", "fr")])
def test_supervisor_reassigns_a_breached_ticket(
    page, live_server, cc, page_log, lang, other
) -> None:
    late = make_ticket(cc.complaints, cc.personas.province_b, subject="Récépissé en retard")
    Ticket.objects.filter(pk=late.pk).update(
        ack_due_at=timezone.now() - dt.timedelta(hours=3), assignee=cc.agent
    )
    make_ticket(cc.info, cc.personas.province_a, subject="Dans les délais")

    words = {
        "fr": ("Tableau SLA", "Dépassé", "1 ticket attribué"),
        "ar": ("لوحة الآجال", "تم تجاوزه", "أُسند 1 طلب"),
    }[lang]
    open_as(page, live_server, cc.supervisor.username, lang)
    page.goto(f"{live_server.url}/contact/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    page.locator("nav.appnav a[href='/contact/board/']").click()
    expect(page.locator("h1")).to_have_text(words[0])
    row = page.locator(f"#board-ticket-{late.pk}")
    expect(row).to_have_attribute("data-state", "breached")
    expect(row).to_contain_text(words[1])
    expect(page.locator("#sla-counts [data-state=breached]")).to_contain_text("1")
    page.locator(f"#tick-{late.pk}").check()
    page.locator("#board-form select[name=assignee]").select_option(str(cc.agent_fes.pk))
    page.locator("#board-reassign").click()
    expect(page.locator("#board .msg-success")).to_contain_text(words[2])
    expect(page.locator(f"#board-ticket-{late.pk}")).to_contain_text(cc.agent_fes.get_full_name())
    late.refresh_from_db()
    assert late.assignee == cc.agent_fes

    open_as(page, live_server, cc.agent_fes.username, other)
    page.goto(f"{live_server.url}/contact/")
    expect(page.locator(f"#ticket-{late.pk}")).to_contain_text(late.reference)
    expect(page.locator("#availability-toggle")).to_be_visible()
    assert page_log.page_errors == [] and page_log.csp_violations() == []
