from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from pilotage.core.audit import audit_rows
from pilotage.core.home import home_cards_for
from pilotage.core.models import Job
from pilotage.core.permissions import can_view_audit
from pilotage.core.selectors import audit_entries, audit_object_types, jobs_visible


def home(request: HttpRequest) -> HttpResponse:
    """A greeting, then the cards the installed apps offer this reader (core/home.py)."""
    return render(request, "core/home.html", {"cards": home_cards_for(request.user)})


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def audit_list(request: HttpRequest) -> HttpResponse:
    if not can_view_audit(request.user):
        raise Http404
    get = request.GET
    filters = {
        key: get.get(key, "").strip()
        for key in ("object_type", "object_id", "actor", "unit", "since", "until")
    }
    entries = audit_entries(
        request.user,
        object_type=filters["object_type"],
        object_id=filters["object_id"],
        actor_username=filters["actor"],
        unit=filters["unit"],
        since=_date(filters["since"]),
        until=_date(filters["until"]),
    )
    page = Paginator(entries, 50).get_page(get.get("page"))
    query = get.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_list.html",
        {
            "page_obj": page,
            "rows": audit_rows(page.object_list),
            "object_types": audit_object_types(request.user),
            "filters": filters,
            "querystring_base": (query.urlencode() + "&") if query else "",
        },
    )


# The problems of a rejected file shown on its page; the rest are in the download.
PAGE_PROBLEMS = 50


def _job_context(job: Job) -> dict[str, Any]:
    result = job.result or {}
    problems = list(result.get("problems") or []) if result.get("rejected") else []
    count = int(result.get("count") or len(problems)) if result.get("rejected") else 0
    shown = problems[:PAGE_PROBLEMS]
    return {
        "job": job,
        "rejected": bool(result.get("rejected")),
        "problem_count": count,
        "problems": shown,
        "problems_hidden": count - len(shown),
        # The download holds what the job kept; past that, it says how many more.
        "problems_download": len(problems) > len(shown),
        "summary": result.get("summary") if job.status == Job.Status.SUCCEEDED else None,
        "import_page": _local_path((job.params or {}).get("page", "")),
    }


def _local_path(value: Any) -> str:
    text = value if isinstance(value, str) else ""
    return text if text.startswith("/") and not text.startswith("//") else ""


def job_detail(request: HttpRequest, pk: str) -> HttpResponse:
    job = get_object_or_404(jobs_visible(request.user), pk=pk)
    return render(request, "core/job_detail.html", _job_context(job))


@require_GET
def job_progress(request: HttpRequest, pk: str) -> HttpResponse:
    job = get_object_or_404(jobs_visible(request.user), pk=pk)
    return render(request, "core/_job_progress.html", _job_context(job))


def _inert(value: Any) -> str:
    """A value quoted from the user's file, kept from being read as a spreadsheet formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@require_GET
def job_problems(request: HttpRequest, pk: str) -> HttpResponse:
    """The problems of a rejected file as CSV, to work through in a spreadsheet."""
    job = get_object_or_404(jobs_visible(request.user), pk=pk)
    result = job.result or {}
    if not result.get("rejected"):
        raise Http404
    problems = result.get("problems") or []
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Ligne"), _("Colonne"), _("Valeur"), _("Motif")])
    for p in problems:
        writer.writerow(
            [p.get("row", ""), p.get("column", ""), _inert(p.get("value", "")), p.get("reason", "")]
        )
    more = int(result.get("count") or 0) - len(problems)
    if more > 0:
        writer.writerow(
            [
                "",
                "",
                "",
                ngettext(
                    "… et %(n)s autre problème, non listé.",
                    "… et %(n)s autres problèmes, non listés.",
                    more,
                )
                % {"n": more},
            ]
        )
    response = HttpResponse(
        codecs.BOM_UTF8 + text.getvalue().encode(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="problemes-{job.pk}.csv"'
    return response


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For the reverse proxy and monitoring: the app answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
