"""Journeys that start on the home page, in a real browser, in French and in Arabic:
a parent reads the marks and the absence dates; a provincial officer follows marks entry
and finds a pupil.
Assertions rest on ids, hrefs and data-* attributes (the Arabic of new strings comes
later)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from pilotage.core.tests.browser import open_as
from pilotage.orgunits.tests.factories import make_school
from pilotage.schooling.models import Subject
from pilotage.schooling.services.attendance import AbsenceLine, absences_record
from pilotage.schooling.services.deadlines import deadline_set
from pilotage.schooling.services.marks import Cell, marks_save_sheet, sheet_ensure
from pilotage.schooling.tests.factories import enrol, make_class, make_pupil

# Marks out of 20 in class A1 (5AP): see conftest.marks_out_of_20.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("transactional_db", "marks_out_of_20"),
]


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_parent_reads_the_marks_and_absence_dates(
    page: Page, live_server, personas, school_year, lang
) -> None:  # type: ignore[no-untyped-def]
    child, other = school_year.child, school_year.pupils_a1[1]
    marks_save_sheet(
        actor=personas.teacher_a1,
        sheet=school_year.sheet,
        version=0,
        cells=[Cell(child.code_massar, "test_1", "15,5"), Cell(other.code_massar, "test_1", "6")],
    )
    absences_record(
        actor=personas.teacher_a1,
        school_class=school_year.class_a1,
        date=dt.date(2025, 10, 6),
        session="am",
        lines=[AbsenceLine(child.pk, hours=3), AbsenceLine(other.pk)],
    )
    open_as(page, live_server, "parent.a", lang)
    card = page.locator("#parent-card")
    expect(card.locator('.recent-marks li[data-subject="MATH"][data-mark="15.50"]')).to_be_visible()
    expect(card.locator('.recent-absences li[data-date="2025-10-06"]')).to_be_visible()
    expect(card.locator(f'bdi[lang="{lang}"]').first).to_be_visible()  # the reader's script first
    expect(card.locator('[data-mark="6.00"]')).to_have_count(0)  # a classmate's mark
    card.locator("#portal-link").click()
    page.wait_for_url(f"{live_server.url}/schooling/portal/")
    section = page.locator(f"#child-{child.code_massar}")
    heading = section.locator("h2 bdi").first
    expect(heading).to_have_attribute("lang", lang)
    expect(section.locator("h2 bdi.code-massar")).to_have_text(child.code_massar)
    marks = section.locator('table.portal-marks[data-semester="1"] tr[data-subject="MATH"]')
    expect(marks).to_be_visible()
    expect(marks.locator(".mark")).to_have_count(1)
    absence = section.locator('table.portal-absences tr[data-date="2025-10-06"]')
    expect(absence).to_be_visible()
    expect(absence).to_have_attribute("data-justified", "0")
    expect(absence.locator("time")).to_have_attribute("datetime", "2025-10-06")
    expect(
        section.locator('a.bulletin[data-semester="1"][data-lang="ar"] bdi[lang="ar"]')
    ).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(other.code_massar)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_provincial_officer_follows_marks_entry_and_finds_a_pupil(
    page: Page, live_server, personas, school_year, lang
) -> None:  # type: ignore[no-untyped-def]
    # School A has entered its S2 maths sheet; a second school of the province has a class
    # and nothing entered: it is the school behind.
    sheet = sheet_ensure(
        school_class=school_year.class_a1,
        subject=Subject.objects.get(code="MATH"),
        semester=school_year.s2,
    )
    marks_save_sheet(
        actor=personas.teacher_a1,
        sheet=sheet,
        version=0,
        cells=[
            Cell(p.code_massar, c, "12")
            for p in school_year.pupils_a1
            for c in ("test_1", "test_2", "test_3", "activity_1")
        ],
    )
    behind = make_school(personas.commune_a, code="04102B", name_fr="École Al Amal").org_unit
    enrol(make_pupil(), make_class(behind, school_year.year, "5AP", "5AP-1"))
    deadline_set(
        actor=personas.provincial_a,
        semester=school_year.s2,
        org_unit=personas.province_a,
        closes_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=4),
    )
    open_as(page, live_server, "dp.a", lang)
    card = page.locator("#marks-progress-card")
    rows = card.locator(".progress-behind li")
    expect(rows.first).to_have_attribute("data-school", behind.code)
    expect(rows.first).to_have_attribute("data-entered", "0")
    expect(card.locator(f'li[data-school="{personas.school_a.code}"]')).to_have_attribute(
        "data-entered", "1"
    )
    expect(card.locator("time")).to_be_visible()  # the deadline
    expect(card.locator(f'li[data-school="{personas.school_b.code}"]')).to_have_count(0)
    card.locator("#marks-progress-link").click()
    page.wait_for_url(f"{live_server.url}/schooling/marks-progress/")
    table = page.locator("table#marks-progress tbody tr")
    expect(table).to_have_count(2)
    expect(table.first).to_have_attribute("data-school", behind.code)
    expect(table.nth(1)).to_have_attribute("data-school", personas.school_a.code)
    expect(page.locator("#progress-total")).to_have_attribute("data-entered", "1")
    expect(page.locator("#entered-rule")).to_be_visible()
    # The namesake-proof label: the school, its commune and its code.
    expect(table.first.locator(".unit-label bdi.code")).to_have_text(behind.school.school_code)
    table.first.locator("a").click()  # on to the school behind
    page.wait_for_url(f"{live_server.url}/schooling/schools/{behind.school.school_code}/")
    # Back to school A through the schools list, then its pupils, found by name.
    page.locator('nav.mainnav a[href="/schooling/schools/"]').click()
    wanted = school_year.pupils_a1[2]
    page.locator(
        f'main a[href="/schooling/schools/{personas.school_a.school.school_code}/"]'
    ).click()
    page.locator('main a[data-door="pupils"]').click()
    page.locator("#pupil-q").fill(wanted.last_name)
    result = page.locator(f'#pupil-results a[href="/schooling/pupils/{wanted.code_massar}/"]')
    expect(result).to_be_visible()
    result.click()
    expect(page.locator("h1")).to_contain_text(wanted.code_massar)
