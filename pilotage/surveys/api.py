"""Surveys in the API: ``/api/v1/surveys/…``. Staff who enter answers on a respondent's
behalf (a phone interview, a paper form typed in) send them as JSON, checked by the same
service as the answer page; those who manage a survey read a submission back. Public
respondents use their link's page, not the API.

A submission is keyed by the instance id its sender generated, so sending it again (a
retry after a lost answer) stores nothing more and says ``replayed``."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import translation
from ninja import Path, Router, Schema, Status

from pilotage.core.apischema import ROW_ID, errors
from pilotage.surveys import permissions as perms
from pilotage.surveys.models import Channel, Submission
from pilotage.surveys.rendering import reader_language
from pilotage.surveys.selectors import survey_get
from pilotage.surveys.services.collection import LinkRefused, SubmissionRefused, submission_save

router = Router(tags=["surveys"])


class SubmissionIn(Schema):
    instance_id: str
    # Keyed by question name; a select_multiple as a list or its names separated by
    # spaces; a repeat as a list of such objects.
    answers: dict[str, Any]
    # False: saved for later (required answers not yet due, wrong answers left out).
    final: bool = True
    respondent: int | None = None


class SubmissionOut(Schema):
    id: int
    instance_id: uuid.UUID
    status: str
    channel: str
    form_version: int
    respondent: int | None
    entered_by: str | None
    data: dict[str, Any]
    started_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: dt.datetime | None
    replayed: bool = False
    # What a save for later left out.
    problems: list[AnswerProblemOut] = []


class AnswerProblemOut(Schema):
    field: str
    label: str
    value: str
    reason: str


class ProblemsOut(Schema):
    detail: str
    problems: list[AnswerProblemOut]


SubmissionOut.model_rebuild()


def _out(
    submission: Submission, *, replayed: bool = False, problems: list[Any] | None = None
) -> dict[str, Any]:
    return {
        "id": submission.pk,
        "instance_id": submission.instance_id,
        "status": submission.status,
        "channel": submission.channel,
        "form_version": submission.form_version.number,
        "respondent": submission.respondent_id,
        "entered_by": submission.entered_by.username if submission.entered_by else None,
        "data": submission.data,
        "started_at": submission.started_at,
        "updated_at": submission.updated_at,
        "submitted_at": submission.submitted_at,
        "replayed": replayed,
        "problems": [p.as_dict() for p in problems or []],
    }


@router.post(
    "/{survey_id}/submissions",
    response={
        200: SubmissionOut,
        201: SubmissionOut,
        400: ProblemsOut,
        **errors(404, 409, 410),
    },
)
def submission_create(
    request: HttpRequest, payload: SubmissionIn, survey_id: int = Path(..., **ROW_ID)
) -> Any:
    """Answers entered by staff for the survey's current form: 201 when stored, 200 when
    the instance was already there (``replayed`` once it was sent), 400 with every
    problem (nothing stored) when an answer is wrong, 410 once the survey is closed."""
    survey = survey_get(request.user, survey_id)
    if not perms.can_enter(request.user, survey):
        raise Http404
    version = survey.current_form
    if version is None:
        return Status(409, {"detail": "the survey has no form yet"})
    respondent = None
    if payload.respondent is not None:
        respondent = survey.respondents.filter(pk=payload.respondent).first()
        if respondent is None:
            raise Http404
    instance = _uuid_or_none(payload.instance_id)
    existed = instance is not None and survey.submissions.filter(instance_id=instance).exists()
    lang = reader_language(
        version.languages, version.default_language, translation.get_language() or "fr"
    )
    try:
        saved = submission_save(
            survey=survey,
            version=version,
            instance_id=payload.instance_id,
            answers=payload.answers,
            final=payload.final,
            channel=Channel.STAFF,
            respondent=respondent,
            entered_by=request.user,
            lang=lang,
        )
    except LinkRefused as exc:
        return Status(exc.status if exc.status in (404, 410) else 410, {"detail": exc.reason})
    except SubmissionRefused as exc:
        return Status(
            400,
            {
                "detail": "; ".join(str(p) for p in exc.problems)[:2000],
                "problems": [p.as_dict() for p in exc.problems],
            },
        )
    except PermissionDenied:
        return Status(409, {"detail": "this instance id belongs to another submission"})
    created = not existed and not saved.replayed
    return Status(
        201 if created else 200,
        _out(saved.submission, replayed=saved.replayed, problems=saved.problems),
    )


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@router.get(
    "/{survey_id}/submissions/{instance_id}",
    response={200: SubmissionOut, **errors(404)},
)
def submission_read(
    request: HttpRequest, instance_id: uuid.UUID, survey_id: int = Path(..., **ROW_ID)
) -> Any:
    """One submission, for those who manage the survey (an enumerator does not read back
    what others entered)."""
    survey = survey_get(request.user, survey_id)
    if not perms.can_manage(request.user, survey):
        raise Http404
    found = (
        survey.submissions.select_related("form_version", "entered_by")
        .filter(instance_id=instance_id)
        .first()
    )
    if found is None:
        raise Http404
    return _out(found)
