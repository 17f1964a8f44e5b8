"""The training pages of a programme: the sessions with the people-trained card, a
session's attendance grid (htmx toggles), creating and editing a session, and importing
its participants list."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pilotage.cooperation import permissions as perms
from pilotage.cooperation.forms.trainings import ParticipantsImportForm, PersonForm, SessionForm
from pilotage.cooperation.imports.participants import COLUMNS, participants_import
from pilotage.cooperation.models import Attendance, Audience, Programme, Project, TrainingSession
from pilotage.cooperation.selectors.programmes import programme_get, programme_projects
from pilotage.cooperation.selectors.trainings import (
    people_trained,
    session_attendances,
    session_get,
    sessions_list,
)
from pilotage.cooperation.services.trainings import (
    SESSION_FIELDS,
    Person,
    attendance_add,
    attendance_set,
    training_session_create,
    training_session_update,
)
from pilotage.core.forms import form_errors_add
from pilotage.core.imports import upload_max_bytes, upload_too_large_message
from pilotage.core.tabular import ImportRejected

PAGE_SIZE = 50


def _recordable(request: HttpRequest, programme: Programme) -> list[Project]:
    """The programme's projects whose sessions the user records: one query for the
    projects and one for the team, whatever their number."""
    projects = [p for p in programme_projects(request.user, programme) if p.country]
    if perms.manages(request.user, programme):
        return projects
    return [p for p in projects if perms.coordinates(request.user, p)]


def trainings(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_get(request.user, pk)
    audience = request.GET.get("audience") or None
    if audience not in Audience.values:
        audience = None
    page = Paginator(sessions_list(request.user, programme), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cooperation/trainings/list.html",
        {
            "programme": programme,
            "page_obj": page,
            "trained": people_trained(request.user, programme, audience=audience),
            "audience": audience,
            "audiences": Audience.choices,
            "can_create": bool(_recordable(request, programme)),
        },
    )


def training_new(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_get(request.user, pk)
    projects = _recordable(request, programme)
    if not projects:
        raise Http404
    qs = programme_projects(request.user, programme).filter(pk__in=[p.pk for p in projects])
    form = SessionForm(request.POST or None, projects=qs)
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in SESSION_FIELDS}
        try:
            session = training_session_create(
                actor=request.user,
                programme=programme,
                project=form.cleaned_data["project"],
                **fields,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Session de formation créée."))
            return redirect("cooperation:training", session.pk)
    return render(
        request, "cooperation/trainings/form.html", {"form": form, "programme": programme}
    )


def _session_for_edit(request: HttpRequest, pk: int) -> TrainingSession:
    session = session_get(request.user, pk)
    if not perms.can_record_training(request.user, session.project):
        raise Http404
    return session


def training_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_for_edit(request, pk)
    qs = programme_projects(request.user, session.programme).filter(pk=session.project_id)
    form = SessionForm(request.POST or None, instance=session, projects=qs)
    if request.method == "POST" and form.is_valid():
        changes = {k: form.cleaned_data[k] for k in form.changed_data if k in SESSION_FIELDS}
        try:
            training_session_update(
                actor=request.user,
                session=session,
                version=form.cleaned_data.get("version"),
                **changes,
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Session enregistrée."))
            return redirect("cooperation:training", session.pk)
    return render(
        request,
        "cooperation/trainings/form.html",
        {"form": form, "programme": session.programme, "session": session},
    )


def training(request: HttpRequest, pk: int) -> HttpResponse:
    session = session_get(request.user, pk)
    can_edit = perms.can_record_training(request.user, session.project)
    form = PersonForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                attendance_add(
                    actor=request.user,
                    session=session,
                    person=Person(
                        full_name=data["full_name"],
                        sex=data["sex"],
                        role=data["role"],
                        email=data["email"],
                        phone=data["phone"],
                        national_id=data["national_id"],
                    ),
                    attended=data["attended"],
                    completed=data["completed"],
                )
            except ValidationError as exc:
                form_errors_add(form, exc)
            else:
                messages.success(request, _("Participant ajouté."))
                return redirect("cooperation:training", session.pk)
    attendances = list(session_attendances(session))
    return render(
        request,
        "cooperation/trainings/detail.html",
        {
            "programme": session.programme,
            "session": session,
            "attendances": attendances,
            "present": sum(1 for a in attendances if a.attended),
            "done": sum(1 for a in attendances if a.completed),
            "can_edit": can_edit,
            "form": form,
        },
    )


@require_POST
def attendance_toggle(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """The grid's checkboxes: flips ``attended`` or ``completed`` and answers the row
    (htmx) or the page (without JavaScript)."""
    if field not in ("attended", "completed"):
        raise Http404
    attendance = (
        Attendance.objects.filter(session__in=_visible_sessions(request), pk=pk)
        .select_related("session__project__country", "participant")
        .first()
    )
    if attendance is None or not perms.can_record_training(
        request.user, attendance.session.project
    ):
        raise Http404
    value = request.POST.get("value", "") in ("1", "on", "true")
    error = ""
    try:
        attendance = attendance_set(actor=request.user, attendance=attendance, **{field: value})
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.headers.get("HX-Request"):
        attendance.refresh_from_db()
        return render(
            request,
            "cooperation/trainings/_attendance_row.html",
            {"a": attendance, "session": attendance.session, "can_edit": True, "error": error},
        )
    if error:
        messages.error(request, error)
    return redirect("cooperation:training", attendance.session_id)


def _visible_sessions(request: HttpRequest):
    from pilotage.cooperation.selectors.trainings import sessions_visible

    return sessions_visible(request.user).values("pk")


def training_import(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_for_edit(request, pk)
    form = ParticipantsImportForm(request.POST or None, request.FILES or None)
    problems = None
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if (upload.size or 0) > upload_max_bytes():
            form.add_error("file", upload_too_large_message())
        else:
            try:
                result = participants_import(
                    actor=request.user,
                    session=session,
                    stream=upload,
                    filename=upload.name or "",
                    dry_run=form.cleaned_data["dry_run"],
                )
            except ImportRejected as rejected:
                problems = rejected
            else:
                if not form.cleaned_data["dry_run"]:
                    messages.success(
                        request,
                        _(
                            "Liste importée : %(rows)s lignes, %(created)s nouveaux "
                            "participants, %(dups)s doublons possibles à vérifier."
                        )
                        % {
                            "rows": result["rows"],
                            "created": result["participants_created"],
                            "dups": result["possible_duplicates"],
                        },
                    )
                    return redirect("cooperation:training", session.pk)
    return render(
        request,
        "cooperation/trainings/import.html",
        {
            "programme": session.programme,
            "session": session,
            "form": form,
            "columns": COLUMNS,
            "problems": problems,
            "result": result,
        },
    )


urlpatterns = [
    path("programmes/<int:pk>/trainings/", trainings, name="trainings"),
    path("programmes/<int:pk>/trainings/new/", training_new, name="training-new"),
    path("trainings/<int:pk>/", training, name="training"),
    path("trainings/<int:pk>/edit/", training_edit, name="training-edit"),
    path("trainings/<int:pk>/import/", training_import, name="training-import"),
    path("attendances/<int:pk>/<str:field>/", attendance_toggle, name="attendance-toggle"),
]
