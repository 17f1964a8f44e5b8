from __future__ import annotations

import subprocess
import sys

import pytest
from django.utils import translation

from pilotage.core.jobs import Progress, job_execute, job_start
from pilotage.core.models import AuditEntry, Job


def test_every_job_kind_is_known_to_a_fresh_worker_process() -> None:
    """A kind is found in its app's tasks.py, whichever module the process started from;
    one defined only where a view or a test imports it would fail in the worker with
    "Unknown job kind"."""
    code = (
        "import django; django.setup(); from pilotage.core.jobs import job_kinds; "
        "print(' '.join(sorted(job_kinds())))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert set(out.stdout.split()) >= {
        "orgunits.import",
        "schooling.import_students",
        "schooling.import_teachers",
        "schooling.import_marks",
        "schooling.report_cards",
    }


@pytest.mark.django_db
def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown job kind"):
        job_start(actor=None, kind="nope", params={})
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_progress_is_written_at_most_every_interval() -> None:
    job = Job.objects.create(kind="orgunits.import")
    progress = Progress(job, interval=3600)
    progress.total(10)
    for _ in range(9):
        progress.advance()
    job.refresh_from_db()
    assert (job.total, job.done) == (10, 0)  # only the total was flushed
    progress = Progress(job, interval=0)
    progress.advance(4, "ligne 4")
    job.refresh_from_db()
    assert (job.done, job.message) == (4, "ligne 4")


