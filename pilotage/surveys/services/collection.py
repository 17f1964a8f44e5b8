"""Collecting answers: personal links, saving for later, sending, files.

A respondent's link is ``/s/<token>/``; the token is the respondent's id and the random
key on their row, signed with the site's secret key (``django.core.signing``): a token
changed by one character fails its signature, a link whose key was drawn again no longer
matches, and a link is refused after its date or once the survey is closed.

The page generates each submission's instance id (a UUID) and sends it with the answers,
so a submission sent twice — a phone that lost the network after sending, a queue replayed
when it came back — is stored once: the second time finds the first and changes nothing.
Saving for later keeps the answers that are valid and reports the others; sending refuses
the whole submission when any answer is wrong, and keeps the saved draft as it was.
"""

from __future__ import annotations

import datetime as dt
import hmac
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pilotage.core.audit import audit_record
from pilotage.core.uploads import JPEG, PNG, Kind, file_kind
from pilotage.surveys import permissions as perms
from pilotage.surveys.answers import AnswerProblem, answers_check
from pilotage.surveys.audit import SUBMIT
from pilotage.surveys.models import (
    Attachment,
    Channel,
    FormVersion,
    Respondent,
    RespondentStatus,
    Submission,
    SubmissionStatus,
    Survey,
    SurveyAccess,
    SurveyStatus,
)
from pilotage.surveys.rendering import form_logic

LINK_SALT = "pilotage.surveys.link"
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_KINDS = {
    "image": (PNG, JPEG),
    "photo": (PNG, JPEG),
    "file": ("pdf", PNG, JPEG, "docx", "xlsx", "odt"),
}


class LinkRefused(Exception):
    """A personal link that does not open the form, with the reason to show."""

    def __init__(self, reason: str, *, status: int = 404):
        super().__init__(reason)
        self.reason = reason
        self.status = status


