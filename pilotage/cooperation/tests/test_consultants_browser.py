"""Work plans and consultants' "done means" in a real browser: a consultant logs in, sees
only their own contract and uploads a deliverable; the programme manager reviews it with
a comment and rejects it; the consultant, now reading in Arabic, uploads version 2; the
manager validates it. Every step is reached by clicking from the home page or the menu."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from pilotage.cooperation.models import DeliverableStatus
from pilotage.cooperation.tests.workplans_support import hire_build, pdf_bytes, plan_build
from pilotage.core.tests.browser import open_as, open_topbar_menu

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _pdf(name: str) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes()}


def _to_my_deliverable(page: Page, title: str) -> None:
    """From the home page: the card of deliverables due, then the deliverable."""
    card = page.locator("#home-deliverables-due")
    expect(card).to_be_visible()
    card.get_by_role("link", name=title).click()
    page.wait_for_load_state()


def _to_review(page: Page, title: str) -> None:
    """From the home page: the "to review" card, then the deliverable in the list."""
    page.locator("#home-to-review a").click()
    page.wait_for_load_state()
    page.locator("#review-deliverables").get_by_role("link", name=title).click()
    page.wait_for_load_state()


def test_a_consultant_submits_a_deliverable_that_is_reviewed(page: Page, live_server, coop):
    hire = hire_build(coop)
    plan_build(coop)
    consultant, manager = coop.consultant.username, coop.manager.username

    # 1. The consultant (French) sees only their contract, then hands in version 1.
    open_as(page, live_server, consultant, "fr")
    open_topbar_menu(page)
    page.locator('nav.mainnav a[href="/cooperation/"]').click()
    page.locator('nav.appnav a[href="/cooperation/consultants/mine/"]').click()
    expect(page.locator("main h1")).to_have_text("Mon espace consultant")
    expect(page.locator("#contracts")).to_contain_text("IMG-2026-01")
    expect(page.locator("main")).not_to_contain_text("OTH-2026-01")
    page.locator("#contracts a", has_text="IMG-2026-01").click()
    expect(page.locator("#contract-activities")).to_contain_text("Activité A1")
    expect(page.locator("#contract-activities")).not_to_contain_text("Activité A2")
    page.locator("#deliverables a", has_text="Rapport de démarrage").click()
    page.locator("#version-form input[type=file]").set_input_files(_pdf("demarrage.pdf"))
    page.locator("#version-form textarea").fill("Première version")
    page.locator("#version-form button[type=submit]").click()
    expect(page.locator("#deliverable-status")).to_have_text("Remis")
    expect(page.locator("#version-1")).to_contain_text("demarrage.pdf")

    # 2. The manager comments, then rejects with a reason.
    open_as(page, live_server, manager, "fr")
    _to_review(page, "Rapport de démarrage")
    page.locator("#review-form input[value=comment]").check()
    page.locator("#review-form textarea").fill("Ajoutez le calendrier des ateliers.")
    page.locator("#review-form button[type=submit]").click()
    expect(page.locator("#deliverable-status")).to_have_text("En cours d'examen")
    page.locator("#review-form input[value=reject]").check()
    page.locator("#review-form textarea").fill("Le calendrier manque toujours.")
    page.locator("#review-form button[type=submit]").click()
    expect(page.locator("#deliverable-status")).to_have_text("Rejeté")
    expect(page.locator("#review-form")).to_have_count(0)

    # 3. The consultant, reading in Arabic, sees the reasons and uploads version 2.
    open_as(page, live_server, consultant, "ar")
    _to_my_deliverable(page, "Rapport de démarrage")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#version-1 .reviews")).to_contain_text("Le calendrier manque toujours.")
    page.locator("#version-form input[type=file]").set_input_files(_pdf("demarrage-v2.pdf"))
    page.locator("#version-form button[type=submit]").click()
    expect(page.locator("#version-2")).to_contain_text("demarrage-v2.pdf")
    expect(page.locator("#version-form")).to_have_count(0)

    # 4. The manager validates version 2: final.
    open_as(page, live_server, manager, "fr")
    _to_review(page, "Rapport de démarrage")
    expect(page.get_by_role("heading", name="Examiner la version 2")).to_be_visible()
    page.locator("#review-form input[value=validate]").check()
    page.locator("#review-form button[type=submit]").click()
    expect(page.locator("#deliverable-status")).to_have_text("Validé")
    expect(page.locator("#final")).to_be_visible()

    hire.deliverable.refresh_from_db()
    assert hire.deliverable.status == DeliverableStatus.VALIDATED
    assert hire.deliverable.versions.count() == 2
