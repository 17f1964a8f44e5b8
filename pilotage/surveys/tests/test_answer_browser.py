"""A respondent's journey on a phone-sized page (360 × 740), in French and in Arabic: the
personal link opens the form, the region chosen narrows the provinces offered, the number
of employees shows or hides the needs question, the number of projects gives as many rows
to fill, a constraint shows the form's own message, a save for later comes back when the
link is opened again, and sending leads to the thanks page. Offline, the answers wait on
the phone and arrive once when the network is back."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from pilotage.surveys.models import Submission, SubmissionStatus
from pilotage.surveys.services.forms import survey_create, survey_form_load
from pilotage.surveys.tests.factories import make_respondent, open_survey, respond_url
from pilotage.surveys.tests.forms import workbook

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

TEXTS: dict[str, dict[str, Any]] = {
    "fr": {
        "region": "Rabat-Salé-Kénitra",
        "provinces": ["Rabat", "Salé"],
        "others": ["Casablanca", "Settat"],
        "employees": "Nombre de salariés",
        "constraint": "5 au plus",
        "title": "Soutien scolaire",
    },
    "ar": {
        "region": "الرباط سلا القنيطرة",
        "provinces": ["الرباط", "سلا"],
        "others": ["الدار البيضاء", "سطات"],
        "employees": "عدد الأجراء",
        "constraint": "5 على الأكثر",
        "title": "الدعم المدرسي",
    },
}


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def _choice(page, name: str, label: str):
    return page.locator(f'.q[data-name="{name}"] label.q-choice', has_text=label)


def _journey(page, live_server, sv, lang: str) -> None:
    texts = TEXTS[lang]
    page.set_viewport_size({"width": 360, "height": 740})
    open_survey(sv.manager_a, sv.survey_a)
    respondent = make_respondent(sv.survey_a, language=lang)
    url = f"{live_server.url}{respond_url(respondent)}"
    # The link opens in the language of the invitation.
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    article = page.locator("article.survey-answer")
    expect(article).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    expect(page.locator('.q[data-name="employees"] label')).to_contain_text(texts["employees"])
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # Sent empty: the page names the required answers and posts nothing.
    page.locator("button[value=submit]").click()
    expect(page.locator('.q[data-name="region"] .q-error')).to_be_visible()
    expect(page.locator('.q[data-name="comment"] .q-error')).to_be_hidden()
    assert not Submission.objects.exists()

    _choice(page, "region", texts["region"]).locator("input").check()
    for name in texts["provinces"]:
        expect(_choice(page, "province", name).first).to_be_visible()
    for name in texts["others"]:
        expect(_choice(page, "province", name)).to_be_hidden()
    _choice(page, "province", texts["provinces"][1]).locator("input").check()

    needs = page.locator('.q[data-name="needs"]')
    employees = page.locator('.q[data-name="employees"] input')
    employees.fill("0")
    expect(needs).to_be_hidden()
    employees.fill("3")
    expect(needs).to_be_visible()
    needs.locator("input").first.check()

    projects = page.locator('.q[data-name="projects_n"] input')
    projects.fill("7")
    projects.blur()
    expect(page.locator('.q[data-name="projects_n"] .q-error')).to_have_text(texts["constraint"])
    projects.fill("2")
    projects.blur()
    expect(page.locator('.q[data-name="projects_n"] .q-error')).to_be_hidden()
    rows = page.locator("#repeat-project .repeat-row")
    expect(rows).to_have_count(2)
    rows.nth(0).locator('[data-name="project_title"] input').fill(texts["title"])
    rows.nth(0).locator('[data-name="budget"] input').fill("1000")
    rows.nth(1).locator('[data-name="project_title"] input').fill(texts["title"] + " 2")
    rows.nth(1).locator('[data-name="budget"] input').fill("250.5")
    expect(page.locator('input.q-calc[data-name="total_budget"]')).to_have_value("1250.5")

    page.locator("button[value=save]").click()
    expect(page.locator("#saved-notice")).to_be_visible()
    draft = Submission.objects.get()
    assert draft.status == SubmissionStatus.DRAFT
    assert draft.data["province"] == "sale" and len(draft.data["project"]) == 2

    page.goto(url)
    expect(_choice(page, "province", texts["provinces"][1]).locator("input")).to_be_checked()
    expect(page.locator("#repeat-project .repeat-row")).to_have_count(2)
    expect(page.locator('[data-input="project.1.budget"] input')).to_have_value("250.5")

    page.locator("button[value=submit]").click()
    expect(page.locator("#thanks")).to_be_visible()
    # Sent now, not "already received".
    expect(page.locator("#already-received")).to_have_count(0)
    sent = Submission.objects.get()
    assert sent.status == SubmissionStatus.COMPLETE
    assert sent.data["total_budget"] == "1250.5" and sent.data["needs"] == "training"


def test_respondent_answers_on_a_phone_in_french(page, live_server, sv, page_log) -> None:
    _journey(page, live_server, sv, "fr")
    assert not page_log.page_errors and not page_log.csp_violations()


def test_respondent_answers_on_a_phone_in_arabic(page, live_server, sv, page_log) -> None:
    _journey(page, live_server, sv, "ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert not page_log.page_errors and not page_log.csp_violations()


def test_answers_sent_offline_arrive_once_back_online(page, live_server, sv, page_log) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    open_survey(sv.manager_a, sv.survey_a)
    respondent = make_respondent(sv.survey_a)
    page.goto(f"{live_server.url}{respond_url(respondent)}")
    _choice(page, "region", "Casablanca-Settat").locator("input").check()
    _choice(page, "province", "Settat").locator("input").check()
    page.locator('.q[data-name="employees"] input').fill("0")
    page.locator('.q[data-name="projects_n"] input').fill("0")
    page.context.set_offline(True)
    page.locator("button[value=submit]").click()
    expect(page.locator("#offline-notice")).to_be_visible()
    kept = page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('pilotage.survey.')).length"
    )
    assert kept == 1
    assert not Submission.objects.exists()
    page.context.set_offline(False)
    expect(page.locator("#thanks")).to_be_visible()
    sent = Submission.objects.get()
    assert sent.status == SubmissionStatus.COMPLETE and sent.data["province"] == "settat"
    # Nothing left to send: opening the page again sends nothing more.
    assert page.evaluate("Object.keys(localStorage).length") == 0
    page.goto(f"{live_server.url}{respond_url(respondent)}")
    expect(page.locator("#thanks")).to_be_visible()
    assert Submission.objects.count() == 1
    assert not page_log.page_errors


def test_answers_kept_after_a_failed_send_arrive_at_the_next_visit(
    page, live_server, sv, page_log
) -> None:
    open_survey(sv.manager_a, sv.survey_a)
    respondent = make_respondent(sv.survey_a)
    url = f"{live_server.url}{respond_url(respondent)}"
    page.goto(url)
    _choice(page, "region", "Casablanca-Settat").locator("input").check()
    _choice(page, "province", "Casablanca").locator("input").check()
    page.locator('.q[data-name="employees"] input').fill("2")
    # The network drops the sending (the browser still believes it is online).
    page.route(
        "**/surveys/r/**",
        lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
    )
    page.locator("button[value=submit]").click()
    expect(page.locator("#offline-notice")).to_be_visible()
    assert not Submission.objects.exists()
    page.unroute("**/surveys/r/**")
    page.goto(url)
    # The page sends what it kept as it opens, then shows the thanks page.
    expect(page.locator("#thanks")).to_be_visible()
    sent = Submission.objects.get()
    assert sent.status == SubmissionStatus.COMPLETE and sent.data["province"] == "casa"
    assert "needs" not in sent.data
    assert page.evaluate("Object.keys(localStorage).length") == 0


def test_rows_added_and_removed_each_read_on_its_own(page, live_server, sv, page_log) -> None:
    survey = survey_create(actor=sv.manager_a, org_unit=sv.personas.region_a, title_fr="Enfants")
    survey_form_load(
        actor=sv.manager_a,
        survey=survey,
        name="enfants.xlsx",
        data=workbook(
            [
                ["type", "name", "label", "relevant", "calculation"],
                ["begin_repeat", "child", "Enfant", "", ""],
                ["text", "cname", "Prénom", "", ""],
                ["integer", "age", "Âge", "", ""],
                ["select_one yn", "school", "Scolarisé ?", "${age} >= 6", ""],
                ["end_repeat", "", "", "", ""],
                ["calculate", "children", "", "", "count(${cname})"],
            ],
            [["list_name", "name", "label"], ["yn", "yes", "Oui"], ["yn", "no", "Non"]],
        ),
    )
    open_survey(sv.manager_a, survey)
    respondent = make_respondent(survey)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}{respond_url(respondent)}")
    rows = page.locator("#repeat-child .repeat-row")
    expect(rows).to_have_count(0)
    add = page.locator("#repeat-child .repeat-add")
    add.click()
    add.click()
    expect(rows).to_have_count(2)
    assert [rows.nth(i).get_attribute("data-index") for i in range(2)] == ["0", "1"]
    rows.nth(0).locator('[data-name="cname"] input').fill("Amine")
    rows.nth(0).locator('[data-name="age"] input').fill("4")
    rows.nth(1).locator('[data-name="cname"] input').fill("Salma")
    rows.nth(1).locator('[data-name="age"] input').fill("8")
    # ${age} inside the row is that row's age.
    expect(rows.nth(0).locator('[data-name="school"]')).to_be_hidden()
    expect(rows.nth(1).locator('[data-name="school"]')).to_be_visible()
    rows.nth(1).locator('[data-name="school"] input[value=yes]').check()
    rows.nth(0).locator(".repeat-remove").click()
    expect(rows).to_have_count(1)
    add.click()
    assert rows.nth(1).get_attribute("data-index") == "2"
    rows.nth(1).locator('[data-name="cname"] input').fill("Yassine")
    rows.nth(1).locator('[data-name="age"] input').fill("2")
    expect(page.locator('input.q-calc[data-name="children"]')).to_have_value("2")
    page.locator("button[value=save]").click()
    expect(page.locator("#saved-notice")).to_be_visible()
    data = Submission.objects.get(survey=survey).data
    assert data["child"] == [
        {"cname": "Salma", "age": "8", "school": "yes"},
        {"cname": "Yassine", "age": "2"},
    ]
    assert data["children"] == "2"
    assert not page_log.page_errors
