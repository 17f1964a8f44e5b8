"""The agreements' main journey in a real browser: a programme manager records an agreement
with two parties, its signed PDF and a narrative-report obligation (in French); the UNESCO
contact signs in (in English), sees only UNESCO's agreement (another one answers 404 by
its address), downloads its PDF and hands in the narrative report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pilotage.cooperation.models import Agreement, Obligation
from pilotage.cooperation.tests.agreements_support import FUNDING, make_agreement, pdf_bytes
from pilotage.core.tests.browser import open_as

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def _pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes()}


def test_manager_records_an_agreement_and_the_partner_reports(page, live_server, coop, page_log):
    hidden = make_agreement(coop.other, "OIF-2025-07", [(coop.oif, FUNDING)])

    # The manager, in French, from the cooperation pages' tabs.
    open_as(page, live_server, coop.manager.username, "fr")
    page.goto(f"{live_server.url}/cooperation/")
    page.locator("nav.appnav").get_by_role("link", name="Accords").click()
    expect(page.locator("h1")).to_have_text("Accords")
    page.get_by_role("link", name="Nouvel accord").click()
    page.locator("#id_programme").select_option(str(coop.imagine.pk))
    page.locator("#id_reference").fill("CONV-IMG-2025")
    page.locator("#id_title_fr").fill("Convention de financement ImaginEcole")
    page.locator("#id_title_en").fill("ImaginEcole financing agreement")
    page.locator("#id_kind").select_option("convention")
    page.locator("#id_signed_on").fill("2025-03-12")
    page.locator("#id_amount").fill("1500000,00")
    page.locator("#id_currency").fill("EUR")
    page.locator("#agreement-form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Convention de financement ImaginEcole")
    agreement = Agreement.objects.get(reference="CONV-IMG-2025")

    for partner, role in ((coop.unesco, "1"), (coop.oif, "4")):
        page.locator("#party-add #id_partner").select_option(str(partner.pk))
        page.locator("#party-add #id_role").select_option(role)
        page.locator("#party-add button[type=submit]").click()
    expect(page.locator("#parties tbody tr")).to_have_count(2)
    expect(page.locator("#parties")).to_contain_text("Financeur")
    expect(page.locator("#parties")).to_contain_text("Exécutant")

    page.get_by_role("link", name="Déposer un document").click()
    page.locator("#id_title").fill("Convention signée")
    page.locator("#id_file").set_input_files(_pdf("convention signee.pdf"))
    page.locator("#upload-form button[type=submit]").click()
    expect(page.locator("#documents")).to_contain_text("Convention signée")

    page.get_by_role("link", name="Nouvelle obligation").click()
    page.locator("#id_kind").select_option("narrative")
    page.locator("#id_title").fill("Rapport narratif 2025")
    page.locator("#id_due_on").fill((timezone.localdate() + dt.timedelta(days=60)).isoformat())
    page.locator("#id_responsible_party").select_option(str(coop.unesco.pk))
    page.locator("#obligation-form button[type=submit]").click()
    expect(page.locator("#obligations")).to_contain_text("Rapport narratif 2025")
    obligation = Obligation.objects.get(agreement=agreement)

    # The UNESCO contact, in English.
    open_as(page, live_server, coop.partner_user.username, "en")
    page.goto(f"{live_server.url}/cooperation/")
    page.locator("nav.appnav a[href$='/cooperation/agreements/']").click()
    rows = page.locator("#agreements tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("CONV-IMG-2025")
    expect(page.locator("#agreements")).not_to_contain_text("OIF-2025-07")
    response = page.goto(f"{live_server.url}/cooperation/agreements/{hidden.pk}/")
    assert response is not None and response.status == 404
    page.go_back()
    page.locator(f"#agreements a[href$='/agreements/{agreement.pk}/']").click()
    expect(page.locator("h1")).to_have_text("ImaginEcole financing agreement")

    with page.expect_download() as info:
        page.locator("#documents a").first.click()
    download = info.value
    assert download.suggested_filename == "convention_signee.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    page.locator(f"#obligation-{obligation.pk} a[href$='/submit/']").click()
    page.locator("#id_file").set_input_files(_pdf("narrative report 2025.pdf"))
    page.locator("#upload-form button[type=submit]").click()
    expect(page.locator(f"#obligation-{obligation.pk}")).to_have_attribute(
        "data-status", "submitted"
    )
    expect(page.locator(f"#obligation-{obligation.pk}")).to_contain_text(
        "narrative_report_2025.pdf"
    )
    obligation.refresh_from_db()
    assert obligation.submitted_by == coop.partner_user
    assert page_log.page_errors == [] and page_log.csp_violations() == []
