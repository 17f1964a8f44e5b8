from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from pilotage.core.apischema import errors
from pilotage.core.pagination import Pages
from pilotage.core.permissions import can_view_audit
from pilotage.core.selectors import audit_entries, jobs_visible

router = Router(tags=["audit and jobs"])


class AuditOut(Schema):
    id: int
    at: dt.datetime
    actor: str | None
    action: str
    object_type: str
    object_id: str
    object_repr: str
    path: str
    changes: dict[str, Any]

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return obj.actor.username if obj.actor else None


class JobOut(Schema):
    id: uuid.UUID
    kind: str
    status: str
    total: int
    done: int
    percent: int
    message: str
    result: dict[str, Any]


@router.get("/audit", response={200: list[AuditOut], **errors(404)})
@paginate(Pages, page_size=100)
def list_audit(request: HttpRequest, object_type: str = "", object_id: str = "", actor: str = ""):
    """The audit log of the reader's scope, newest first."""
    if not can_view_audit(request.user):
        raise Http404
    return audit_entries(
        request.user, object_type=object_type, object_id=object_id, actor_username=actor
    )


@router.get("/jobs/{job_id}", response={200: JobOut, **errors(404)})
def get_job(request: HttpRequest, job_id: uuid.UUID):
    return get_object_or_404(jobs_visible(request.user), pk=job_id)
