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


# Typed in pupil order: what each row's average must read as the marks go in, computed by
# hand with the server's rule (grading.continuous_average: the mean of the three tests and
# the activities, DISP left out, ABS as 0, half-up to two decimals).
TYPED = [
    ({"test_1": "13,5", "test_2": "abs", "test_3": "16,25", "activity_1": "DISP"}, "9.92"),
    ({"test_1": "10,01", "test_2": "10,02"}, "10.02"),  # 10.015: half-up, not float's 10.01
    ({"test_1": "١٥"}, "15.00"),  # Arabic-Indic digits, as an Arabic keyboard types them
    ({"test_1": "20", "test_2": "21"}, "20.00"),  # 21 is refused: left out, flagged
]


def averages(page: Page) -> list[tuple[str, str]]:
    return page.locator("[data-average]").evaluate_all(
        "cells => cells.map(c => [c.dataset.value, c.textContent.trim()])"
    )


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_average_follows_the_typing_and_matches_the_server(
    page: Page, page_log: PageLog, live_server, personas, school_year, lang
) -> None:  # type: ignore[no-untyped-def]
    sheet = school_year.sheet
    codes = open_sheet(page, live_server, "teacher.a1", lang, sheet)
    weights = page.locator("th[data-column]").evaluate_all(
        "ths => ths.map(t => [t.dataset.column, t.dataset.weight])"
    )
    assert weights == [[c, "1"] for c in COLUMNS]
    for code, (values, expected) in zip(codes, TYPED, strict=False):
        row = page.locator(f'tr[data-code="{code}"] [data-average]')
        for column, value in values.items():
            cell(page, code, column).fill(value)
        expect(row).to_have_attribute("data-value", expected)
    typed = averages(page)
    assert typed[-1] == ["", "—"]  # the last pupil has no mark yet
    separator = page.locator("form[data-marks-form]").get_attribute("data-decimal-separator")
    assert typed[0] == ["9.92", f"9{separator}92"]

    cell(page, codes[3], "test_2").fill("")  # the refused value goes; the save goes through
    expect(page.locator(f'tr[data-code="{codes[3]}"] [data-average]')).to_have_attribute(
        "data-value", "20.00"
    )
    page.locator("button[data-save]").click()
    expect(page.locator(".msg-success")).to_be_visible()
    # What the server computed from what it saved, rendered by the template: the same.
    assert averages(page) == typed
    assert page_log.page_errors == []


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_rows_stay_one_line_high_and_the_history_opens_from_the_keyboard(
    page: Page, page_log: PageLog, live_server, personas, school_year, lang
) -> None:  # type: ignore[no-untyped-def]
    from pilotage.schooling.services.marks import Cell, marks_save_sheet

    sheet = school_year.sheet
    pupils = {p.code_massar: p for p in school_year.pupils_a1}
    first = sorted(pupils.values(), key=lambda p: (p.last_name, p.first_name))[0]
    marks_save_sheet(
        actor=personas.head_a,
        sheet=sheet,
        version=0,
        cells=[Cell(first.code_massar, c, "12") for c in COLUMNS]
        + [Cell(first.code_massar, "appreciation", "Très bon travail, continuez ainsi.")],
    )
    codes = open_sheet(page, live_server, "teacher.a1", lang, sheet)
    assert codes[0] == first.code_massar
    rows = page.locator("tbody tr[data-code]")
    heights = rows.evaluate_all("rows => rows.map(r => r.getBoundingClientRect().height)")
    assert len(heights) == 5 and max(heights) - min(heights) <= 2, heights
    assert page.locator("tbody tr[data-has-history]").count() == 1

    # From the last mark of the row, Tab reaches the row's history; Enter opens it.
    cell(page, codes[0], "test_3").focus()
    page.keyboard.press("Tab")
    summary = page.locator(f'tr[data-code="{codes[0]}"] details[data-history] summary')
    expect(summary).to_be_focused()
    panel = page.locator(f'tr[data-code="{codes[0]}"] .history-panel')
    expect(panel).to_be_hidden()
    page.keyboard.press("Enter")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text(personas.head_a.get_full_name())
    expect(panel.locator("li")).to_have_count(5)  # four marks and the appreciation
    # Open, it floats over the rows below: the table does not move.
    assert rows.evaluate_all("rows => rows.map(r => r.getBoundingClientRect().height)") == heights
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(summary).to_be_focused()

    # Tab again: the appreciation; Enter goes down to the next pupil's.
    page.keyboard.press("Tab")
    note = page.locator(f'input[name="a:{codes[0]}"]')
    expect(note).to_be_focused()
    expect(note).to_have_value("Très bon travail, continuez ainsi.")
    expect(note).to_have_attribute("dir", "auto")
    page.keyboard.press("Enter")
    expect(page.locator(f'input[name="a:{codes[1]}"]')).to_be_focused()
    page.keyboard.type("عمل جيد، واصل")
    expect(page.locator("[data-dirty-indicator]")).to_be_visible()
    page.keyboard.press("Control+s")
    expect(page.locator(".msg-success")).to_be_visible()
    from pilotage.schooling.models import Appreciation

    assert dict(Appreciation.objects.values_list("enrolment__pupil__code_massar", "text")) == {
        codes[0]: "Très bon travail, continuez ainsi.",
        codes[1]: "عمل جيد، واصل",
    }
    assert page_log.page_errors == [] and page_log.csp_violations() == []


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_grid_with_its_appreciations_fits_a_phone(
    page: Page, live_server, personas, school_year, lang
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 390, "height": 844})
    codes = open_sheet(page, live_server, "teacher.a1", lang, school_year.sheet)
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths  # the page does not pan sideways
    # The grid scrolls inside its own container, up to the appreciation at its end.
    note = page.locator(f'input[name="a:{codes[0]}"]')
    note.focus()
    expect(note).to_be_in_viewport()
    assert page.evaluate("() => document.documentElement.scrollWidth") == widths[0]
