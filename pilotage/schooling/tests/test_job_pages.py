"""The report-card batch's job page: how many bulletins are ready, and the download."""

from __future__ import annotations

import pytest
from django.utils import translation

from pilotage.core.jobs import Progress
from pilotage.core.models import Job
from pilotage.schooling import tasks

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("bulletins", "classes", "line"),
    [
        (7, 2, "7 bulletins prêts, pour 2 classes"),
        (1, 1, "1 bulletin prêt"),
        (0, 1, "Aucun bulletin : ces classes n'ont pas d'élève inscrit."),
    ],
)
def test_the_batch_page_says_how_many_bulletins_are_ready(
    client, personas, monkeypatch, bulletins: int, classes: int, line: str
) -> None:  # type: ignore[no-untyped-def]
    built = {
        "file": "report-cards/x.pdf",
        "download": "/schooling/report-cards/x.pdf",
        "bulletins": bulletins,
        "classes": classes,
    }
    monkeypatch.setattr(tasks, "report_cards_build", lambda progress, **params: dict(built))
    with translation.override("fr"):
        result = tasks.report_cards_job(Progress(None), semester_id=1, language="fr")
    assert result["summary"]["lines"] == [line]
    job = Job.objects.create(
        kind="schooling.report_cards",
        created_by=personas.head_a,
        status=Job.Status.SUCCEEDED,
        result=result,
    )
    client.force_login(personas.head_a)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f"<li>{line}</li>".replace("'", "&#x27;") in page
    assert 'href="/schooling/report-cards/x.pdf"' in page
    # No raw figures beside the sentence, no file path.
    assert "<dl" not in page and "report-cards/x.pdf<" not in page
