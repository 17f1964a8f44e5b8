"""The journey "a teacher takes attendance on a phone", in French and in Arabic, on a
390 × 844 viewport: from the home page to the class's roll by clicking, two pupils ticked
with a reason, the roll saved and shown again on reload, then refused rolls that keep
every tick."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from pilotage.accounts.tests.factories import PASSWORD
from pilotage.core.tests.browser import login, switch_language
from pilotage.schooling.models import Absence

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PHONE = {"width": 390, "height": 844}


def no_sideways_panning(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a 390 px phone"


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_teacher_takes_attendance_on_a_phone(
    page: Page, live_server, personas, school_year, lang
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(PHONE)
    login(page, live_server, "teacher.a1", PASSWORD)
    if lang != "fr":
        switch_language(page, lang)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    a1 = school_year.class_a1
    # Home → my classes → the class → "Faire l'appel", by clicking.
    page.locator('main a[href="/schooling/classes/"]').first.click()
    page.locator(f'main a[href="/schooling/classes/{a1.pk}/"]').first.click()
    page.locator(f'main a[href="/schooling/classes/{a1.pk}/attendance/"]').click()
    expect(page.locator('main input[name="date"]')).to_be_visible()
    no_sideways_panning(page)
    day = page.locator('input[name="date"]').input_value()
    first, second, third = (
        school_year.pupils_a1[0],
        school_year.pupils_a1[2],
        school_year.pupils_a1[4],
    )
    page.locator(f'input[name="absent:{first.pk}"]').check()
    page.locator(f'input[name="hours:{first.pk}"]').fill("2")
    page.locator(f'input[name="reason:{first.pk}"]').fill("Rendez-vous médical")
    page.locator(f'input[name="absent:{second.pk}"]').check()
    page.locator(f'input[name="justified:{second.pk}"]').check()
    page.locator(f'input[name="reason:{second.pk}"]').fill("مرض")
    no_sideways_panning(page)
    page.locator("button.roll-save").click()
    expect(page.locator(".msg-success")).to_be_visible()
    assert sorted(Absence.objects.values_list("pupil_id", "hours", "justified")) == sorted(
        [(first.pk, 2, False), (second.pk, 4, True)]
    )
    page.reload()
    expect(page.locator(f'input[name="absent:{first.pk}"]')).to_be_checked()
    expect(page.locator(f'input[name="absent:{second.pk}"]')).to_be_checked()
    expect(page.locator(f'input[name="reason:{second.pk}"]')).to_have_value("مرض")
    expect(page.locator('input[name="date"]')).to_have_value(day)

    # A third pupil ticked, then a date after the year typed in the picker: the browser
    # keeps the form (the picker's max is the year's last day) and nothing is sent.
    page.locator(f'input[name="absent:{third.pk}"]').check()
    page.locator(f'input[name="reason:{third.pk}"]').fill("Retard du car")
    page.locator('input[name="date"]').fill("2026-10-05")
    page.locator("button.roll-save").click()
    assert page.locator('input[name="date"]').evaluate("el => el.validity.rangeOverflow")
    expect(page.locator(f'input[name="absent:{third.pk}"]')).to_be_checked()
    # A Sunday inside the year passes the picker; the server refuses it and sends back
    # the roll as typed, with the reason.
    page.locator('input[name="date"]').fill("2025-10-12")
    page.locator("button.roll-save").click()
    expect(page.locator(".msg-error")).to_be_visible()
    for pupil in (first, second, third):
        expect(page.locator(f'input[name="absent:{pupil.pk}"]')).to_be_checked()
    expect(page.locator(f'input[name="reason:{third.pk}"]')).to_have_value("Retard du car")
    expect(page.locator(f'input[name="hours:{first.pk}"]')).to_have_value("2")
    expect(page.locator('input[name="date"]')).to_have_value("2025-10-12")
    no_sideways_panning(page)
    assert Absence.objects.count() == 2  # nothing saved by the refused rolls
