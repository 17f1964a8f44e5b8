"""Respondents for the collection tests, made the way the sampling service makes them
(a random link key, a validity date), without drawing a sample."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from pilotage.surveys.models import Respondent, Survey
from pilotage.surveys.services.collection import respondent_token
from pilotage.surveys.services.forms import survey_status_set
from pilotage.surveys.services.sampling import link_key


def make_respondent(survey: Survey, *, days: int = 30, **fields: Any) -> Respondent:
    values: dict[str, Any] = {
        "name": "Association Al Amal",
        "email": "amal@example.org",
        "language": "fr",
        "link_key": link_key(),
        "expires_at": timezone.now() + dt.timedelta(days=days),
    }
    values.update(fields)
    return Respondent.objects.create(survey=survey, **values)


def respond_url(respondent: Respondent) -> str:
    return f"/surveys/r/{respondent_token(respondent)}/"


def open_survey(actor: Any, survey: Survey) -> Survey:
    return survey_status_set(actor=actor, survey=survey, status="open")
