from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from pilotage.core.audit import audit_rows
from pilotage.core.home import home_cards_for
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


def job_detail(request: HttpRequest, pk: str) -> HttpResponse:
    job = get_object_or_404(jobs_visible(request.user), pk=pk)
    return render(request, "core/job_detail.html", {"job": job})


@require_GET
def job_progress(request: HttpRequest, pk: str) -> HttpResponse:
    job = get_object_or_404(jobs_visible(request.user), pk=pk)
    return render(request, "core/_job_progress.html", {"job": job})


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For the reverse proxy and monitoring: the app answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
