"""The partners part's main journey in a real browser: the head of the service logs a
meeting with UNESCO and a follow-up action, moves an opportunity to negotiation and reads
the funnel and the weighted total (French); then reads the partner list in Arabic. Every
step is reached by clicking from the menu or the page."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from pilotage.cooperation.models import FollowUpAction, Meeting, Opportunity, Stage
from pilotage.cooperation.services.pipeline import opportunity_create
from pilotage.core.tests.browser import open_as

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def test_the_head_logs_a_meeting_moves_an_opportunity_and_reads_the_funnel(
    page: Page, live_server, coop
) -> None:  # type: ignore[no-untyped-def]
    opportunity = opportunity_create(
        actor=coop.head,
        title_fr="Extension ImaginEcole Sahel",
        partner=coop.unesco,
        stage=Stage.PROPOSAL,
        expected_amount=Decimal("200000"),
        currency="EUR",
        probability=Decimal("40"),
        expected_year=2026,
    )
    open_as(page, live_server, coop.head.username, "fr")
    page.locator('header a[href="/cooperation/"]').first.click()
    page.locator('nav.appnav a[href="/cooperation/partners/"]').click()
    page.locator(
        f'#partner-{coop.unesco.pk} a[href="/cooperation/partners/{coop.unesco.pk}/"]'
    ).click()
    page.get_by_role("link", name="Consigner une réunion").click()

    page.locator("#id_kind").select_option("dialogue")
    page.locator("#id_date").fill("2026-11-12")
    page.locator("#id_title").fill("Dialogue politique avec l'UNESCO")
    expect(page.locator(f'#id_partners option[value="{coop.unesco.pk}"]')).to_have_attribute(
        "selected", ""
    )
    page.locator("#id_participants").select_option(str(coop.manager.pk))
    page.locator("#id_decisions").fill("Lancer la phase 2 au Niger.")
    page.get_by_role("button", name="Enregistrer").click()
    meeting = Meeting.objects.get()
    page.wait_for_url(f"{live_server.url}/cooperation/meetings/{meeting.pk}/")
    expect(page.locator("#decisions")).to_contain_text("Lancer la phase 2")

    page.locator("#id_description").fill("Envoyer la note conceptuelle")
    page.locator("#id_owner").select_option(str(coop.manager.pk))
    page.locator("#id_due_date").fill("2026-11-30")
    page.get_by_role("button", name="Ajouter l'action").click()
    action = FollowUpAction.objects.get()
    expect(page.locator(f"#followup-{action.pk}")).to_contain_text("Envoyer la note conceptuelle")
    assert action.owner == coop.manager and list(action.meeting.partners.all()) == [coop.unesco]

    page.locator('nav.appnav a[href="/cooperation/pipeline/"]').click()
    page.locator(f"#stage-proposal #opportunity-{opportunity.pk} a").click()
    page.locator("#move-form #id_stage").select_option("negotiation")
    page.locator("#move-form #id_next_step").fill("Finaliser le cadre de résultats")
    page.get_by_role("button", name="Enregistrer l'étape").click()
    expect(page.locator("#stage")).to_have_text("Négociation")
    opportunity.refresh_from_db()
    assert opportunity.stage == Stage.NEGOTIATION

    page.get_by_role("link", name="Entonnoir et total pondéré").first.click()
    expect(page.locator("#funnel-negotiation td").first).to_have_text("1")
    expect(page.locator("#funnel-proposal td").first).to_have_text("0")
    # 200 000 EUR × 40 % = 80 000,00 EUR in 2026 (the only opportunity).
    cell = page.locator("#weighted-2026 td").first
    assert _digits(cell.inner_text()) == "8000000"
    expect(page.locator("#weighted thead")).to_contain_text("EUR")
    assert Opportunity.objects.count() == 1


def test_the_partner_list_in_arabic(page: Page, live_server, coop) -> None:  # type: ignore[no-untyped-def]
    open_as(page, live_server, coop.head.username, "ar")
    page.locator('header a[href="/cooperation/"]').first.click()
    page.locator('nav.appnav a[href="/cooperation/partners/"]').click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    row = page.locator(f"#partner-{coop.unesco.pk}")
    expect(row.locator("bdi").first).to_have_text("UNESCO")
    expect(row).to_contain_text("XM-DAC-41304")
    expect(page.locator(f"#partner-{coop.oif.pk}")).to_be_visible()
