"""The opportunity pipeline: the board by stage (or a list), an opportunity's page where
its stage moves, creating and editing one, and the funnel with the weighted totals."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pilotage.cooperation import permissions as perms
from pilotage.cooperation.forms.partners import MoveForm, OpportunityForm
from pilotage.cooperation.models import Opportunity, Stage
from pilotage.cooperation.models.pipeline import FINAL_STAGES, OPEN_STAGES
from pilotage.cooperation.selectors.partners import partners_visible
from pilotage.cooperation.selectors.pipeline import (
    opportunities_list,
    opportunity_get,
    pipeline_board,
    pipeline_funnel,
    pipeline_years,
    weighted_amount,
    weighted_totals,
)
from pilotage.cooperation.services.pipeline import (
    OPPORTUNITY_EDITABLE,
    OPPORTUNITY_FIELDS,
    opportunity_create,
    opportunity_move,
    opportunity_update,
)
from pilotage.core.forms import form_errors_add


def _year(request: HttpRequest) -> int | None:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and len(raw) == 4 else None


def pipeline(request: HttpRequest) -> HttpResponse:
    """The board (one column per stage); ``?view=list`` shows a table instead. A service's
    pipeline is short: the whole of it on one page (one query for the rows)."""
    if not perms.staff_sees_partners(request.user):
        raise Http404
    year = _year(request)
    view = "list" if request.GET.get("view") == "list" else "board"
    context: dict[str, Any] = {
        "year": year,
        "years": pipeline_years(request.user),
        "view": view,
        "can_manage": perms.can_manage_partners(request.user),
    }
    if view == "board":
        context["columns"] = pipeline_board(request.user, year=year)
    else:
        context["opportunities"] = opportunities_list(
            request.user, year=year, stage=request.GET.get("stage", "")
        )
    return render(request, "cooperation/pipeline/board.html", context)


def _move_choices(request: HttpRequest, found: Opportunity) -> list[tuple[str, str]]:
    if found.stage in FINAL_STAGES:
        if not perms.can_reopen_opportunity(request.user):
            return []
        return [(s.value, str(s.label)) for s in OPEN_STAGES]
    return [(s, str(Stage(s).label)) for s in Stage.values if s != found.stage]


def _detail(
    request: HttpRequest, found: Opportunity, move_form: MoveForm | None = None, status: int = 200
) -> HttpResponse:
    can_manage = perms.can_manage_partners(request.user)
    choices = _move_choices(request, found) if can_manage else []
    if choices and move_form is None:
        move_form = MoveForm(initial={"version": found.version, "next_step": found.next_step})
    if move_form is not None:
        move_form.fields["stage"].choices = choices  # type: ignore[attr-defined]
    return render(
        request,
        "cooperation/pipeline/detail.html",
        {
            "opportunity": found,
            "weighted": weighted_amount(found.expected_amount, found.probability, found.stage),
            "can_manage": can_manage,
            "move_form": move_form if choices else None,
            # A refused move with nothing left to offer (a closed one): still say why.
            "move_errors": [] if choices or move_form is None else move_form.errors.values(),
            "final": found.stage in FINAL_STAGES,
        },
        status=status,
    )


def opportunity(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, opportunity_get(request.user, pk))


@require_POST
def opportunity_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    found = opportunity_get(request.user, pk)
    if not perms.can_manage_partners(request.user):
        raise Http404
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            opportunity_move(
                actor=request.user,
                opportunity=found,
                stage=form.cleaned_data["stage"],
                version=form.cleaned_data["version"],
                next_step=form.cleaned_data["next_step"],
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Étape enregistrée."))
            return redirect("cooperation:opportunity", found.pk)
    return _detail(request, found, form, status=400)


def opportunity_new(request: HttpRequest) -> HttpResponse:
    if not perms.can_manage_partners(request.user):
        raise Http404
    initial = {}
    if request.GET.get("partner", "").isdigit():
        initial["partner"] = int(request.GET["partner"])
    form = OpportunityForm(request.POST or None, initial=initial)
    form.fields["partner"].queryset = partners_visible(request.user)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in OPPORTUNITY_FIELDS if k in form.cleaned_data}
        try:
            created = opportunity_create(actor=request.user, **fields)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Opportunité enregistrée."))
            return redirect("cooperation:opportunity", created.pk)
    return render(request, "cooperation/pipeline/form.html", {"form": form})


def opportunity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = opportunity_get(request.user, pk)
    if not perms.can_manage_partners(request.user):
        raise Http404
    form = OpportunityForm(request.POST or None, instance=found)
    if request.method == "POST" and form.is_valid():
        changes = {k: form.cleaned_data[k] for k in form.changed_data if k in OPPORTUNITY_EDITABLE}
        try:
            opportunity_update(
                actor=request.user,
                opportunity=found,
                version=form.cleaned_data.get("version"),
                **changes,
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Opportunité enregistrée."))
            return redirect("cooperation:opportunity", found.pk)
    return render(request, "cooperation/pipeline/form.html", {"form": form, "opportunity": found})


def funnel(request: HttpRequest) -> HttpResponse:
    if not perms.staff_sees_partners(request.user):
        raise Http404
    year = _year(request)
    return render(
        request,
        "cooperation/pipeline/funnel.html",
        {
            "funnel": pipeline_funnel(request.user, year=year),
            "weighted": weighted_totals(request.user),
            "year": year,
            "years": pipeline_years(request.user),
        },
    )


urlpatterns = [
    path("pipeline/", pipeline, name="pipeline"),
    path("pipeline/funnel/", funnel, name="pipeline-funnel"),
    path("pipeline/new/", opportunity_new, name="opportunity-new"),
    path("pipeline/<int:pk>/", opportunity, name="opportunity"),
    path("pipeline/<int:pk>/edit/", opportunity_edit, name="opportunity-edit"),
    path("pipeline/<int:pk>/move/", opportunity_move_view, name="opportunity-move"),
]
