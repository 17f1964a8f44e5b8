"""School-records journeys of the provincial officer, the school head and the parent in a
real browser, in French and in Arabic (the teacher's marks journey is in
test_marks_browser.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from pilotage.core.tests.browser import open_as
from pilotage.schooling.models import Absence, CouncilDecision
from pilotage.schooling.services.marks import Cell, marks_save_sheet

# Written with marks out of 20 in class A1 (5AP): see conftest.marks_out_of_20.
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db", "marks_out_of_20")]


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_provincial_officer_drills_down_to_a_pupil(
    page: Page, live_server, personas, school_year, lang
) -> None:  # type: ignore[no-untyped-def]
    open_as(page, live_server, "dp.a", lang)
    page.locator('nav.mainnav a[href="/schooling/classes/"]').click()
    expect(page.locator("main table")).to_contain_text("5AP-1")
    expect(page.locator("main table")).not_to_contain_text("1AC-1")  # the other province's class
    page.get_by_role("link", name="5AP-1").click()
    pupil = school_year.pupils_a1[0]
    page.locator(f'a[href="/schooling/pupils/{pupil.code_massar}/"]').click()
    expect(page.locator("h1")).to_contain_text(pupil.last_name)
    expect(page.locator("main table")).to_contain_text("5AP-1")
    response = page.goto(f"{live_server.url}/schooling/classes/{school_year.class_b1.pk}/")
    assert response is not None and response.status == 404


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_school_head_takes_attendance_and_holds_the_council(
    page: Page, live_server, personas, school_year, lang
) -> None:  # type: ignore[no-untyped-def]
    open_as(page, live_server, "head.a", lang)
    page.goto(
        f"{live_server.url}/schooling/classes/{school_year.class_a1.pk}/attendance/?date=2025-10-06&session=am"
    )
    absent = school_year.pupils_a1[1]
    page.locator(f'input[name="absent:{absent.pk}"]').check()
    page.locator(f'input[name="hours:{absent.pk}"]').fill("3")
    page.locator("main form[method=post] button.roll-save").click()
    expect(page.locator(".msg-success")).to_be_visible()
    assert Absence.objects.get().hours == 3
    page.goto(f"{live_server.url}/schooling/classes/{school_year.class_a1.pk}/council/")
    page.locator('select[name^="decision:"]').first.select_option("promote")
    page.locator("main form button[type=submit]:not([name])").click()
    expect(page.locator(".msg-success")).to_be_visible()
    # Without marks nothing is suggested (no semester is complete): the head decided one
    # pupil, the others stay undecided.
    assert CouncilDecision.objects.count() == 1
    assert CouncilDecision.objects.filter(decision="promote", suggestion="").count() == 1


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_parent_sees_their_child_only(page: Page, live_server, personas, school_year, lang) -> None:  # type: ignore[no-untyped-def]
    marks_save_sheet(
        actor=personas.teacher_a1,
        sheet=school_year.sheet,
        version=0,
        cells=[Cell(p.code_massar, "test_1", "13,5") for p in school_year.pupils_a1],
    )
    open_as(page, live_server, "parent.a", lang)
    page.locator('nav.mainnav a[href="/schooling/portal/"]').click()
    main = page.locator("main")
    expect(main).to_contain_text(school_year.child.code_massar)
    heading = {"fr": "Suivi de la scolarité", "ar": "تتبع التمدرس"}
    expect(page.locator("main h1")).to_have_text(heading[lang])
    average = {"fr": "Moyenne générale : 13,50", "ar": "المعدل العام : 13,50"}
    expect(main).to_contain_text(average[lang])
    for other in school_year.pupils_a1[1:]:
        expect(main).not_to_contain_text(other.code_massar)
    expect(page.locator('nav.mainnav a[href="/schooling/classes/"]')).to_have_count(0)
