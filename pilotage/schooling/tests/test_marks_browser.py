"""The teacher's marks journey in a real browser (Debian's Chromium through Playwright), in
French and in Arabic: typing with the keyboard, pasting a column from Excel, saving, and
two people saving the same sheet.

What must hold in every language relies on names and data attributes; the messages are
checked in each language, the Arabic written out as the reader sees it (a missing
translation fails).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from pilotage.accounts.tests.factories import PASSWORD
from pilotage.core.tests.browser import TIMEOUT_MS, PageLog, login, switch_language
from pilotage.schooling.models import Mark

# Written with marks out of 20 in class A1 (5AP): see conftest.marks_out_of_20.
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db", "marks_out_of_20")]

# The columns in the order the grid shows them (Assessment.Meta.ordering).
COLUMNS = ["activity_1", "test_1", "test_2", "test_3"]

# Excel puts a copied column on the clipboard as lines; Playwright cannot write the system
# clipboard of a headless browser, so the test dispatches the event the browser would.
PASTE = """([selector, text]) => {
  const input = document.querySelector(selector);
  input.focus();
  const data = new DataTransfer();
  data.setData("text/plain", text);
  input.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
}"""


def open_sheet(page: Page, live_server, username: str, lang: str, sheet) -> list[str]:  # type: ignore[no-untyped-def]
    """Log in, choose the language, open the sheet; the pupils' codes in grid order."""
    login(page, live_server, username, PASSWORD)
    if lang != "fr":
        switch_language(page, lang)
    page.goto(f"{live_server.url}/schooling/sheets/{sheet.pk}/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    return list(page.locator("tr[data-code]").evaluate_all("rows => rows.map(r => r.dataset.code)"))


def cell(page: Page, code: str, column: str):  # type: ignore[no-untyped-def]
    return page.locator(f'input[name="m:{code}:{column}"]')


def marks(sheet) -> dict[tuple[str, str], str]:  # type: ignore[no-untyped-def]
    return {
        (m.pupil.code_massar, m.assessment.column): m.code or str(m.value)
        for m in Mark.objects.filter(assessment__sheet=sheet).select_related("pupil", "assessment")
    }


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_teacher_types_pastes_and_saves_with_the_keyboard(
    page: Page, page_log: PageLog, live_server, personas, school_year, lang
) -> None:  # type: ignore[no-untyped-def]
    sheet = school_year.sheet
    codes = open_sheet(page, live_server, "teacher.a1", lang, sheet)
    assert len(codes) == 5
    # Left/right follow what the eye sees: in Arabic the next column is on the left.
    forward, backward = ("ArrowLeft", "ArrowRight") if lang == "ar" else ("ArrowRight", "ArrowLeft")
    keyboard = page.keyboard
    indicator = page.locator("[data-dirty-indicator]")
    expect(indicator).to_be_hidden()

    cell(page, codes[0], "test_1").click()
    keyboard.type("12")
    expect(indicator).to_be_visible()
    keyboard.press("Enter")  # down to the next pupil
    expect(cell(page, codes[1], "test_1")).to_be_focused()
    keyboard.press(forward)  # an empty cell: straight to the next assessment
    expect(cell(page, codes[1], "test_2")).to_be_focused()
    keyboard.type("9,25")
    keyboard.press("ArrowUp")
    expect(cell(page, codes[0], "test_2")).to_be_focused()
    keyboard.type("abs")
    keyboard.press("ArrowDown")  # leaving the cell writes the code out in full
    expect(cell(page, codes[0], "test_2")).to_have_value("ABS")
    expect(cell(page, codes[1], "test_2")).to_be_focused()
    keyboard.press(backward)  # the whole value is selected: moves back a column
    expect(cell(page, codes[1], "test_1")).to_be_focused()
    keyboard.type("21")  # out of range: flagged at once, with a message
    expect(cell(page, codes[1], "test_1")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#cell-err-1-1")).to_be_visible()
    keyboard.press("Backspace")
    keyboard.press("Backspace")
    keyboard.type("13,5")
    expect(cell(page, codes[1], "test_1")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#cell-err-1-1")).to_be_hidden()

    # A column copied from Excel, pasted into the first pupil's test 3.
    page.evaluate(PASTE, [f'input[name="m:{codes[0]}:test_3"]', "15\r\n16,5\r\n17\r\n18\r\n19\r\n"])
    for code, value in zip(codes, ["15", "16,5", "17", "18", "19"], strict=True):
        expect(cell(page, code, "test_3")).to_have_value(value)
    # Two columns (tab-separated) pasted at the third pupil spread right and down.
    page.evaluate(PASTE, [f'input[name="m:{codes[2]}:activity_1"]', "14\t8\nDISP\t7,75"])
    expect(cell(page, codes[2], "test_1")).to_have_value("8")
    expect(cell(page, codes[3], "activity_1")).to_have_value("DISP")
    expect(cell(page, codes[3], "test_1")).to_have_value("7,75")

    # Leaving with unsaved marks asks first; staying keeps them.
    with page.expect_event("dialog") as leaving:
        # Deferred, so the evaluation returns before the dialog blocks the page.
        page.evaluate("() => { setTimeout(() => location.reload(), 0); }")
    assert leaving.value.type == "beforeunload"
    leaving.value.dismiss()
    expect(cell(page, codes[3], "test_1")).to_have_value("7,75")

    page.locator("button[data-save]").click()
    expect(page.locator(".msg-success")).to_be_visible()
    saved = {"fr": "13 notes enregistrées.", "ar": "تم حفظ 13 نقطة."}
    expect(page.locator(".msg-success")).to_have_text(saved[lang])
    expect(indicator).to_be_hidden()
    expect(cell(page, codes[1], "test_1")).to_have_value("13,5")
    assert marks(sheet) == {
        (codes[0], "test_1"): "12.00",
        (codes[1], "test_1"): "13.50",
        (codes[1], "test_2"): "9.25",
        (codes[0], "test_2"): "ABS",
        (codes[0], "test_3"): "15.00",
        (codes[1], "test_3"): "16.50",
        (codes[2], "test_3"): "17.00",
        (codes[3], "test_3"): "18.00",
        (codes[4], "test_3"): "19.00",
        (codes[2], "activity_1"): "14.00",
        (codes[2], "test_1"): "8.00",
        (codes[3], "activity_1"): "DISP",
        (codes[3], "test_1"): "7.75",
    }
    assert page_log.page_errors == [] and page_log.csp_violations() == []


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_second_of_two_saves_is_told_and_keeps_its_values(
    page: Page, browser, live_server, personas, school_year, lang
) -> None:  # type: ignore[no-untyped-def]
    sheet = school_year.sheet
    codes = open_sheet(page, live_server, "teacher.a1", lang, sheet)
    other = browser.new_context(locale="fr-FR", timezone_id="Africa/Casablanca")
    other.set_default_timeout(TIMEOUT_MS)
    try:
        head = other.new_page()
        open_sheet(head, live_server, "head.a", lang, sheet)

        cell(page, codes[0], "test_1").fill("11")
        page.keyboard.press("Control+s")  # saves like the button
        expect(page.locator(".msg-success")).to_be_visible()

        cell(head, codes[0], "test_1").fill("4")
        cell(head, codes[1], "test_1").fill("6,5")
        head.locator("button[data-save]").click()
        outcome = head.locator('[data-outcome="conflict"]')
        expect(outcome).to_be_visible()
        who = personas.teacher_a1.get_full_name()
        conflict = {
            "fr": f"Cette feuille a été modifiée par {who} pendant votre saisie : rechargez-la ;"
            " vos valeurs sont conservées ci-dessous",
            "ar": f"عدّل {who} هذه الورقة أثناء إدخالك للنقط: أعد تحميلها؛ قيمك محفوظة أدناه",
        }
        expect(outcome).to_contain_text(conflict[lang])
        expect(cell(head, codes[0], "test_1")).to_have_value("4")
        expect(cell(head, codes[1], "test_1")).to_have_value("6,5")
        expect(head.locator("[data-dirty-indicator]")).to_be_visible()
        assert marks(sheet) == {(codes[0], "test_1"): "11.00"}
        assert Mark.objects.get().value == Decimal(11)
    finally:
        other.close()
