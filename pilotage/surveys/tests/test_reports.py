"""The PDF summary (``reports.py``), in French and in Arabic. The text is read back with
poppler's pdftotext, which returns Arabic in logical order, so finding a word proves it was
shaped and ordered, not drawn as isolated letters. The figures are the worked example of
``test_analysis.py`` (Lohr 2022, ch. 8, weighting-class adjustments)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from django.test import Client
from django.urls import reverse

from pilotage.core import pdf as core_pdf
from pilotage.core.tests.support import require
from pilotage.surveys.reports import ReportError, summary_document, summary_pdf
from pilotage.surveys.tests.analysis_support import answers, draw, respondents, submit
from pilotage.surveys.tests.conftest import Surveys

BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")


@pytest.fixture
def worked(sv: Surveys) -> Surveys:
    draw(sv.manager_a, sv.survey_a, {"rsk": 20, "cs": 8}, 8, allocation="equal")
    for i, (r, province) in enumerate(
        zip(respondents(sv.survey_a, "rsk"), ["rabat", "rabat", "sale"], strict=False)
    ):
        submit(sv.survey_a, answers("rsk", province), respondent=r, minutes=i)
    for i, (r, province) in enumerate(
        zip(respondents(sv.survey_a, "cs"), ["casa", "settat"], strict=False)
    ):
        submit(sv.survey_a, answers("cs", province), respondent=r, minutes=10 + i)
    return sv


def pdf_text(pdf: bytes, *, raw: bool = False) -> str:
    found = shutil.which("pdftotext")
    require(found is not None, "pdftotext is not installed (Debian's poppler-utils)")
    mode = ["-raw"] if raw else []
    out = subprocess.run(
        [str(found), *mode, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return " ".join(BIDI_CONTROLS.sub("", out.stdout.decode()).split())


@pytest.fixture
def fonts() -> None:
    missing = core_pdf.fonts_missing_message()
    require(missing is None, str(missing))


def test_document_figures(worked: Surveys) -> None:
    document = summary_document(worked.survey_a, "fr")
    design = dict(map(tuple, document["design"]))
    assert design["Plan de sondage"] == "Sondage aléatoire stratifié"
    assert design["Taux de réponse"] == "62,5 % (5 / 8)"
    province = next(s for s in document["sections"] if s["title"] == "Province")
    # Rabat 2 × 20/3 of 28 = 47.6 %, flagged: only five respondents.
    assert province["rows"][0][:2] == ["Rabat", "47,6 *"]
    assert province["rows"][0][3] == "2"
    assert [s["title"] for s in document["sections"]] == ["Région", "Province"]
    with pytest.raises(ReportError):
        summary_document(worked.survey_a, "en")


@pytest.mark.usefixtures("fonts")
def test_french_pdf(worked: Surveys) -> None:
    pdf = summary_pdf(worked.survey_a, "fr")
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, raw=True)
    assert "Attentes des associations" in text
    assert "Synthèse des résultats pondérés" in text
    assert "Rabat 47,6 *" in text
    assert "62,5 % (5 / 8)" in text


@pytest.mark.usefixtures("fonts")
def test_arabic_pdf_in_logical_order(worked: Surveys) -> None:
    pdf = summary_pdf(worked.survey_a, "ar")
    text = pdf_text(pdf)
    assert "انتظارات الجمعيات" in text  # the survey's Arabic title
    assert "الإقليم" in text  # the question
    assert "الدار البيضاء" in text  # a choice
    assert not PRESENTATION_FORMS.search(text)


@pytest.mark.usefixtures("fonts")
def test_download(client: Client, worked: Surveys) -> None:
    client.force_login(worked.manager_a)
    url = reverse("surveys:report", args=[worked.survey_a.pk])
    response = client.get(url, {"lang": "ar"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert client.get(url, {"lang": "en"}).status_code == 404
