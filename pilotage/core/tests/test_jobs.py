from __future__ import annotations

import subprocess
import sys

import pytest

from pilotage.core.jobs import Progress, job_start
from pilotage.core.models import Job


def test_every_job_kind_is_known_to_a_fresh_worker_process() -> None:
    """The worker only knows the kinds whose modules were imported at start-up; a kind
    imported only by a view or a test would fail in production with "Unknown job kind"."""
    code = (
        "import django; django.setup(); from pilotage.core.jobs import _KINDS; "
        "print(' '.join(sorted(_KINDS)))"
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
