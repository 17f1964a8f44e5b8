"""A survey supervisor's journey through the pages, in French and in Arabic: a new survey,
its bilingual XLSForm loaded (and a broken workbook refused with the sheet and row of each
problem), a sample stratified by region drawn from the associations registry after its
preview, the invitations sent through a real SMTP server by the job worker, the response
rate by stratum, and the weighted table of one question with its confidence intervals."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from pilotage.contact.models import Association
from pilotage.core.tests.browser import open_as
from pilotage.surveys.models import FormVersion, Respondent, SampleDraw, Survey
from pilotage.surveys.services.collection import submission_save
from pilotage.surveys.tests.analysis_support import answers
from pilotage.surveys.tests.conftest import Surveys
from pilotage.surveys.tests.forms import associations_form, workbook

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

# 18 associations in Tanger-Tétouan-Al Hoceïma, 12 in Fès-Meknès; every third has no
# address, so fewer mails than sampled units leave.
SIZES = {"a": 18, "b": 12}
N = 12
SEED = 20261208
# Proportional allocation n_h = n · N_h / N (Cochran, W. G. (1977), *Sampling Techniques*,
# 3rd ed., ch. 5): 12 · 18/30 = 7.2 → 7 and 12 · 12/30 = 4.8 → 5.
QUOTAS = {"Tanger-Tétouan-Al Hoceïma": (18, 7), "Fès-Meknès": (12, 5)}
# Size for a proportion (Cochran 1977, ch. 4): with 95 % confidence, p = 0.5 and a margin
# e = 0.2, n₀ = z² p q / e² = 1.96² · 0.25 / 0.04 = 24.01; corrected for the population
# N = 30, n = n₀ / (1 + (n₀ − 1)/N) = 24.01 / 1.767 = 13.59 → 14; inflated for a 70 %
# response rate, 14 / 0.7 = 20. (The default margin 0.05 would ask for more units than
# the frame holds.)
MARGIN = "0.2"

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "new": "Nouvelle enquête",
        "country": "Maroc",
        "create": "Créer l'enquête",
        "upload": "Charger",
        "refused": "Le classeur est refusé",
        "source": "Registre des associations",
        "method": "Aléatoire stratifié",
        "allocation": "Proportionnelle",
        "preview": "Calculer et prévisualiser",
        "size": "Calcul de la taille",
        "draw": "Tirer l'échantillon",
        "current": "Tirage en cours",
        "open": "Ouvrir l'enquête",
        "invite": "Envoyer les invitations",
        "rates": "Taux de réponse",
        "results": "Résultats",
        "question": "Région",
        "rsk": "Rabat-Salé-Kénitra",
        "cs": "Casablanca-Settat",
    },
    "ar": {
        "new": "استطلاع جديد",
        "country": "المغرب",
        "create": "إنشاء الاستطلاع",
        "upload": "تحميل",
        "refused": "رُفض المصنَّف",
        "source": "سجل الجمعيات",
        "method": "عشوائي طبقي",
        "allocation": "تناسبي",
        "preview": "الحساب والعرض المسبق",
        "size": "حساب الحجم",
        "draw": "سحب العينة",
        "current": "السحب الحالي",
        "open": "فتح الاستطلاع",
        "invite": "إرسال الدعوات",
        "rates": "نسبة الاستجابة",
        "results": "النتائج",
        "question": "الجهة",
        "rsk": "الرباط سلا القنيطرة",
        "cs": "الدار البيضاء سطات",
    },
}


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def _registry(sv: Surveys) -> None:
    communes = {"a": sv.personas.commune_a, "b": sv.personas.commune_b}
    for key, size in SIZES.items():
        for i in range(size):
            Association.objects.create(
                name_fr=f"Association {key.upper()}{i + 1:02d}",
                registration_number=f"{key.upper()}-{i + 1:03d}",
                org_unit=sv.personas.fresh(communes[key]),
                email="" if i % 3 == 2 else f"asso-{key}{i + 1:02d}@asso.test",
                language="ar" if i % 2 else "fr",
            )


def _create_survey(page, live_server, lang: str, title: str) -> Survey:
    texts = TEXTS[lang]
    page.goto(f"{live_server.url}/surveys/new/")
    expect(page.locator("h1")).to_have_text(texts["new"])
    page.locator("#id_title_fr").fill(title)
    page.locator("#id_title_ar").fill("انتظارات الجمعيات")
    # The national manager manages one unit only, the country: it is chosen already.
    expect(page.locator("#id_org_unit option:checked")).to_have_text(texts["country"])
    page.locator("#survey-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/surveys/\d+/$"))
    survey = Survey.objects.get(title_fr=title)
    assert page.url.endswith(f"/surveys/{survey.pk}/")
    return survey


def _upload(page, tmp_path: Path, survey: Survey, lang: str) -> None:
    texts = TEXTS[lang]
    broken = tmp_path / "casse.xlsx"
    broken.write_bytes(
        workbook(
            [
                ["type", "name", "label"],
                ["select_one absente", "q1", "Question sans liste"],
            ],
            [["list_name", "name", "label"], ["yn", "yes", "Oui"]],
        )
    )
    form = page.locator("#form-upload")
    form.locator("input[type=file]").set_input_files(str(broken))
    form.locator("button[type=submit]").click()
    problems = page.locator("#form-problems")
    expect(problems).to_contain_text(texts["refused"])
    # pyxform stops at the first error: one problem, named by its sheet and row (the
    # header is row 1).
    item = problems.locator("li")
    expect(item).to_have_count(1)
    expect(item).to_have_attribute("data-sheet", "survey")
    expect(item).to_have_attribute("data-row", "2")
    expect(item).to_contain_text("survey")
    expect(item).to_contain_text("absente")
    assert not FormVersion.objects.filter(survey=survey).exists()
    expect(page.locator("#form-versions tbody tr")).to_have_count(1)

    good = tmp_path / "attentes.xlsx"
    good.write_bytes(associations_form())
    form = page.locator("#form-upload")
    form.locator("input[type=file]").set_input_files(str(good))
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**/surveys/{survey.pk}/")
    version = page.locator("#version-1")
    expect(version).to_contain_text("attentes_associations")
    expect(version).to_contain_text("2026120701")
    expect(version).to_contain_text("Français")
    expect(version).to_contain_text("العربية")
    expect(page.locator("#form-problems")).to_have_count(0)
    assert FormVersion.objects.filter(survey=survey).count() == 1


def _sample(page, survey: Survey, lang: str) -> SampleDraw:
    texts = TEXTS[lang]
    page.locator("#sample-link").click()
    page.wait_for_url(f"**/surveys/{survey.pk}/sample/")
    form = page.locator("#sample-form")
    form.locator("#id_source").select_option(label=texts["source"])
    form.locator("#id_method").select_option(label=texts["method"])
    form.locator("#id_by").fill("region")
    form.locator("#id_allocation").select_option(label=texts["allocation"])
    form.locator("#id_margin").fill(MARGIN)
    form.locator("#id_size").fill(str(N))
    form.locator("#id_seed").fill(str(SEED))
    form.get_by_role("button", name=texts["preview"]).click()
    preview = page.locator("#preview")
    expect(preview.locator("h3")).to_have_text(texts["size"])
    working = preview.locator("ul.working")
    expect(working).to_contain_text("n₀ = z² · p(1 − p) / e²")
    lines = working.locator("li").all_inner_texts()
    assert re.search(r"= 24[.,٫]01$", lines[0]), lines
    assert lines[1].endswith("= 14") and "N = 30" in lines[1], lines
    assert lines[2].endswith(": 20"), lines
    expect(working.locator("strong")).to_contain_text(str(N))
    expect(working.locator("strong")).to_contain_text("30")
    _strata(page.locator("#preview-strata"), QUOTAS)
    assert not SampleDraw.objects.filter(survey=survey).exists()

    page.locator("#draw-button").click()
    current = page.locator("#current-draw")
    expect(current.locator("h2")).to_have_text(texts["current"])
    expect(current).to_contain_text(str(SEED))
    _strata(page.locator("#draw-strata"), {k: (p, n, 0, 0) for k, (p, n) in QUOTAS.items()})
    draw = SampleDraw.objects.get(survey=survey)
    assert draw.seed == SEED and draw.size == N and draw.population == 30
    return draw


def _strata(table, expected: Mapping[str, tuple[int, ...]]) -> None:
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(len(expected))
    found = {}
    for i in range(rows.count()):
        cells = [c.strip() for c in rows.nth(i).locator("td").all_inner_texts()]
        found[cells[0]] = tuple(int(c) for c in cells[1:])
    assert found == expected


def _open_and_invite(page, live_server, survey: Survey, lang: str, mailbox, run_jobs) -> None:
    texts = TEXTS[lang]
    page.goto(f"{live_server.url}/surveys/{survey.pk}/")
    page.locator("#survey-status button").click()
    expect(page.locator("#survey-status button[value=closed]")).to_be_visible()
    survey.refresh_from_db()
    assert survey.status == "open"

    page.locator("#sample-link").click()
    page.locator("#invite-form").get_by_role("button", name=texts["invite"]).click()
    page.wait_for_url(re.compile(r"/jobs/[^/]+/$"))
    progress = page.locator(".job-progress")
    expect(progress).to_be_attached()
    assert not mailbox.messages
    run_jobs()
    expect(progress).to_have_attribute("data-status", "succeeded", timeout=15_000)
    drawn = Respondent.objects.filter(survey=survey, unit__isnull=False)
    addresses = {r.email for r in drawn if r.email}
    # Some sampled associations have no address: they get no mail.
    assert 0 < len(addresses) < N
    assert sorted(m["To"] for m in mailbox.messages) == sorted(addresses)
    assert drawn.filter(invited_at__isnull=False).count() == len(addresses)


# Answers per stratum: (region answered) for the first respondents of each stratum; the
# others do not answer.
ANSWERS = {
    "Tanger-Tétouan-Al Hoceïma": ["rsk", "rsk", "rsk", "cs", "cs"],
    "Fès-Meknès": ["rsk", "cs", "cs"],
}


def _answer(survey: Survey, lang: str) -> None:
    version = survey.current_form
    assert version is not None
    for stratum, regions in ANSWERS.items():
        drawn = Respondent.objects.filter(survey=survey, unit__stratum=stratum).order_by(
            "unit__order"
        )
        for respondent, region in zip(drawn, regions, strict=False):
            province = "rabat" if region == "rsk" else "casa"
            submission_save(
                survey=survey,
                version=version,
                instance_id=uuid.uuid4(),
                answers=answers(region=region, province=province),
                final=True,
                channel="link",
                respondent=respondent,
                lang=lang,
            )


def _rates(page, survey: Survey, lang: str) -> None:
    texts = TEXTS[lang]
    page.locator("#current-draw").get_by_role("link", name=texts["rates"]).click()
    page.wait_for_url(f"**/surveys/{survey.pk}/responses/")
    expect(page.locator("h1")).to_have_text(texts["rates"])
    overall = page.locator("#overall")
    expect(overall).to_have_attribute("data-submitted", "8")
    expect(overall).to_have_attribute("data-drawn", str(N))
    # 8 / 12 = 66.7 %, shown rounded.
    expect(overall.locator("strong")).to_have_text("67 %")
    rows = page.locator("#rates tbody tr")
    expect(rows).to_have_count(2)
    # 5 of 7 drawn in Tanger (71 %), 3 of 5 in Fès (60 %); everyone drawn with an
    # address was invited; none is left half-way ("started" counts drafts only).
    a = page.locator('#rates tr[data-stratum="Tanger-Tétouan-Al Hoceïma"] td')
    b = page.locator('#rates tr[data-stratum="Fès-Meknès"] td')
    invited_a = Respondent.objects.filter(
        survey=survey, unit__stratum="Tanger-Tétouan-Al Hoceïma", invited_at__isnull=False
    ).count()
    invited_b = Respondent.objects.filter(
        survey=survey, unit__stratum="Fès-Meknès", invited_at__isnull=False
    ).count()
    assert [t.strip() for t in a.all_inner_texts()] == [
        "Tanger-Tétouan-Al Hoceïma",
        "7",
        str(invited_a),
        "0",
        "5",
        "71 %",
    ]
    assert [t.strip() for t in b.all_inner_texts()] == [
        "Fès-Meknès",
        "5",
        str(invited_b),
        "0",
        "3",
        "60 %",
    ]
    expect(page.locator("#non-respondents tbody tr")).to_have_count(4)


def _number(text: str) -> float:
    return float(text.strip().replace("\u00a0", "").replace(",", ".").replace("٫", "."))


def _analysis(page, live_server, survey: Survey, lang: str) -> None:
    texts = TEXTS[lang]
    page.goto(f"{live_server.url}/surveys/{survey.pk}/")
    page.locator("#analysis-link").click()
    page.wait_for_url(f"**/surveys/{survey.pk}/analysis/")
    expect(page.locator("h1")).to_contain_text(texts["results"])
    question = page.locator("#analysis-q")
    expect(question.locator("option[value=region]")).to_have_text(texts["question"])
    question.select_option("region")
    table = page.locator("#frequencies")
    expect(table).to_be_visible()
    expect(page.locator("#analysis-table h2")).to_have_text(texts["question"])
    # Weights adjusted for non-response N_h / r_h: 18/5 = 3.6 in Tanger, 12/3 = 4 in Fès.
    # p̂(rsk) = (3 · 3.6 + 1 · 4) / (5 · 3.6 + 3 · 4) = 14.8 / 30 = 49.3 % (the stratified
    # estimator Σ N_h p_h / N, Cochran 1977, ch. 5; Lohr 2022, ch. 8 for the adjustment).
    # Its variance Σ W_h² (1 − f_h) p_h q_h / (r_h − 1) (Cochran 1977, ch. 5, proportions
    # in stratified sampling), W = 18/30, 12/30, f_h = r_h / N_h, p_h = 3/5 and 1/3:
    # 0.36 · (13/18) · 0.24 / 4 + 0.16 · (9/12) · (2/9) / 2 = 0.015600 + 0.013333
    # = 0.028933, se = 0.1701, ± 1.96 se = ± 33.3 points: [16.0, 82.7] and [17.3, 84.0].
    expected = {
        "rsk": (texts["rsk"], 49.3, 16.0, 82.7),
        "cs": (texts["cs"], 50.7, 17.3, 84.0),
    }
    for choice, (label, pct, low, high) in expected.items():
        row = table.locator(f'tr[data-choice="{choice}"]')
        cells = row.locator("td").all_inner_texts()
        assert cells[0].strip() == label
        assert _number(cells[1].replace("*", "")) == pct
        assert tuple(_number(x) for x in cells[2].split("–")) == (low, high), cells
        # 4 answers each (unweighted); 8 respondents in all: flagged as a small sample.
        assert cells[3].strip() == "4"
        expect(row).to_have_class("small-sample")
    chart = page.locator("[data-survey-chart]")
    expect(chart).to_have_count(1)
    expect(chart).to_have_attribute("aria-label", texts["question"])
    expect(chart.locator("canvas")).to_have_count(1)
    assert page.locator("#survey-analysis-data").count() == 1


def _journey(page, live_server, sv, tmp_path, mailbox, run_jobs, lang: str) -> None:
    _registry(sv)
    open_as(page, live_server, sv.manager.username, lang)
    survey = _create_survey(page, live_server, lang, f"Attentes des associations ({lang})")
    _upload(page, tmp_path, survey, lang)
    draw = _sample(page, survey, lang)
    assert draw.units.count() == N
    _open_and_invite(page, live_server, survey, lang, mailbox, run_jobs)
    _answer(survey, lang)
    page.goto(f"{live_server.url}/surveys/{survey.pk}/sample/")
    _rates(page, survey, lang)
    _analysis(page, live_server, survey, lang)


def test_supervisor_journey_in_french(
    page, live_server, sv, tmp_path, mailbox, run_jobs, page_log
) -> None:
    _journey(page, live_server, sv, tmp_path, mailbox, run_jobs, "fr")
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert not page_log.page_errors and not page_log.csp_violations()


def test_supervisor_journey_in_arabic(
    page, live_server, sv, tmp_path, mailbox, run_jobs, page_log
) -> None:
    _journey(page, live_server, sv, tmp_path, mailbox, run_jobs, "ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    assert not page_log.page_errors and not page_log.csp_violations()
