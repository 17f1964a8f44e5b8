"""Background jobs with progress, run by the django-tasks worker or inline from a command.

A job kind is a plain function ``fn(progress, **params) -> dict`` registered with
:func:`job_kind` in its app's ``tasks.py``, which the kernel imports the first time it
needs to know the kinds (see :mod:`pilotage.core.plugins`); a ``tasks.py`` may also name
the figures its jobs return in ``RESULT_LABELS``. :func:`job_start` records a
:class:`Job` row and enqueues it after the transaction commits; the worker calls
:func:`job_execute`. A management command calls :func:`job_execute` directly with a
terminal reporter, so both paths run the same code.
"""

from __future__ import annotations

import functools
import logging
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any, NotRequired, Protocol, TypedDict

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from pilotage.core.models import Job
from pilotage.core.plugins import app_modules

logger = logging.getLogger(__name__)

JobFunction = Callable[..., dict[str, Any] | None]
_KINDS: dict[str, JobFunction] = {}
_LABELS: dict[str, str | Promise] = {}


def job_kind(name: str, label: str | Promise | None = None) -> Callable[[JobFunction], JobFunction]:
    """Register ``fn`` as the job kind ``name``; ``label`` is what pages call it."""

    def register(fn: JobFunction) -> JobFunction:
        _KINDS[name] = fn
        if label is not None:
            _LABELS[name] = label
        return fn

    return register


@functools.cache
def _discover() -> None:
    """Import every app's ``tasks.py`` once, so the worker, the pages and the commands all
    know every kind, whichever module they started from."""
    for module in app_modules("tasks"):
        _RESULT_LABELS.update(getattr(module, "RESULT_LABELS", {}))


def job_kinds() -> dict[str, JobFunction]:
    _discover()
    return dict(_KINDS)


def job_kind_label(name: str) -> str:
    """The translated name of a job kind; the code itself for a kind without one."""
    _discover()
    return str(_LABELS.get(name, name))


# What a job's result holds, as the job page lists it: the counts an import or a batch
# returns, by a translated label. Keys the page shows otherwise (the problems of a
# rejected file, the download link) or that mean nothing to a person (a file path)
# are left out; a key nobody has labelled is shown as it is.
_RESULT_LABELS: dict[str, str | Promise] = {
    "rows": _("Lignes lues"),
    "created": _("Créés"),
    "updated": _("Modifiés"),
    "unchanged": _("Inchangés"),
}
_RESULT_HIDDEN = {"rejected", "problems", "count", "download", "file", "dry_run", "summary"}


class SummaryLink(TypedDict):
    label: str
    url: str


class Summary(TypedDict):
    """What a finished job did, in words, as its page shows it: the domain writes the
    sentences (in the requester's language, as the job runs in it) and names the objects
    it touched; the kernel only lays them out. ``more_links`` counts the objects touched
    but not linked (a national file touches thousands of classes)."""

    lines: list[str]
    links: list[SummaryLink]
    more_links: NotRequired[int]


def job_summary(
    lines: Sequence[str | Promise],
    links: Sequence[tuple[str | Promise, str]] = (),
    more_links: int = 0,
) -> Summary:
    """A result's ``"summary"``: sentences (empty ones dropped, each kept once, in order)
    and ``(label, url)`` links."""
    kept: list[str] = []
    for line in lines:
        text = str(line)
        if text and text not in kept:
            kept.append(text)
    summary: Summary = {
        "lines": kept,
        "links": [{"label": str(label), "url": url} for label, url in links],
    }
    if more_links:
        summary["more_links"] = more_links
    return summary


def job_result_items(result: dict[str, Any]) -> list[tuple[str, Any]]:
    """The result's figures as (label, value), labelled ones first in their order."""
    _discover()
    shown = [(key, value) for key, value in result.items() if key not in _RESULT_HIDDEN]
    order = {key: n for n, key in enumerate(_RESULT_LABELS)}
    shown.sort(key=lambda item: order.get(item[0], len(order)))
    return [(str(_RESULT_LABELS.get(key, key)), value) for key, value in shown]


class Reporter(Protocol):
    def total(self, n: int) -> None: ...
    def advance(self, n: int = 1, message: str = "") -> None: ...


class Progress:
    """Counts work done and writes it to the job row at most every ``interval`` seconds,
    so a tight loop does not turn into a write per item."""

    def __init__(self, job: Job | None, *, echo: Reporter | None = None, interval: float = 0.5):
        """``job=None`` reports to the terminal only (a command run without a job row)."""
        self.job = job
        self.echo = echo
        self.count_total = job.total if job else 0
        self.count_done = job.done if job else 0
        self.message = job.message if job else ""
        self.interval = interval
        self._last = 0.0

    def total(self, n: int) -> None:
        self.count_total = n
        self._flush(force=True)
        if self.echo:
            self.echo.total(n)

    def advance(self, n: int = 1, message: str = "") -> None:
        self.count_done += n
        if message:
            self.message = message[:300]
        self._flush()
        if self.echo:
            self.echo.advance(n, message)

    def _flush(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.job is None:
            return
        self.job.total, self.job.done, self.job.message = (
            self.count_total,
            self.count_done,
            self.message,
        )
        if force or now - self._last >= self.interval:
            self._last = now
            Job.objects.filter(pk=self.job.pk).update(
                total=self.job.total, done=self.job.done, message=self.job.message
            )


def job_start(*, actor: Any, kind: str, params: dict[str, Any]) -> Job:
    if kind not in job_kinds():
        raise ValueError(f"Unknown job kind: {kind}")
    # The job speaks the requester's language, not the worker's: see job_execute.
    language = translation.get_language() or settings.LANGUAGE_CODE
    job = Job.objects.create(kind=kind, params=params, created_by=actor, language=language)
    transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    return job


def job_execute(job: Job, *, echo: Reporter | None = None) -> Job:
    fn = job_kinds()[job.kind]
    job.status = Job.Status.RUNNING
    job.started_at = timezone.now()
    job.save(update_fields=["status", "started_at"])
    progress = Progress(job, echo=echo)
    try:
        # Messages the job stores (progress, problems of a rejected file, errors) are read
        # later by the requester: they are written in the language of the request.
        with translation.override(job.language or settings.LANGUAGE_CODE):
            result = fn(progress, **job.params) or {}
    except Exception as exc:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        job.status = Job.Status.FAILED
        job.message = str(exc)[:300] or exc.__class__.__name__
        # Cut like the message: an exception may quote a whole cell of a file.
        job.result = {"error": traceback.format_exception_only(exc)[-1].strip()[:1000]}
    else:
        job.result = result
        if result.get("rejected"):
            job.status = Job.Status.FAILED
            job.message = "rejected"
        else:
            job.status = Job.Status.SUCCEEDED
            job.done = max(job.done, job.total)
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "result", "done", "total", "finished_at"])
    return job


@task()
def run_job(job_id: str) -> str:
    job = Job.objects.get(pk=job_id)
    return job_execute(job).status


class TerminalReporter:
    """The same progress, drawn in the terminal with tqdm."""

    def __init__(self, description: str):
        from tqdm import tqdm

        self._bar = tqdm(desc=description, unit=" items", dynamic_ncols=True)

    def total(self, n: int) -> None:
        self._bar.reset(total=n)

    def advance(self, n: int = 1, message: str = "") -> None:
        if message:
            self._bar.set_postfix_str(message, refresh=False)
        self._bar.update(n)

    def close(self) -> None:
        self._bar.close()
