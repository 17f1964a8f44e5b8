"""The monthly progress report: the narrative service, the PDF in French and English."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from pypdf import PdfReader

from pilotage.cooperation.models import MonthlyReport
from pilotage.cooperation.reports import Period, monthly_report_pdf
from pilotage.cooperation.services.common import Conflict
from pilotage.cooperation.services.reports import monthly_report_save
from pilotage.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_narrative_is_saved_with_a_version(coop):
    report = monthly_report_save(
        actor=coop.manager,
        programme=coop.imagine,
        year=2026,
        month=3,
        version=None,
        summary_en="Teachers were trained in Dakar.",
    )
    monthly_report_save(
        actor=coop.manager,
        programme=coop.imagine,
        year=2026,
        month=3,
        version=report.version,
        risks_en="Rainy season.",
    )
    with pytest.raises(Conflict):
        monthly_report_save(
            actor=coop.manager, programme=coop.imagine, year=2026, month=3, version=1, risks_en="x"
        )
    report.refresh_from_db()
    assert (report.version, report.risks_en) == (2, "Rainy season.")


def test_only_the_programme_team_writes_it(coop):
    before = AuditEntry.objects.count()
    for who in (coop.coordinator_sn, coop.manager_b, coop.finance, coop.partner_user):
        with pytest.raises(PermissionDenied):
            monthly_report_save(
                actor=who, programme=coop.imagine, year=2026, month=3, version=None, summary_fr="x"
            )
    assert not MonthlyReport.objects.exists()
    assert AuditEntry.objects.count() == before


def test_the_pdf_in_english_carries_the_narrative_and_the_projects(coop):
    monthly_report_save(
        actor=coop.manager,
        programme=coop.imagine,
        year=2026,
        month=3,
        version=None,
        summary_en="Teachers were trained in Dakar.",
        next_steps_en="Print the readers.",
    )
    text = _text(monthly_report_pdf(coop.manager, coop.imagine, Period(2026, 3), "en"))
    assert "Teachers were trained in Dakar." in text
    assert "Print the readers." in text
    assert "Senegal" in text or "Sénégal" in text


def test_the_pages_give_the_pdf_to_those_who_see_the_programme(client, coop):
    url = reverse("cooperation:report-pdf", args=[coop.imagine.pk, 2026, 3, "fr"])
    client.force_login(coop.coordinator_sn)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    client.force_login(coop.manager_b)
    assert client.get(url).status_code == 404
    assert client.get(reverse("cooperation:reports", args=[coop.imagine.pk])).status_code == 404
    client.force_login(coop.manager)
    bad = reverse("cooperation:report-pdf", args=[coop.imagine.pk, 2026, 13, "fr"])
    assert client.get(bad).status_code == 404
    assert client.get(url.replace("fr.pdf", "de.pdf")).status_code == 404


def test_the_pdf_gathers_every_part_of_the_month(coop):
    """Activities, results, finance and trainings each have their section, read as the
    person who asked."""
    text = _text(monthly_report_pdf(coop.manager, coop.imagine, Period(2026, 3), "fr"))
    for title in (
        "Activités du plan de travail",
        "Résultats par rapport aux cibles",
        "Personnes formées",
    ):
        assert title in text
    assert "Finances (EUR)" in text
