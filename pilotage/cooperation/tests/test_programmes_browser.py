"""A programme manager sets up a ten-country programme in a real browser: creates it,
declares the ten countries and the sectors, creates a project per country, and finds each
country's project; then the same pages in Arabic. Every step is reached by clicking."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from pilotage.cooperation.models import Programme
from pilotage.core.tests.browser import open_as
from pilotage.demo.cooperation import IMAGINE_COUNTRIES
from pilotage.orgunits.countries import country_load_iso

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_a_manager_sets_up_a_ten_country_programme(page, live_server, coop):
    for code in IMAGINE_COUNTRIES:
        country_load_iso(code)
    open_as(page, live_server, "coop.manager", "fr")
    page.get_by_role("link", name="Coopération").first.click()
    page.get_by_role("link", name="Nouveau programme").click()
    page.get_by_label("Code").fill("edu-sahel")
    page.get_by_label("Intitulé (français)").fill("Éducation au Sahel")
    page.get_by_label("Intitulé (anglais)").fill("Education in the Sahel")
    page.get_by_label("Début").fill("2026-01-01")
    page.get_by_label("Fin").fill("2029-12-31")
    page.get_by_label("Devise par défaut").fill("EUR")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="Éducation au Sahel")).to_be_visible()

    page.get_by_role("link", name="Pays couverts").first.click()
    # A wrong total is refused with its figure, and nothing is saved.
    page.get_by_label("Répartition").fill("\n".join(f"{c} 9" for c in IMAGINE_COUNTRIES))
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".errorlist")).to_contain_text("90")
    page.get_by_label("Répartition").fill("\n".join(f"{c} 10" for c in IMAGINE_COUNTRIES))
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#countries tbody tr")).to_have_count(10)

    page.get_by_role("link", name="Secteurs").first.click()
    page.get_by_label("Répartition").fill("11220 70\n11130 30")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Enseignement primaire")).to_be_visible()

    page.get_by_role("button", name="Créer un projet par pays couvert").click()
    expect(page.locator("#projects tbody tr")).to_have_count(10)
    page.get_by_role("link", name="Éducation au Sahel — Sénégal").click()
    expect(page.get_by_role("heading", name="Éducation au Sahel — Sénégal")).to_be_visible()
    programme = Programme.objects.get(code="edu-sahel")
    assert programme.projects.count() == 10
    assert sorted(programme.countries.values_list("country__code", flat=True)) == sorted(
        IMAGINE_COUNTRIES
    )

    # The Senegal coordinator finds the new Senegal project, not the Mali one.
    open_as(page, live_server, "coord.sn", "ar")
    page.get_by_role("link", name="التعاون").first.click()
    page.locator(f"#programme-{programme.pk} a").click()
    expect(page.locator("#projects tbody tr")).to_have_count(1)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
