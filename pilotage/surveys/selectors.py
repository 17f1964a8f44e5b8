"""Every read of the surveys that pages, API and exports share, scoped to the actor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from pilotage.surveys import permissions as perms
from pilotage.surveys.models import (
    FormVersion,
    Respondent,
    RespondentStatus,
    SampleDraw,
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


# --- sample and response rate ----------------------------------------------------------


@dataclass(frozen=True)
class StratumRate:
    stratum: str
    population: int
    drawn: int
    invited: int
    started: int
    submitted: int

    @property
    def rate(self) -> float | None:
        """Sent answers over units drawn (the response rate the weights are adjusted for)."""
        return self.submitted / self.drawn if self.drawn else None


def sample_current(survey: Survey) -> SampleDraw | None:
    return survey.draws.select_related("created_by").order_by("-created_at", "-pk").first()


def response_rates(survey: Survey) -> list[StratumRate]:
    """Per stratum of the current draw: N_h, drawn, invited, started, sent — one query."""
    rows = (
        Respondent.objects.filter(survey=survey, unit__isnull=False)
        .values("unit__stratum", "unit__stratum_population")
        .annotate(
            drawn=Count("pk"),
            invited=Count("pk", filter=Q(invited_at__isnull=False)),
            started=Count("pk", filter=Q(status=RespondentStatus.STARTED)),
            submitted=Count("pk", filter=Q(status=RespondentStatus.SUBMITTED)),
        )
        .order_by("unit__stratum")
    )
    return [
        StratumRate(
            r["unit__stratum"],
            r["unit__stratum_population"],
            r["drawn"],
            r["invited"],
            r["started"],
            r["submitted"],
        )
        for r in rows
    ]


def non_respondents(survey: Survey, *, stratum: str = "") -> QuerySet[Respondent]:
    """The respondents who have not sent their answers, to remind or to call."""
    rows = (
        Respondent.objects.filter(survey=survey)
        .exclude(status=RespondentStatus.SUBMITTED)
        .select_related("unit")
        .order_by("unit__stratum", "name", "pk")
    )
    return rows.filter(unit__stratum=stratum) if stratum else rows