@pytest.mark.django_db
def test_a_job_speaks_its_requesters_language_not_the_workers(personas) -> None:  # type: ignore[no-untyped-def]
    """A rejected import started from an Arabic page lists its problems in Arabic, though
    the worker runs in another language."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = default_storage.save(
        "imports/units.csv",
        ContentFile(b"code;parent_code;level;name_fr\nMA-X;MA;planete;Nulle part\n"),
    )
    params = {"upload": name, "filename": "units.csv", "actor_id": None}
    with translation.override("ar"):
        job = job_start(actor=personas.national_admin, kind="orgunits.import", params=params)
    assert job.language == "ar"
    with translation.override("en"):
        job_execute(job)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    [problem] = [p for p in job.result["problems"] if p["column"] == "level"]
    assert problem["reason"].startswith("مستوى غير معروف")


@pytest.mark.django_db
def test_job_kinds_and_audit_actions_have_translated_labels() -> None:
    job = Job(kind="schooling.report_cards")
    entry = AuditEntry(action="attendance")
    with translation.override("fr"):
        assert (job.kind_label, entry.action_label) == ("Édition de bulletins", "Appel")
    with translation.override("en"):
        assert (job.kind_label, entry.action_label) == ("Report card batch", "Attendance")
    with translation.override("ar"):
        assert (job.kind_label, entry.action_label) == ("إصدار بيانات النقط", "الحضور والغياب")
    # A code nobody named is shown as it is rather than hidden.
    assert Job(kind="x.unknown").kind_label == "x.unknown"
    assert AuditEntry(action="forged").action_label == "forged"


def test_job_results_are_listed_by_label_without_internal_keys() -> None:
    job = Job(
        result={
            "file": "report-cards/x.pdf",
            "download": "/schooling/report-cards/x.pdf",
            "pupils_created": 3,
            "rows": 5,
            "odd_key": 1,
        }
    )
    with translation.override("fr"):
        assert job.result_items == [("Lignes lues", 5), ("Élèves créés", 3), ("odd_key", 1)]
    with translation.override("en"):
        assert job.result_items[:2] == [("Rows read", 5), ("Pupils created", 3)]
    with translation.override("ar"):
        assert job.result_items[0] == ("الأسطر المقروءة", 5)
    assert Job(result=None).result_items == []


@pytest.mark.django_db
def test_job_page_and_audit_page_show_the_labels(client, personas) -> None:  # type: ignore[no-untyped-def]
    from pilotage.core.audit import audit_record

    job = Job.objects.create(kind="schooling.import_marks", created_by=personas.national_admin)
    audit_record(actor=personas.national_admin, action="decide", obj=job)
    client.force_login(personas.national_admin)
    assert "Import de notes" in client.get(f"/jobs/{job.pk}/").content.decode()
    page = client.get("/audit/").content.decode()
    assert "Décision du conseil" in page and "<td>decide</td>" not in page


# --- The job page reads as a person would ------------------------------------------------------


def _progress(client, job: Job) -> str:  # type: ignore[no-untyped-def]
    return client.get(f"/jobs/{job.pk}/progress/").content.decode()


@pytest.mark.django_db
def test_a_waiting_or_running_job_shows_its_progress_and_keeps_polling(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.national_admin)
    job = Job.objects.create(kind="orgunits.import", created_by=personas.national_admin)
    page = _progress(client, job)
    assert "En attente : la tâche va démarrer." in page and 'hx-trigger="every 1s"' in page
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, total=200, done=50, message="ligne 51"
    )
    page = _progress(client, job)
    assert "En cours… " in page and "50 sur 200 (25 %)" in page
    assert '<progress max="100" value="25">' in page and "ligne 51" in page
    assert 'hx-trigger="every 1s"' in page


@pytest.mark.django_db
def test_a_finished_job_shows_its_summary_once_and_stops_polling(client, personas) -> None:  # type: ignore[no-untyped-def]
    """The domain writes the sentences and names the links; the kernel lays them out and
    lists no raw figure beside them."""
    from pilotage.core.jobs import job_summary

    summary = job_summary(
        ["312 élèves importés", "", "4 classes créées", "312 élèves importés"],
        [("Classe 5AP-1", "/schooling/classes/1/"), ("Classe 5AP-2", "/schooling/classes/2/")],
        more_links=3,
    )
    assert summary["lines"] == ["312 élèves importés", "4 classes créées"]
    job = Job.objects.create(
        kind="schooling.import_students",
        created_by=personas.national_admin,
        status=Job.Status.SUCCEEDED,
        result={"rows": 312, "created": 312, "pupils_created": 312, "summary": summary},
    )
    client.force_login(personas.national_admin)
    page = _progress(client, job)
    assert "every 1s" not in page
    assert "<li>312 élèves importés</li>" in page and page.count("312") == 1
    assert '<a href="/schooling/classes/2/"><bdi dir="auto">Classe 5AP-2</bdi></a>' in page
    assert "… et 3 autres." in page
    assert "Élèves créés" not in page and "Lignes lues" not in page
    # Without a summary, the figures by their labels (other domains' jobs).
    Job.objects.filter(pk=job.pk).update(result={"rows": 5, "pupils_created": 3})
    page = _progress(client, job)
    assert "<dt>Lignes lues</dt><dd>5</dd>" in page


@pytest.mark.django_db
def test_a_failed_or_dry_run_job_says_so_in_words(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.national_admin)
    failed = Job.objects.create(
        kind="orgunits.import",
        created_by=personas.national_admin,
        status=Job.Status.FAILED,
        message="disque plein",
        params={"page": "/orgunits/import/"},
    )
    page = _progress(client, failed)
    assert "La tâche a échoué" in page and "disque plein" in page
    assert 'href="/orgunits/import/" id="job-retry"' in page
    assert "0 %" not in page and "every 1s" not in page
    dry = Job.objects.create(
        kind="orgunits.import",
        created_by=personas.national_admin,
        status=Job.Status.SUCCEEDED,
        result={"rows": 3, "dry_run": True},
    )
    page = _progress(client, dry)
    assert "Fichier valable" in page and "3 lignes vérifiées" in page
    # A link back is only ever a path of this site.
    Job.objects.filter(pk=failed.pk).update(params={"page": "//evil.example/"})
    assert "evil.example" not in _progress(client, failed)


@pytest.mark.django_db
def test_the_problems_download_is_the_requesters_only(client, personas) -> None:  # type: ignore[no-untyped-def]
    job = Job.objects.create(
        kind="orgunits.import",
        created_by=personas.national_admin,
        status=Job.Status.FAILED,
        message="rejected",
        result={
            "rejected": True,
            "count": 1,
            "problems": [{"row": 2, "column": "code", "value": "=1+1", "reason": "mauvais"}],
        },
    )
    client.force_login(personas.head_a)
    assert client.get(f"/jobs/{job.pk}/problems.csv").status_code == 404
    client.force_login(personas.national_admin)
    lines = client.get(f"/jobs/{job.pk}/problems.csv").content.decode("utf-8-sig").splitlines()
    # A value from the file is not read as a formula by the spreadsheet.
    assert lines == ["Ligne;Colonne;Valeur;Motif", "2;code;'=1+1;mauvais"]
    succeeded = Job.objects.create(
        kind="orgunits.import", created_by=personas.national_admin, status="succeeded"
    )
    assert client.get(f"/jobs/{succeeded.pk}/problems.csv").status_code == 404
