"""The results page: only the survey's managers see it; it shows the weighted table of a
question (or of a question by another), the response rate and the weights, in French or
in Arabic. The figures are those of the worked example of ``test_analysis.py`` (Lohr
2022, ch. 8, weighting-class adjustments): rsk respondents weigh 20 / 3, cs ones 4."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from pilotage.surveys.tests.analysis_support import answers, draw, respondents, submit
from pilotage.surveys.tests.conftest import Surveys


@pytest.fixture
def worked(sv: Surveys) -> Surveys:
    draw(sv.manager_a, sv.survey_a, {"rsk": 20, "cs": 8}, 8, allocation="equal")
    rsk = [("rabat", 12), ("rabat", 3), ("sale", 4)]
    for i, (r, (province, employees)) in enumerate(
        zip(respondents(sv.survey_a, "rsk"), rsk, strict=False)
    ):
        submit(sv.survey_a, answers("rsk", province, employees), respondent=r, minutes=i)
    cs = [("casa", 30), ("settat", 2)]
    for i, (r, (province, employees)) in enumerate(
        zip(respondents(sv.survey_a, "cs"), cs, strict=False)
    ):
        submit(
            sv.survey_a,
            answers("cs", province, employees, ("funding",)),
            respondent=r,
            minutes=10 + i,
        )
    return sv


def _url(sv: Surveys) -> str:
    return reverse("surveys:analysis", args=[sv.survey_a.pk])


def test_manager_sees_the_weighted_frequencies(client: Client, worked: Surveys) -> None:
    client.force_login(worked.manager_a)
    response = client.get(_url(worked), {"q": "province"})
    assert response.status_code == 200
    page = response.content.decode()
    # Rabat: 2 × 20/3 of 28 = 47.6 %; Casablanca: 4 / 28 = 14.3 %.
    row = re.search(r'<tr data-choice="rabat".*?</tr>', page, re.S)
    assert row is not None
    assert "47,6" in row.group(0)
    assert "14,3" in re.search(r'<tr data-choice="casa".*?</tr>', page, re.S).group(0)  # type: ignore[union-attr]
    assert 'id="response-rate">62,5' in page  # 5 of 8 units drawn
    assert "non-réponse" in page
    # Five respondents: every share is flagged as a small sample.
    assert 'class="small-sample"' in page
    chart = json.loads(
        re.search(
            r'id="survey-analysis-data" type="application/json">(.*?)</script>', page, re.S
        ).group(1)  # type: ignore[union-attr]
    )
    assert chart["labels"][:2] == ["Rabat", "Salé"]
    assert chart["values"][0] == pytest.approx(100 * (40 / 3) / 28)
    assert "<script>" not in page  # the CSP forbids inline scripts


def test_crosstab_and_mean(client: Client, worked: Surveys) -> None:
    client.force_login(worked.manager_a)
    page = client.get(_url(worked), {"q": "needs", "by": "region"}).content.decode()
    assert 'id="crosstab"' in page
    # Among cs respondents (both chose funding) the row share of funding is 100 %.
    assert "100,0&nbsp;%" in page
    page = client.get(_url(worked), {"q": "employees", "by": "region"}).content.decode()
    assert 'id="means"' in page
    # cs mean: (30 + 2) / 2 = 16 (equal weights inside the domain).
    assert "16,00" in page


def test_htmx_gets_the_result_only(client: Client, worked: Surveys) -> None:
    client.force_login(worked.manager_a)
    response = client.get(_url(worked), {"q": "province"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert 'id="frequencies"' in page
    assert "<html" not in page


def test_poststratification_error_is_shown(client: Client, worked: Surveys) -> None:
    client.force_login(worked.manager_a)
    page = client.get(
        _url(worked), {"q": "province", "post": "region", "totals": "rsk = 30"}
    ).content.decode()
    assert 'id="analysis-error"' in page
    # Totals 30 and 10: Rabat weighs 2 × 30/3 = 20 of 40 → 50.0 % (Lohr 2022, ch. 4).
    page = client.get(
        _url(worked), {"q": "province", "post": "region", "totals": "rsk = 30\ncs = 10"}
    ).content.decode()
    assert 'id="analysis-error"' not in page
    assert "Post-stratification sur « Région »" in page
    row = re.search(r'<tr data-choice="rabat".*?</tr>', page, re.S)
    assert row is not None and "50,0" in row.group(0)


@pytest.mark.parametrize("who", ["manager_b", "enumerator_a"])
def test_others_get_404(client: Client, worked: Surveys, who: str) -> None:
    client.force_login(getattr(worked, who))
    for name in ("surveys:analysis", "surveys:export-xlsx", "surveys:export-csv", "surveys:report"):
        assert client.get(reverse(name, args=[worked.survey_a.pk])).status_code == 404


def test_query_count_is_pinned(
    client: Client, worked: Surveys, django_assert_num_queries: object
) -> None:
    client.force_login(worked.manager_a)
    client.get(_url(worked))  # warms the session
    for i in range(20):
        submit(worked.survey_a, answers("rsk", "sale", i), minutes=100 + i)
    # 1 session, 2 the user, 3 the survey with its unit and author (survey_get),
    # 4 the user's role assignments (the scope behind can_manage), 5 the current form
    # version, 6 the drawn units counted by stratum, 7 the submissions' answers with their
    # unit's weight and stratum — the same whatever the number of submissions.
    with django_assert_num_queries(7):  # type: ignore[operator]
        response = client.get(_url(worked), {"q": "province", "by": "region"})
    assert response.status_code == 200


def test_arabic_page(client: Client, worked: Surveys) -> None:
    client.force_login(worked.manager_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    page = client.get(_url(worked), {"q": "province"}).content.decode()
    assert 'dir="rtl"' in page
    assert "<bdi>الإقليم</bdi>" in page
    assert "<bdi>الرباط</bdi>" in page
    assert "انتظارات الجمعيات" in page
