"""Answering a survey: the respondent's personal link, an open survey's public link, and
staff entry on a respondent's behalf (a phone interview). One page draws the form in the
reader's language; it posts the answers to save them for later or to send them, as a
plain form or — from the page's script, which also keeps answers while offline — with
``Accept: application/json``, answered in JSON."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pilotage.contact.services.public import client_ip, rate_limited
from pilotage.surveys import permissions as perms
from pilotage.surveys.answers import from_post
from pilotage.surveys.models import (
    Channel,
    FormVersion,
    Respondent,
    Submission,
    SubmissionStatus,
    Survey,
)
from pilotage.surveys.rendering import form_bind, form_fields, form_logic, reader_language
from pilotage.surveys.selectors import survey_get
from pilotage.surveys.services.collection import (
    ATTACHMENT_MAX_BYTES,
    LinkRefused,
    SubmissionRefused,
    public_survey,
    respondent_draft,
    respondent_from_token,
    submission_save,
)

PUBLIC_PER_IP = (60, 3600)
FILES_MAX = 10


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _refused(request: HttpRequest, exc: LinkRefused) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"status": "refused", "reason": exc.reason}, status=exc.status)
    return render(request, "surveys/refused.html", {"reason": exc.reason}, status=exc.status)


def _reader_language(version: FormVersion) -> str:
    """The form's language closest to the page's: the reader's if the form has it."""
    return reader_language(
        version.languages, version.default_language, translation.get_language() or "fr"
    )


def _sent(request: HttpRequest, survey: Survey, draft: Submission | None) -> bool | None:
    """Whether to show the thanks page instead of the form: the page's script has just
    sent the answers and asks for the page with ``?sent=<instance id>`` (False), or the
    respondent's answers were sent before (True: "already received"); None: the form."""
    asked = request.GET.get("sent", "")
    if draft is not None and draft.status == SubmissionStatus.COMPLETE:
        return asked != str(draft.instance_id)
    try:
        instance = uuid.UUID(asked) if asked else None
    except ValueError:
        return None
    if instance is None:
        return None
    done = survey.submissions.filter(
        instance_id=instance, status=SubmissionStatus.COMPLETE
    ).exists()
    return False if done else None


def _script_messages() -> dict[str, str]:
    """The page script's own messages (the form's messages come with each question)."""
    return {
        "required": _("réponse obligatoire"),
        "constraint": _("valeur refusée par le formulaire"),
        "integer": _("un nombre entier est attendu"),
        "decimal": _("un nombre est attendu"),
        "saved": _(
            "Vos réponses sont enregistrées : vous pouvez reprendre plus tard avec le même lien."
        ),
        "refused": _("Vos réponses ne sont pas envoyées ; corrigez :"),
        "kept": _("Ces réponses n'ont pas été gardées :"),
        "failed": _("L'envoi a échoué : réessayez."),
    }


def _respondent_language(request: HttpRequest, respondent: Respondent) -> None:
    """The language the respondent was invited in, until they choose one in the top bar:
    an association invited in Arabic reads the form in Arabic on a phone set to French."""
    codes = {code for code, _name in settings.LANGUAGES}
    if respondent.language in codes and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        translation.activate(respondent.language)
        request.LANGUAGE_CODE = respondent.language


def _files(request: HttpRequest) -> dict[str, tuple[str, bytes]]:
    """The files sent, each read to one byte past the limit at most (the service refuses
    a larger one by its size)."""
    found: dict[str, tuple[str, bytes]] = {}
    for key in list(request.FILES.keys())[:FILES_MAX]:
        upload = request.FILES.get(key)
        if isinstance(upload, UploadedFile):
            found[key] = (upload.name or key, upload.read(ATTACHMENT_MAX_BYTES + 1))
    return found


