"""The programme's "Plan de travail" tab: the activity list (with its cash-flow plan),
the Gantt chart, the revisions and their comparison, and an activity's page where its
progress is reported."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

from pilotage.cooperation import permissions as perms
from pilotage.cooperation.forms.workplans import (
    ActivityForm,
    FilterForm,
    ProgressForm,
    RevisionForm,
)
from pilotage.cooperation.models import Activity, Programme, WorkStatus
from pilotage.cooperation.selectors.programmes import programme_get, programme_projects
from pilotage.cooperation.selectors.workplans import (
    activities_cashflow,
    activity_get,
    comparison_display,
    gantt_build,
    programme_activities,
    revision_get,
    revisions_compare,
    workplan_revisions,
)
from pilotage.cooperation.services.workplans import (
    ACTIVITY_EDITABLE,
    activity_create,
    activity_progress_set,
    activity_update,
    workplan_revise,
)
from pilotage.core.forms import form_errors_add

STATUS_CLASSES = {s.value: f"status-{s.value}" for s in WorkStatus}


def _programme(request: HttpRequest, pk: int) -> Programme:
    programme = programme_get(request.user, pk)
    if not perms.can_view_workplan(request.user, programme):
        raise Http404
    return programme


def _filtered(request: HttpRequest, programme: Programme) -> tuple[FilterForm, list[Activity]]:
    form = FilterForm(
        request.GET or None,
        programme=programme,
        projects=programme_projects(request.user, programme),
    )
    project = output = None
    if form.is_valid():
        project = form.cleaned_data["project"]
        output = form.cleaned_data["output"]
    rows = list(
        programme_activities(
            request.user,
            programme,
            project=project.pk if project else None,
            output=output.pk if output else None,
        )
    )
    return form, rows


def workplan(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    form, rows = _filtered(request, programme)
    cashflow = activities_cashflow(rows)
    return render(
        request,
        "cooperation/workplans/list.html",
        {
            "programme": programme,
            "filter_form": form,
            "rows": [(a, cashflow.get(a.pk, [])) for a in rows],
            "can_edit": perms.can_edit_workplan(request.user, programme),
            "query": request.GET.urlencode(),
        },
    )


def gantt(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    form, rows = _filtered(request, programme)
    chart = gantt_build(rows, rtl=get_language_bidi())
    return render(
        request,
        "cooperation/workplans/gantt.html",
        {
            "programme": programme,
            "filter_form": form,
            "chart": chart,
            "statuses": WorkStatus.choices,
            "query": request.GET.urlencode(),
        },
    )


def revisions(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    can_edit = perms.can_edit_workplan(request.user, programme)
    form = RevisionForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            revision = workplan_revise(
                actor=request.user, programme=programme, note=form.cleaned_data["note"]
            )
            messages.success(
                request, _("Révision %(number)s enregistrée.") % {"number": revision.number}
            )
            return redirect("cooperation:workplan-revisions", programme.pk)
    return render(
        request,
        "cooperation/workplans/revisions.html",
        {
            "programme": programme,
            "revisions": workplan_revisions(programme),
            "form": form,
            "can_edit": can_edit,
        },
    )


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def revision_compare(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    a, b = _int(request.GET.get("a")), _int(request.GET.get("b"))
    if a is None or b is None:
        raise Http404
    old, new = revision_get(programme, min(a, b)), revision_get(programme, max(a, b))
    visible = None
    if not perms.sees_whole_workplan(request.user, programme):
        visible = set(programme_activities(request.user, programme).values_list("code", flat=True))
    comparison = revisions_compare(old, new, visible=visible)
    comparison_display(comparison)
    return render(
        request,
        "cooperation/workplans/compare.html",
        {
            "programme": programme,
            "old": old,
            "new": new,
            "comparison": comparison,
            "labels": {
                f.name: f.verbose_name
                for f in Activity._meta.get_fields()
                if hasattr(f, "verbose_name")
            },
        },
    )


def activity_new(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    if not perms.can_edit_workplan(request.user, programme):
        raise Http404
    form = ActivityForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            activity = activity_create(actor=request.user, programme=programme, **fields)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Activité créée."))
            return redirect("cooperation:activity", activity.pk)
    return render(
        request, "cooperation/workplans/form.html", {"programme": programme, "form": form}
    )


def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = activity_get(request.user, pk)
    if not perms.can_edit_workplan(request.user, activity.programme):
        raise Http404
    form = ActivityForm(request.POST or None, instance=activity, programme=activity.programme)
    if request.method == "POST" and form.is_valid():
        changes = {k: form.cleaned_data[k] for k in form.changed_data if k in ACTIVITY_EDITABLE}
        try:
            activity_update(
                actor=request.user,
                activity=activity,
                version=form.cleaned_data.get("version"),
                **changes,
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Activité enregistrée."))
            return redirect("cooperation:activity", activity.pk)
    return render(
        request,
        "cooperation/workplans/form.html",
        {"programme": activity.programme, "form": form, "activity": activity},
    )


def activity(request: HttpRequest, pk: int) -> HttpResponse:
    found = activity_get(request.user, pk)
    can_progress = perms.can_update_progress(request.user, found)
    form = ProgressForm(
        request.POST or None,
        initial={"progress": found.progress, "status": found.status, "version": found.version},
    )
    if request.method == "POST":
        if not can_progress:
            raise Http404
        if form.is_valid():
            try:
                activity_progress_set(
                    actor=request.user,
                    activity=found,
                    version=form.cleaned_data.get("version"),
                    progress=form.cleaned_data["progress"],
                    status=form.cleaned_data["status"]
                    if form.cleaned_data["status"] != found.status
                    else None,
                )
            except PermissionDenied as exc:
                raise Http404 from exc
            except ValidationError as exc:
                form_errors_add(form, exc)
            else:
                messages.success(request, _("Avancement enregistré."))
                return redirect("cooperation:activity", found.pk)
    cashflow = activities_cashflow([found]).get(found.pk, [])
    return render(
        request,
        "cooperation/workplans/activity.html",
        {
            "activity": found,
            "programme": found.programme,
            "form": form,
            "can_progress": can_progress,
            "can_edit": perms.can_edit_workplan(request.user, found.programme),
            "cashflow": cashflow,
            "links": found.disbursement_links.select_related("disbursement__revision__project"),
            "sees_programme": perms.can_view_programme(request.user, found.programme),
        },
    )


urlpatterns = [
    path("programmes/<int:pk>/workplan/", workplan, name="workplan"),
    path("programmes/<int:pk>/workplan/gantt/", gantt, name="workplan-gantt"),
    path("programmes/<int:pk>/workplan/revisions/", revisions, name="workplan-revisions"),
    path(
        "programmes/<int:pk>/workplan/revisions/compare/",
        revision_compare,
        name="workplan-compare",
    ),
    path("programmes/<int:pk>/workplan/new/", activity_new, name="activity-new"),
    path("activities/<int:pk>/", activity, name="activity"),
    path("activities/<int:pk>/edit/", activity_edit, name="activity-edit"),
]
