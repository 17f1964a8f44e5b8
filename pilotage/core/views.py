from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from pilotage.accounts.models import Role
from pilotage.accounts.scope import scope_of
from pilotage.core.audit import audit_rows
from pilotage.core.permissions import can_view_audit
from pilotage.core.selectors import audit_entries, audit_object_types, jobs_visible
from pilotage.orgunits.models import OrgUnit
from pilotage.orgunits.selectors import academic_year_current, orgunit_tops, orgunits_visible

# Home page sections by role, most senior first; a person with several roles sees each.
HOME_SECTIONS = [
    Role.NATIONAL_ADMIN,
    Role.REGIONAL_OFFICER,
    Role.PROVINCIAL_OFFICER,
    Role.SCHOOL_HEAD,
    Role.TEACHER,
    Role.PARENT,
    Role.CONTACT_SUPERVISOR,
    Role.CONTACT_AGENT,
    Role.PROGRAMME_MANAGER,
    Role.EXTERNAL_PARTNER,
]


def home(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    units = {
        u.pk: u
        for u in OrgUnit.objects.filter(
            pk__in=[g.org_unit_id for g in scope.grants]
        ).select_related("level")
    }
    grants = [
        {"role": Role(g.role).label, "code": g.role, "unit": units.get(g.org_unit_id)}
        for g in sorted(scope.grants, key=lambda g: HOME_SECTIONS.index(Role(g.role)))
    ]
    return render(
        request,
        "core/home.html",
        {
            "grants": grants,
            "roles": scope.roles,
            "tops": orgunit_tops(request.user)[:12],
            "year": academic_year_current(),
        },
    )


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
    within = None
    if filters["unit"]:
        # A unit the reader cannot see narrows the log to nothing.
        within = (
            orgunits_visible(request.user)
            .filter(code=filters["unit"])
            .values_list("path", flat=True)
            .first()
        ) or "\x00"
    entries = audit_entries(
        request.user,
        object_type=filters["object_type"],
        object_id=filters["object_id"],
        actor_username=filters["actor"],
        within=within,
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
