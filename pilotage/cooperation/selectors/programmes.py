"""Reading programmes and projects, already scoped to the reader (``permissions.py``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from pilotage.cooperation.models import Programme, ProgrammeCountry, Project
from pilotage.cooperation.permissions import programmes_q, projects_q


def programmes_visible(actor: Any) -> QuerySet[Programme]:
    return Programme.objects.filter(programmes_q(actor)).distinct()


def projects_visible(actor: Any) -> QuerySet[Project]:
    return Project.objects.filter(projects_q(actor)).distinct()


def programmes_list(actor: Any) -> QuerySet[Programme]:
    """The programmes page: each with its countries (one prefetch query) and the number of
    projects the reader sees (one annotation). Three queries in all, whatever the count."""
    visible = projects_visible(actor).values("pk")
    return (
        programmes_visible(actor)
        .select_related("lead_partner")
        .annotate(project_count=Count("projects", filter=Q(projects__in=visible), distinct=True))
        .prefetch_related(
            Prefetch(
                "countries",
                queryset=ProgrammeCountry.objects.select_related("country").order_by(
                    "country__code"
                ),
            )
        )
        .order_by("-start_date", "code")
    )


def programme_get(actor: Any, pk: int) -> Programme:
    """The programme, or a 404 for a reader who does not see it."""
    programme = programmes_visible(actor).select_related("lead_partner").filter(pk=pk).first()
    if programme is None:
        raise Http404
    return programme


def programme_projects(actor: Any, programme: Programme) -> QuerySet[Project]:
    """The programme's projects the reader sees (a coordinator: their country's)."""
    return (
        projects_visible(actor)
        .filter(programme=programme)
        .select_related("country")
        .order_by("country__code", "code")
    )


def project_get(actor: Any, pk: int) -> Project:
    project = projects_visible(actor).select_related("programme", "country").filter(pk=pk).first()
    if project is None:
        raise Http404
    return project
