"""When mark entry closes: the list of deadlines an officer has set in their territory, the
form that sets or moves one, and removal (htmx replaces the row)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pilotage.core.scope import scope_of
from pilotage.orgunits.models import OrgUnit, Semester
from pilotage.schooling.permissions import can_manage_deadlines
from pilotage.schooling.roles import SET_DEADLINES
from pilotage.schooling.selectors import deadlines_visible
from pilotage.schooling.services.deadlines import deadline_remove, deadline_set

PAGE_SIZE = 50


class DeadlineForm(forms.Form):
    semester = forms.ModelChoiceField(
        label=gettext_lazy("Semestre"),
        queryset=Semester.objects.select_related("academic_year").order_by("-start", "number"),
    )
    org_unit = forms.CharField(
        label=gettext_lazy("Code de l'unité"),
        max_length=32,
        help_text=gettext_lazy("Une académie, une direction provinciale ou un établissement."),
    )
    closes_at = forms.DateTimeField(
        label=gettext_lazy("Clôture de la saisie"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor

    def clean_org_unit(self) -> OrgUnit:
        """A unit outside the actor's territory is as unknown as one that does not exist."""
        code = self.cleaned_data["org_unit"].strip()
        unit = (
            OrgUnit.objects.filter(scope_of(self.actor).q_for(SET_DEADLINES), code=code)
            .only("pk", "path", "code", "name_fr", "name_ar", "name_en")
            .first()
        )
        if unit is None:
            raise ValidationError(_("Aucune unité de votre territoire n'a ce code."))
        return unit


def deadlines(request: HttpRequest) -> HttpResponse:
    if not can_manage_deadlines(request.user):
        raise Http404
    form = DeadlineForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            deadline_set(
                actor=request.user,
                semester=data["semester"],
                org_unit=data["org_unit"],
                closes_at=data["closes_at"],
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Date limite enregistrée pour %(unit)s.") % {"unit": data["org_unit"].name},
            )
            return redirect("schooling:deadlines")
    page = Paginator(deadlines_visible(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "schooling/deadlines.html",
        {"form": form, "page_obj": page, "querystring_base": ""},
    )


@require_POST
def deadline_delete(request: HttpRequest, pk: int) -> HttpResponse:
    deadline = get_object_or_404(deadlines_visible(request.user), pk=pk)
    try:
        deadline_remove(actor=request.user, deadline=deadline)
    except PermissionDenied as exc:
        raise Http404 from exc
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponse("")
    messages.success(request, _("Date limite supprimée."))
    return redirect("schooling:deadlines")


urlpatterns = [
    path("deadlines/", deadlines, name="deadlines"),
    path("deadlines/<int:pk>/remove/", deadline_delete, name="deadline-remove"),
]