def _answer_page(
    request: HttpRequest,
    *,
    survey: Survey,
    channel: str,
    respondent: Respondent | None = None,
    draft: Submission | None = None,
    entered_by: Any = None,
) -> HttpResponse:
    version = survey.current_form
    if version is None:
        raise Http404
    if request.method == "GET":
        sent = _sent(request, survey, draft)
        if sent is not None:
            return render(request, "surveys/thanks.html", {"survey": survey, "replayed": sent})
    lang = _reader_language(version)
    data: dict[str, Any] = draft.data if draft is not None else {}
    instance_id = str(draft.instance_id) if draft is not None else str(uuid.uuid4())
    errors: dict[str, str] = {}
    problems: list[Any] = []
    status = 200
    if request.method == "POST":
        final = request.POST.get("action") == "submit"
        instance_id = str(request.POST.get("instance_id") or instance_id)
        data = from_post(version.tree, request.POST)
        try:
            saved = submission_save(
                survey=survey,
                version=version,
                instance_id=instance_id,
                answers=data,
                final=final,
                channel=channel,
                respondent=respondent,
                entered_by=entered_by,
                lang=lang,
                files=_files(request),
            )
        except SubmissionRefused as exc:
            problems = exc.problems
            errors = {p.field: p.reason for p in reversed(exc.problems)}
            status = 400
            if _wants_json(request):
                return JsonResponse(
                    {"status": "refused", "problems": [p.as_dict() for p in problems]}, status=400
                )
        except LinkRefused as exc:
            return _refused(request, exc)
        else:
            if _wants_json(request):
                return JsonResponse(
                    {
                        "status": saved.submission.status,
                        "instance_id": str(saved.submission.instance_id),
                        "replayed": saved.replayed,
                        "problems": [p.as_dict() for p in saved.problems],
                    }
                )
            if saved.submission.status == SubmissionStatus.COMPLETE:
                return render(
                    request, "surveys/thanks.html", {"survey": survey, "replayed": saved.replayed}
                )
            data = saved.submission.data
            problems = saved.problems
            errors = {p.field: p.reason for p in reversed(saved.problems)}
    fields = form_fields(version.tree, lang)
    return render(
        request,
        "surveys/answer.html",
        {
            "survey": survey,
            "version": version,
            "questions": form_bind(fields, data, errors),
            "logic": form_logic((version.pk, version.sha256), version.tree),
            "instance_id": instance_id,
            "problems": problems,
            "saved": request.method == "POST" and status == 200,
            "form_lang": lang,
            "form_dir": "rtl" if lang == "ar" else "ltr",
            "respondent": respondent,
            "staff": channel == Channel.STAFF,
            "messages_js": _script_messages(),
        },
        status=status,
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, token: str) -> HttpResponse:
    try:
        respondent = respondent_from_token(token)
    except LinkRefused as exc:
        return _refused(request, exc)
    _respondent_language(request, respondent)
    return _answer_page(
        request,
        survey=respondent.survey,
        channel=Channel.LINK,
        respondent=respondent,
        draft=respondent_draft(respondent),
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def respond_public(request: HttpRequest, key: str) -> HttpResponse:
    if request.method == "POST" and rate_limited("survey-ip", client_ip(request), PUBLIC_PER_IP):
        return render(request, "surveys/refused.html", {"limited": True}, status=429)
    try:
        survey = public_survey(key)
    except LinkRefused as exc:
        return _refused(request, exc)
    return _answer_page(request, survey=survey, channel=Channel.PUBLIC)


@require_http_methods(["GET", "POST"])
def enter(request: HttpRequest, pk: int) -> HttpResponse:
    survey = survey_get(request.user, pk)
    if not perms.can_enter(request.user, survey):
        raise Http404
    respondent = None
    draft = None
    chosen = request.GET.get("respondent") or request.POST.get("respondent")
    if chosen:
        respondent = survey.respondents.filter(pk=chosen).first() if chosen.isdigit() else None
        if respondent is None:
            raise Http404
        draft = respondent_draft(respondent)
    try:
        return _answer_page(
            request,
            survey=survey,
            channel=Channel.STAFF,
            respondent=respondent,
            draft=draft,
            entered_by=request.user,
        )
    except PermissionDenied as exc:
        raise Http404 from exc


urlpatterns = [
    path("r/<str:token>/", respond, name="respond"),
    path("p/<str:key>/", respond_public, name="respond-public"),
    path("<int:pk>/enter/", enter, name="enter"),
]
