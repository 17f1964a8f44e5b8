"""Every read of the surveys that pages, API and exports share, scoped to the actor."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from pilotage.surveys import permissions as perms
from pilotage.surveys.models import (
    FormVersion,
    Respondent,
    Submission,
    SubmissionStatus,
    Survey,
)


def _count(model: Any, **filters: Any) -> Subquery:
    rows = model.objects.filter(survey=OuterRef("pk"), **filters).order_by()
    return Subquery(rows.values("survey").annotate(n=Count("pk")).values("n")[:1])


def surveys_list(actor: Any) -> QuerySet[Survey]:
    """The surveys the actor manages or enters answers for, with their counts: one query
    (counted by subqueries: joining versions, respondents and answers would multiply
    them)."""
    return (
        Survey.objects.filter(perms.surveys_q(actor))
        .select_related("org_unit")
        .annotate(
            versions_count=Coalesce(_count(FormVersion), 0),
            complete_count=Coalesce(_count(Submission, status=SubmissionStatus.COMPLETE), 0),
            respondents_count=Coalesce(_count(Respondent), 0),
        )
        .order_by("-created_at", "-pk")
    )


def survey_get(actor: Any, pk: int) -> Survey:
    """A survey the actor sees, or 404."""
    found = Survey.objects.select_related("org_unit", "created_by").filter(pk=pk).first()
    if found is None or not perms.can_see(actor, found):
        raise Http404
    return found


def form_versions(survey: Survey) -> QuerySet[FormVersion]:
    return (
        survey.form_versions.select_related("created_by")
        .annotate(submissions_count=Count("submissions"))
        .order_by("-number")
    )


def form_version_get(actor: Any, survey_pk: int, number: int) -> FormVersion:
    survey = survey_get(actor, survey_pk)
    found = survey.form_versions.filter(number=number).first()
    if found is None:
        raise Http404
    return found
