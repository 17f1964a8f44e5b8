"""A programme manager publishes their programme to IATI and writes the month's report in a
real browser, every step reached by clicking: the IATI tab (in English, the donors'
language) reports a broken rule naming the activity, the manager fixes the project's
sectors on its edit page (in French), then downloads the file, which passes the IATI 2.03
schema; then the "Rapports" tab, the month's narrative in English and the English PDF."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from pilotage.cooperation.iati.common import schema_errors
from pilotage.cooperation.iati.rules import RULE_PERCENTAGES
from pilotage.cooperation.models import MonthlyReport, ProjectSector
from pilotage.cooperation.tests.test_iati_export import with_money
from pilotage.core.tests.browser import open_as, switch_language

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

ML = "XX-DEMO-MEN-imagine-ml"


def _open_programme(page, coop) -> None:
    """From the home page: the app's link in the top bar, then the programme's row."""
    page.locator(f"a[href='{reverse('cooperation:programmes')}']").first.click()
    page.locator(f"#programme-{coop.imagine.pk} a").click()
    expect(page.get_by_role("heading", name="ImaginEcole")).to_be_visible()


def test_a_manager_fixes_a_broken_rule_and_downloads_a_valid_iati_file(
    page, live_server, coop, tmp_path
):
    with_money(coop)
    # Mali's project was given sectors that add up to 60 %, not 100 %.
    ProjectSector.objects.create(project=coop.project_ml, code="11220", percentage=60)

    open_as(page, live_server, "coop.manager", "en")
    _open_programme(page, coop)
    page.get_by_role("link", name="IATI", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#iati-blocked")).to_be_visible()
    expect(page.locator("#iati-download")).to_have_count(0)
    failures = page.locator("#iati-failures tbody tr")
    expect(failures).to_have_count(1)
    expect(failures.first).to_contain_text(ML)
    expect(failures.first).to_contain_text(RULE_PERCENTAGES)
    expect(failures.first).to_contain_text("60")

    # The fix, in French, on the project's edit page reached from the programme.
    switch_language(page, "fr")
    page.get_by_role("link", name="Vue d'ensemble").first.click()
    page.locator(f"#project-{coop.project_ml.pk} a").click()
    page.get_by_role("link", name="Modifier", exact=True).click()
    sectors = page.locator("#id_sectors-shares")
    expect(sectors).to_have_value("11220 60")
    sectors.fill("11220 100")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".errorlist")).to_have_count(0)
    assert list(coop.project_ml.sectors.values_list("code", "percentage")) == [("11220", 100)]

    # Back on the IATI tab, in English: nothing blocks, the file downloads and is valid.
    switch_language(page, "en")
    page.get_by_role("link", name="IATI", exact=True).click()
    expect(page.locator("#iati-ok")).to_be_visible()
    expect(page.locator("#iati-failures")).to_have_count(0)
    with page.expect_download() as info:
        page.locator("#iati-download").click()
    download = info.value
    assert download.suggested_filename == "iati-imagine.xml"
    target = tmp_path / "iati.xml"
    download.save_as(target)
    assert schema_errors(target) == []
    data = target.read_bytes()
    assert ML.encode() in data and b'percentage="100"' in data


def test_a_manager_writes_the_month_in_english_and_downloads_the_english_pdf(
    page, live_server, coop, tmp_path
):
    today = timezone.localdate()
    open_as(page, live_server, "coop.manager", "fr")
    _open_programme(page, coop)
    page.get_by_role("link", name="Rapports", exact=True).click()
    row = page.locator(f"#report-{today.year}-{today.month}")
    row.get_by_role("link", name="Rédiger").click()
    page.get_by_label("Synthèse (anglais)").fill("Two hundred teachers were trained in Kayes.")
    page.get_by_label("Risques (anglais)").fill("The rainy season may delay deliveries.")
    page.get_by_label("Prochaines étapes (anglais)").fill("Print the grade 2 readers.")
    page.get_by_role("button", name="Enregistrer").click()
    expect(row).to_contain_text("Rédigée le")
    assert MonthlyReport.objects.get(programme=coop.imagine).summary_en.startswith("Two hundred")

    with page.expect_download() as info:
        row.get_by_role("link", name="English").click()
    download = info.value
    assert download.suggested_filename == f"imagine-{today.year}-{today.month:02d}-en.pdf"
    target = tmp_path / "report.pdf"
    download.save_as(target)
    reader = PdfReader(io.BytesIO(target.read_bytes()))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    for sentence in (
        "Two hundred teachers were trained in Kayes.",
        "The rainy season may delay deliveries.",
        "Print the grade 2 readers.",
    ):
        assert sentence in text