class SubmissionRefused(Exception):
    def __init__(self, problems: Sequence[AnswerProblem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Saved:
    submission: Submission
    # What a save for later left out (invalid answers), to show.
    problems: list[AnswerProblem]
    # The same instance was already sent: nothing changed.
    replayed: bool = False


def respondent_token(respondent: Respondent) -> str:
    return signing.dumps([respondent.pk, respondent.link_key], salt=LINK_SALT, compress=False)


def respondent_from_token(token: str) -> Respondent:
    try:
        pk, key = signing.loads(token, salt=LINK_SALT)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise LinkRefused(_("Ce lien n'est pas valide : vérifiez qu'il est complet.")) from exc
    found = (
        Respondent.objects.select_related("survey", "survey__org_unit", "unit")
        .filter(pk=pk)
        .first()
    )
    if found is None or not hmac.compare_digest(str(key), found.link_key):
        raise LinkRefused(_("Ce lien n'est plus valable : un nouveau lien vous a été envoyé."))
    if found.expires_at < timezone.now():
        raise LinkRefused(_("Ce lien a expiré."), status=410)
    survey_open_check(found.survey)
    return found


def survey_is_open(survey: Survey, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return survey.status == SurveyStatus.OPEN and (
        survey.closes_at is None or survey.closes_at > now
    )


def survey_open_check(survey: Survey) -> None:
    now = timezone.now()
    if not survey_is_open(survey, now):
        # A survey in preparation whose closing date is already set is not yet open: it
        # is closed only once closed, or past its date.
        closed = survey.status == SurveyStatus.CLOSED or (
            survey.closes_at is not None and survey.closes_at <= now
        )
        raise LinkRefused(
            _("Cette enquête est close : les réponses ne sont plus reçues.")
            if closed
            else _("Cette enquête n'est pas encore ouverte."),
            status=410,
        )


def public_survey(public_key: str) -> Survey:
    found = (
        Survey.objects.select_related("org_unit")
        .filter(public_key=public_key, access=SurveyAccess.PUBLIC)
        .first()
    )
    if found is None:
        raise LinkRefused(_("Cette enquête n'existe pas."))
    survey_open_check(found)
    return found


def respondent_draft(respondent: Respondent) -> Submission | None:
    return (
        respondent.submissions.select_related("form_version").order_by("-updated_at", "-pk").first()
    )


def _instance(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError) as exc:
        raise SubmissionRefused(
            [
                AnswerProblem(
                    "instance_id",
                    "instance_id",
                    str(value)[:80],
                    _("identifiant d'instance invalide"),
                )
            ]
        ) from exc


def _files_check(
    version: FormVersion, files: Mapping[str, tuple[str, bytes]]
) -> list[tuple[str, str, Kind, bytes]]:
    """The files sent for the form's image and file questions, each checked by its content
    and size before anything is written: (question, name shown, kind, bytes)."""
    kinds = {
        str(n.get("name")): str(n.get("type"))
        for n in _walk(version.tree)
        if n.get("type") in ATTACHMENT_KINDS
    }
    checked = []
    problems = []
    for question, (name, content) in files.items():
        if question not in kinds:
            continue
        try:
            kind = file_kind(
                content,
                name=name,
                allowed=ATTACHMENT_KINDS[kinds[question]],
                max_bytes=ATTACHMENT_MAX_BYTES,
                field=question,
            )
        except ValidationError as exc:
            problems += [
                AnswerProblem(field, field, name[:80], message)
                for field, messages in exc.message_dict.items()
                for message in messages
            ]
            continue
        checked.append((question, (name or question).rsplit("/", 1)[-1][:200], kind, content))
    if problems:
        raise SubmissionRefused(problems)
    return checked


def _files_store(submission: Submission, files: list[tuple[str, str, Kind, bytes]]) -> None:
    for question, shown, kind, content in files:
        for old in submission.attachments.filter(question=question):
            old.file.delete(save=False)
            old.delete()
        attachment = Attachment(
            submission=submission,
            question=question,
            name=shown,
            content_type=kind.content_type,
            size=len(content),
        )
        attachment.file.save(
            f"{submission.instance_id}-{question}", ContentFile(content), save=False
        )
        attachment.save()
        submission.data[question] = shown


def _walk(node: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = []
    for child in node.get("children") or []:
        found.append(child)
        found.extend(_walk(child))
    return found


def submission_save(
    *,
    survey: Survey,
    version: FormVersion,
    instance_id: Any,
    answers: Mapping[str, Any],
    final: bool,
    channel: str,
    respondent: Respondent | None = None,
    entered_by: Any = None,
    lang: str = "fr",
    files: Mapping[str, tuple[str, bytes]] | None = None,
) -> Saved:
    """Save (``final=False``) or send the answers of one instance. Refused: a closed
    survey (:class:`LinkRefused`), an instance id that is someone else's, and — when
    sending — any wrong answer (:class:`SubmissionRefused`, nothing changed)."""
    if channel == Channel.STAFF and (entered_by is None or not perms.can_enter(entered_by, survey)):
        raise PermissionDenied
    survey_open_check(survey)
    if version.survey_id != survey.pk:
        raise PermissionDenied
    instance = _instance(instance_id)
    sent_files = _files_check(version, files or {})
    now = timezone.now()
    with transaction.atomic():
        existing = (
            Submission.objects.select_for_update()
            .filter(survey=survey, instance_id=instance)
            .first()
        )
        if existing is not None:
            if existing.respondent_id != (respondent.pk if respondent else None) or (
                respondent is None and existing.channel != channel
            ):
                raise PermissionDenied
            if existing.status == SubmissionStatus.COMPLETE:
                return Saved(existing, [], replayed=True)
        elif respondent is not None:
            # A respondent answers once: a second instance (a page opened again while the
            # first answers waited offline) finds the answers already sent.
            sent = (
                Submission.objects.filter(
                    survey=survey, respondent=respondent, status=SubmissionStatus.COMPLETE
                )
                .order_by("-pk")
                .first()
            )
            if sent is not None:
                return Saved(sent, [], replayed=True)
        checked = answers_check(
            version.tree,
            form_logic((version.pk, version.sha256), version.tree),
            answers,
            lang=lang,
            final=final,
            now=now,
        )
        if final and checked.problems:
            raise SubmissionRefused(checked.problems)
        submission = existing or Submission(
            survey=survey,
            instance_id=instance,
            respondent=respondent,
            channel=channel,
            entered_by=entered_by if channel == Channel.STAFF else None,
        )
        submission.form_version = version
        submission.data = checked.data
        if final:
            submission.status = SubmissionStatus.COMPLETE
            submission.submitted_at = now
        try:
            with transaction.atomic():
                submission.save()
        except IntegrityError:
            # The same instance id arrived twice at once: the other one is stored.
            raise SubmissionRefused(
                [AnswerProblem("instance_id", "instance_id", str(instance), _("envoi en double"))]
            ) from None
        if sent_files:
            _files_store(submission, sent_files)
            submission.save(update_fields=["data", "updated_at"])
        if respondent is not None:
            status = RespondentStatus.SUBMITTED if final else RespondentStatus.STARTED
            if respondent.status != RespondentStatus.SUBMITTED:
                Respondent.objects.filter(pk=respondent.pk).update(status=status)
                respondent.status = status
        if final:
            audit_record(
                actor=entered_by,
                action=SUBMIT,
                obj=submission,
                changes={"status": [None, SubmissionStatus.COMPLETE], "channel": [None, channel]},
                path=survey.org_unit.path,
            )
    return Saved(submission, checked.problems)
