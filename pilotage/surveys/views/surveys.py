"""The survey pages for staff: the list, creating a survey, a survey's page (its form
versions, the upload of a new one with every problem listed), and the downloads of a
version's XForm and workbook."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pilotage.surveys import permissions as perms
from pilotage.surveys.forms import SurveyForm, WorkbookForm
from pilotage.surveys.models import Survey
from pilotage.surveys.selectors import form_version_get, form_versions, survey_get, surveys_list
from pilotage.surveys.services.forms import survey_create, survey_form_load, survey_status_set
from pilotage.surveys.xlsform import MAX_BYTES, XLSFormRejected

PAGE_SIZE = 50


def surveys(request: HttpRequest) -> HttpResponse:
    if not perms.can_use(request.user):
        raise Http404
    page = Paginator(surveys_list(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "surveys/list.html",
        {"page_obj": page, "can_create": perms.manages_somewhere(request.user)},
    )


def survey_new(request: HttpRequest) -> HttpResponse:
    if not perms.manages_somewhere(request.user):
        raise Http404
    form = SurveyForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            survey = survey_create(actor=request.user, **form.cleaned_data)
        except PermissionDenied as exc:
            raise Http404 from exc
        messages.success(request, _("Enquête créée : chargez maintenant son formulaire XLSForm."))
        return redirect("surveys:survey", survey.pk)
    return render(request, "surveys/new.html", {"form": form})


def survey(request: HttpRequest, pk: int) -> HttpResponse:
    found = survey_get(request.user, pk)
    return render(request, "surveys/detail.html", _survey_context(request, found, WorkbookForm()))


def _survey_context(
    request: HttpRequest, found: Survey, upload: WorkbookForm, **extra: object
) -> dict[str, object]:
    return {
        "survey": found,
        "versions": form_versions(found),
        "upload_form": upload,
        "can_manage": perms.can_manage(request.user, found),
        "can_enter": perms.can_enter(request.user, found),
        **extra,
    }


@require_POST
def form_upload(request: HttpRequest, pk: int) -> HttpResponse:
    found = survey_get(request.user, pk)
    if not perms.can_manage(request.user, found):
        raise Http404
    upload = WorkbookForm(request.POST, request.FILES)
    problems = []
    if upload.is_valid():
        sent = upload.cleaned_data["workbook"]
        data = sent.read(MAX_BYTES + 1)
        try:
            version = survey_form_load(
                actor=request.user, survey=found, data=data, name=sent.name or "formulaire.xlsx"
            )
        except XLSFormRejected as exc:
            problems = exc.problems
        else:
            messages.success(
                request,
                _("Version %(n)s chargée (formulaire %(id)s, version %(version)s).")
                % {
                    "n": version.number,
                    "id": version.form_id,
                    "version": version.form_version or "—",
                },
            )
            return redirect("surveys:survey", found.pk)
    return render(
        request,
        "surveys/detail.html",
        _survey_context(request, found, upload, problems=problems),
        status=400,
    )


@require_POST
def status_set(request: HttpRequest, pk: int) -> HttpResponse:
    found = survey_get(request.user, pk)
    if not perms.can_manage(request.user, found):
        raise Http404
    try:
        survey_status_set(actor=request.user, survey=found, status=request.POST.get("status", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Statut de l'enquête : %(s)s.") % {"s": found.get_status_display()}
        )
    return redirect("surveys:survey", found.pk)


def xform_download(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = form_version_get(request.user, pk, number)
    response = HttpResponse(version.xform, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{version.form_id}-v{version.number}.xml"'
    )
    return response


def workbook_download(request: HttpRequest, pk: int, number: int) -> FileResponse:
    version = form_version_get(request.user, pk, number)
    if not perms.can_manage(request.user, version.survey):
        raise Http404
    extension = version.workbook.name.rsplit(".", 1)[-1]
    return FileResponse(
        version.workbook.open("rb"),
        as_attachment=True,
        filename=f"{version.form_id}-v{version.number}.{extension}",
    )


urlpatterns = [
    path("", surveys, name="surveys"),
    path("new/", survey_new, name="survey-new"),
    path("<int:pk>/", survey, name="survey"),
    path("<int:pk>/forms/", form_upload, name="form-upload"),
    path("<int:pk>/status/", status_set, name="status"),
    path("<int:pk>/forms/<int:number>/xform.xml", xform_download, name="xform"),
    path("<int:pk>/forms/<int:number>/workbook", workbook_download, name="workbook"),
]
