"""The capacity-building journey in a real browser: the Senegal coordinator opens their
programme from the menu, creates a training session, puts participants on its list,
marks attendance and completion with the grid's toggles (htmx), and reads the people
trained on the programme's Formations tab; then reads the session page in Arabic."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from pilotage.core.tests.browser import open_as

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def _add_participant(page, name: str, sex: str) -> None:
    form = page.locator("#participant-add")
    form.get_by_label("Nom complet").fill(name)
    form.get_by_label("Sexe").select_option(sex)
    form.get_by_role("button", name="Ajouter").click()
    expect(page.locator("#attendance")).to_contain_text(name)


def test_the_senegal_coordinator_reports_a_training(page, page_log, live_server, coop):
    open_as(page, live_server, "coord.sn", "fr")
    page.goto(live_server.url + "/cooperation/")
    page.get_by_role("link", name="ImaginEcole").click()
    page.get_by_role("link", name="Formations").click()
    expect(page.locator("#trained-total")).to_have_text("0")
    page.get_by_role("link", name="Nouvelle session de formation").click()
    page.get_by_label("Projet (pays)").select_option(label="Sénégal")
    page.get_by_label("Thème").fill("Lecture et écriture au CP")
    page.get_by_label("Public").select_option("teachers")
    page.get_by_label("Début").fill("2026-03-02")
    page.get_by_label("Fin").fill("2026-03-04")
    page.get_by_label("Modalité").select_option("blended")
    page.get_by_label("Lieu ou plateforme").fill("Dakar, CRFPE")
    page.get_by_label("Participants prévus").fill("25")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#session-topic")).to_have_text("Lecture et écriture au CP")

    _add_participant(page, "Awa Ndiaye", "F")
    _add_participant(page, "Moussa Fall", "M")
    awa = page.locator("#attendance tr", has_text="Awa Ndiaye")
    awa.locator("button[data-field=completed]").click()
    expect(awa.locator("button[data-field=completed]")).to_have_attribute("aria-pressed", "true")
    expect(awa.locator("button[data-field=attended]")).to_have_attribute("aria-pressed", "true")
    moussa = page.locator("#attendance tr", has_text="Moussa Fall")
    moussa.locator("button[data-field=attended]").click()
    expect(moussa.locator("button[data-field=attended]")).to_have_attribute("aria-pressed", "true")

    page.get_by_role("link", name="Formations").first.click()
    expect(page.locator("#trained-total")).to_have_text("1")
    expect(page.locator("#people-trained")).to_contain_text("1 femmes, 0 hommes")
    expect(page.locator("#sessions")).to_contain_text("Lecture et écriture au CP")

    page.get_by_role("link", name="Lecture et écriture au CP").click()
    session_url = page.url
    open_as(page, live_server, "coord.sn", "ar")
    page.goto(session_url)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#session-topic bdi")).to_have_text("Lecture et écriture au CP")
    expect(page.locator("#attendance")).to_contain_text("Awa Ndiaye")
    assert re.search(r"/cooperation/trainings/\d+/$", session_url)
    assert not page_log.page_errors, page_log.page_errors
    assert not page_log.csp_violations(), page_log.csp_violations()
