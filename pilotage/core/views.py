from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from pilotage.core.home import home_cards_for
from pilotage.core.permissions import can_view_audit
from pilotage.core.selectors import audit_entries, audit_object_types, jobs_visible


def home(request: HttpRequest) -> HttpResponse:
    """A greeting, then the cards the installed apps offer this reader (core/home.py)."""
    return render(request, "core/home.html", {"cards": home_cards_for(request.user)})


def audit_list(request: HttpRequest) -> HttpResponse:
    if not can_view_audit(request.user):
        raise Http404
    object_type = request.GET.get("object_type", "")
    object_id = request.GET.get("object_id", "").strip()
    actor_name = request.GET.get("actor", "").strip()
    actor_id = None
    if actor_name:
        actor_id = (
            get_user_model()
            .objects.filter(username=actor_name)
            .values_list("pk", flat=True)
            .first()
            or -1
        )
    entries = audit_entries(
        request.user, object_type=object_type, object_id=object_id, actor_id=actor_id
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_list.html",
        {
            "page_obj": page,
            "object_types": audit_object_types(),
            "filters": {"object_type": object_type, "object_id": object_id, "actor": actor_name},
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
