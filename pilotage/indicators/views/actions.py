"""The action plans' pages: objectives, actions (list, opening one — also from a target's
gap —, the page where it is followed: update, notes, evidence files)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pilotage.core.forms import form_errors_add
from pilotage.indicators.catalogue import builtin
from pilotage.indicators.forms.actions import (
    ActionForm,
    ActionUpdateForm,
    EvidenceForm,
    NoteForm,
    ObjectiveForm,
)
from pilotage.indicators.models import Action, ActionStatus, Status
from pilotage.indicators.models.actions import LATE, LATE_LABEL, OPEN_STATUSES, overdue_q
from pilotage.indicators.permissions import can_manage_actions, can_open_actions
from pilotage.indicators.selectors.actions import (
    action_for,
    actions_visible,
    evidence_for,
    objective_for,
    objectives_visible,
    owner_choices,
    units_for_actions,
)
from pilotage.indicators.selectors.targets import target_for
from pilotage.indicators.services.actions import (
    action_create,
    action_evidence_add,
    action_evidence_remove,
    action_note_add,
    action_update,
    evidence_max_bytes,
    gap_of_target,
    objective_create,
)
from pilotage.orgunits.models import OrgUnit

PAGE_SIZE = 50


def _unit(request: HttpRequest, code: str | None) -> OrgUnit:
    """A unit where the actor manages actions (404 otherwise); the highest one by default."""
    units = units_for_actions(request.user)
    unit = units.filter(code=code).first() if code else units.order_by("depth", "path").first()
    if unit is None:
        raise Http404
    return unit


def _pk(text: str) -> int:
    if not text.isdigit():
        raise Http404
    return int(text)


def _status_choices() -> list[tuple[str, str]]:
    return [*((c, str(label)) for c, label in ActionStatus.choices), (LATE, str(LATE_LABEL))]


def actions_list(request: HttpRequest) -> HttpResponse:
    if not can_open_actions(request.user):
        raise Http404
    qs = actions_visible(request.user)
    status = request.GET.get("status", "")
    today = timezone.localdate()
    if status == LATE:
        qs = qs.filter(overdue_q(today))
    elif status in ActionStatus.values:
        qs = qs.filter(status=status)
        if status in OPEN_STATUSES:
            qs = qs.exclude(due_date__lt=today)
    unit_code = request.GET.get("unit", "").strip()
    if unit_code:
        unit = _unit(request, unit_code)
        qs = qs.filter(org_unit__path__startswith=unit.path)
    mine = request.GET.get("mine") == "1"
    if mine:
        qs = qs.filter(owner_id=request.user.pk)
    page = Paginator(qs.order_by("due_date", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    base = urlencode(
        {
            k: v
            for k, v in (("status", status), ("unit", unit_code), ("mine", "1" if mine else ""))
            if v
        }
    )
    return render(
        request,
        "indicators/actions/list.html",
        {
            "page_obj": page,
            "querystring_base": f"{base}&" if base else "",
            "status": status,
            "unit_code": unit_code,
            "mine": mine,
            "statuses": _status_choices(),
        },
    )


def objectives_list(request: HttpRequest) -> HttpResponse:
    if not can_open_actions(request.user):
        raise Http404
    qs = objectives_visible(request.user).annotate(action_count=Count("actions"))
    page = Paginator(qs.order_by("-created_at", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "indicators/actions/objectives.html", {"page_obj": page, "querystring_base": ""}
    )


def objective_new(request: HttpRequest) -> HttpResponse:
    unit = _unit(request, request.GET.get("unit"))
    target = None
    if request.GET.get("target"):
        target = target_for(request.user, _pk(request.GET["target"]))
    form = ObjectiveForm(
        request.POST or None,
        initial={
            "indicator": target.indicator if target else "",
            "start_year": target.academic_year if target else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            objective = objective_create(
                actor=request.user,
                title=data["title"],
                description=data["description"],
                org_unit=unit,
                start_year=data["start_year"],
                end_year=data["end_year"],
                indicator=data["indicator"],
                target=target,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Objectif enregistré."))
            return redirect("indicators:objective", objective.pk)
    return render(
        request,
        "indicators/actions/objective_form.html",
        {"form": form, "unit": unit, "target": target},
    )


def objective_detail(request: HttpRequest, pk: int) -> HttpResponse:
    objective = objective_for(request.user, pk)
    actions = list(
        actions_visible(request.user).filter(objective=objective).order_by("due_date", "pk")
    )
    indicator = builtin(objective.indicator) if objective.indicator else None
    return render(
        request,
        "indicators/actions/objective.html",
        {"objective": objective, "actions": actions, "indicator": indicator},
    )


def action_new(request: HttpRequest) -> HttpResponse:
    objective = target = None
    gap: tuple[float | None, str | None] = (None, None)
    if request.GET.get("objective"):
        objective = objective_for(request.user, _pk(request.GET["objective"]))
    if request.GET.get("target"):
        target = target_for(request.user, _pk(request.GET["target"]))
        gap = gap_of_target(target)
    code = request.GET.get("unit") or (
        objective.org_unit.code if objective else target.org_unit.code if target else None
    )
    unit = _unit(request, code)
    form = ActionForm(
        request.POST or None,
        owners=owner_choices(unit),
        initial={"owner": request.user.pk, "start_date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            action = action_create(
                actor=request.user,
                objective=objective,
                gap_target=target,
                org_unit=unit,
                **data,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Action enregistrée."))
            return redirect("indicators:action", action.pk)
    return render(
        request,
        "indicators/actions/action_form.html",
        {
            "form": form,
            "unit": unit,
            "objective": objective,
            "target": target,
            "gap_value": gap[0],
            "gap_status": Status(gap[1]).label if gap[1] else "",
            "indicator": builtin(target.indicator) if target else None,
        },
    )


def _detail(request: HttpRequest, action: Action, **forms: Any) -> HttpResponse:
    update = forms.get("update") or ActionUpdateForm(
        owners=owner_choices(action.org_unit),
        initial={
            "title": action.title,
            "description": action.description,
            "owner": action.owner_id,
            "budget": "" if action.budget is None else str(action.budget),
            "start_date": action.start_date,
            "due_date": action.due_date,
            "status": action.status,
            "progress": action.progress,
            "version": action.version,
        },
    )
    gap_target = action.gap_target
    return render(
        request,
        "indicators/actions/detail.html",
        {
            "action": action,
            "update_form": update,
            "note_form": forms.get("note") or NoteForm(),
            "evidence_form": forms.get("evidence") or EvidenceForm(),
            "notes": action.notes.select_related("author"),
            "evidence": action.evidence.all(),
            "max_bytes": evidence_max_bytes(),
            "gap_indicator": builtin(gap_target.indicator) if gap_target else None,
            "gap_status_label": Status(action.gap_status).label if action.gap_status else "",
        },
    )


def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = action_for(request.user, pk)
    if request.method != "POST":
        return _detail(request, action)
    form = ActionUpdateForm(request.POST, owners=owner_choices(action.org_unit))
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            action_update(actor=request.user, action=action, version=version, **data)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Action mise à jour."))
            return redirect("indicators:action", action.pk)
    return _detail(request, action, update=form)


@require_POST
def action_note(request: HttpRequest, pk: int) -> HttpResponse:
    action = action_for(request.user, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            action_note_add(actor=request.user, action=action, **form.cleaned_data)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Note ajoutée."))
            return redirect("indicators:action", action.pk)
    return _detail(request, action, note=form)


@require_POST
def action_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    action = action_for(request.user, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            action_evidence_add(actor=request.user, action=action, upload=form.cleaned_data["file"])
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Pièce justificative déposée."))
            return redirect("indicators:action", action.pk)
    return _detail(request, action, evidence=form)


def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = evidence_for(request.user, pk)
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.name,
        content_type=evidence.content_type,
    )


@require_POST
def evidence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = evidence_for(request.user, pk)
    if not can_manage_actions(request.user, evidence.action.org_unit):
        raise Http404
    action_evidence_remove(actor=request.user, evidence=evidence)
    messages.success(request, _("Pièce justificative retirée."))
    return redirect("indicators:action", evidence.action_id)


urlpatterns = [
    path("actions/", actions_list, name="actions"),
    path("actions/new/", action_new, name="action-new"),
    path("actions/<int:pk>/", action_detail, name="action"),
    path("actions/<int:pk>/notes/", action_note, name="action-note"),
    path("actions/<int:pk>/evidence/", action_evidence, name="action-evidence"),
    path("evidence/<int:pk>/", evidence_download, name="evidence"),
    path("evidence/<int:pk>/remove/", evidence_remove, name="evidence-remove"),
    path("objectives/", objectives_list, name="objectives"),
    path("objectives/new/", objective_new, name="objective-new"),
    path("objectives/<int:pk>/", objective_detail, name="objective"),
]
