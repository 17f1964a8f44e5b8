"""The journey "a head prints a class's bulletins", in a real browser, in French and in
Arabic: from the home page to the school's page, a class, its bulletins button, the job
page, and the PDF, by clicking through the pages."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from playwright.sync_api import Page, expect

from pilotage.core.models import Job
from pilotage.core.tests.browser import open_as
from pilotage.schooling.services.marks import Cell, marks_save_sheet

# Marks out of 20 in class A1 (5AP): see conftest.marks_out_of_20.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("transactional_db", "marks_out_of_20"),
]


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_head_prints_a_class_bulletins(
    page: Page, live_server, personas, school_year, run_jobs, settings, tmp_path, lang
) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    marks_save_sheet(
        actor=personas.teacher_a1,
        sheet=school_year.sheet,
        version=0,
        cells=[Cell(p.code_massar, "test_1", "14") for p in school_year.pupils_a1],
    )
    open_as(page, live_server, "head.a", lang)
    # Home → the school's unit (the head's card) → its school-records page.
    page.locator('#school-head-card a[data-door="school"]').first.click()
    page.wait_for_url("**/schooling/schools/04101A/")
    # The school's page → the class.
    class_a1 = school_year.class_a1
    page.locator(f'main #classes a[href="/schooling/classes/{class_a1.pk}/"]').click()
    page.wait_for_url(f"**/schooling/classes/{class_a1.pk}/")
    # The bulletins button leads to the batch form: semester 1, in the other language.
    page.locator('main a[data-door="bulletins"]').click()
    form = page.locator(f'main form[action="/schooling/classes/{class_a1.pk}/bulletins/"]')
    expect(form).to_be_visible()
    form.locator("select[name=semestre]").select_option("1")
    form.locator("select[name=lang]").select_option("fr" if lang == "ar" else "ar")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/jobs/**")
    expect(page.locator("main .job-progress")).to_be_attached()
    job = Job.objects.get()
    assert job.params["class_ids"] == [class_a1.pk]
    assert job.params["semester_id"] == school_year.s1.pk
    assert job.params["language"] == ("fr" if lang == "ar" else "ar")
    # The worker runs the job; the page, polling, offers the file.
    run_jobs()
    expect(page.locator('main .job-progress[data-status="succeeded"]')).to_be_attached()
    link = page.locator("main .job-progress a.button")
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert href == f"/schooling/report-cards/{job.pk}.pdf"
    response = page.request.get(urljoin(page.url, href))
    assert response.status == 200, f"download answered {response.status}"
    assert response.headers["content-type"] == "application/pdf"
    assert response.body()[:5] == b"%PDF-"
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
