"""A school head imports pupils from the pages alone, in French and in Arabic: the import
page explains the columns, a bad file is refused in words with its rows, a corrected file
is summed up with a link to the class it filled."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from pilotage.accounts.tests.factories import PASSWORD
from pilotage.core.tests.browser import login, switch_language
from pilotage.schooling.imports import STUDENT_COLUMNS
from pilotage.schooling.models import Pupil, SchoolClass

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def _csv(path: Path, rows: list[dict[str, str]]) -> Path:
    lines = [";".join(STUDENT_COLUMNS)] + [";".join(r[c] for c in STUDENT_COLUMNS) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _pupil(**kw: str) -> dict[str, str]:
    row = {
        "code_massar": "K600000001",
        "nom": "Alaoui",
        "prenom": "Salma",
        "nom_ar": "العلوي",
        "prenom_ar": "سلمى",
        "sexe": "F",
        "date_naissance": "2015-04-12",
        "code_etablissement": "04101A",
        "niveau": "5AP",
        "classe": "5AP-7",
        "annee_scolaire": "2025-2026",
    }
    row.update(kw)
    return row


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_head_imports_pupils_reads_the_refusal_then_opens_the_class(
    page: Page, live_server, personas, school_year, run_jobs, tmp_path, lang
) -> None:  # type: ignore[no-untyped-def]
    login(page, live_server, "head.a", PASSWORD)
    if lang != "fr":
        switch_language(page, lang)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    page.locator('main a[href="/schooling/import/students/"]').first.click()
    # Every column is explained on the page, and both templates are offered.
    rows = page.locator("table.import-columns tbody tr")
    expect(rows).to_have_count(len(STUDENT_COLUMNS))
    for n, column in enumerate(STUDENT_COLUMNS):
        expect(rows.nth(n)).to_have_attribute("data-column", column)
        expect(rows.nth(n).locator("td").nth(1)).not_to_be_empty()
    expect(page.locator("#template-xlsx")).to_be_visible()
    expect(page.locator("#template-csv")).to_be_visible()

    bad = _csv(
        tmp_path / "eleves.csv",
        [_pupil(), _pupil(code_massar="K60000002", sexe="X")],
    )
    page.locator("#import-form input[type=file]").set_input_files(str(bad))
    page.locator("#import-form button[type=submit]").click()
    page.wait_for_url("**/jobs/**")
    run_jobs()
    outcome = page.locator('.job-progress[data-outcome="rejected"]')
    expect(outcome).to_be_visible()
    if lang == "fr":
        expect(outcome.locator("h2")).to_have_text("Fichier refusé : 2 problèmes")
    problems = outcome.locator("table.problems tbody tr")
    expect(problems).to_have_count(2)
    expect(problems.first).to_have_attribute("data-row", "3")
    expect(problems.first).to_contain_text("K60000002")
    assert not Pupil.objects.filter(code_massar="K600000001").exists()

    page.locator("#job-retry").click()
    page.wait_for_url("**/schooling/import/students/")
    good = _csv(tmp_path / "eleves-corrige.csv", [_pupil(), _pupil(code_massar="K600000002")])
    page.locator("#import-form input[type=file]").set_input_files(str(good))
    page.locator("#import-form button[type=submit]").click()
    page.wait_for_url("**/jobs/**")
    run_jobs()
    expect(page.locator('.job-progress[data-status="succeeded"]')).to_be_visible()
    summary = page.locator(".job-summary li")
    expect(summary).to_have_count(4)  # imported, new pupils, enrolments, the class created
    if lang == "fr":
        expect(summary.first).to_have_text("2 élèves importés")
    new_class = SchoolClass.objects.get(name="5AP-7")
    link = page.locator(f'.job-links a[href="/schooling/classes/{new_class.pk}/"]')
    expect(link).to_have_count(1)
    link.click()
    page.wait_for_url(f"**/schooling/classes/{new_class.pk}/")
    expect(page.locator("main h1")).to_contain_text("5AP-7")
    expect(page.locator("main")).to_contain_text("K600000002")
