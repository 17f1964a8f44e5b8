"""Custom indicators: the list, and the form to create or edit one, whose formulas are
checked against the catalogue (each problem under its field). The national catalogue's
managers only; everyone else gets a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pilotage.indicators.catalogue import BUILTIN
from pilotage.indicators.forms.custom import CustomIndicatorForm
from pilotage.indicators.models import CustomIndicator
from pilotage.indicators.permissions import can_manage_catalogue
from pilotage.indicators.selectors.aggregates import catalogue_overview
from pilotage.indicators.services.custom import (
    FIELDS,
    custom_indicator_delete,
    custom_indicator_save,
)


@login_required
def custom_list(request: HttpRequest) -> HttpResponse:
    if not can_manage_catalogue(request.user):
        raise Http404
    indicators = CustomIndicator.objects.order_by("code")
    return render(request, "indicators/custom/list.html", {"indicators": indicators})


@login_required
def custom_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    if not can_manage_catalogue(request.user):
        raise Http404
    indicator = get_object_or_404(CustomIndicator, code=code) if code else None
    form = CustomIndicatorForm(request.POST or None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            custom_indicator_save(
                actor=request.user,
                code=indicator.code if indicator else data["code"],
                indicator=indicator,
                **{name: data[name] for name in FIELDS},
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            return redirect("indicators:custom_list")
    return render(
        request,
        "indicators/custom/form.html",
        {
            "form": form,
            "indicator": indicator,
            "data_sets": catalogue_overview(),
            "builtins": BUILTIN,
        },
    )


@login_required
@require_POST
def custom_delete(request: HttpRequest, code: str) -> HttpResponse:
    if not can_manage_catalogue(request.user):
        raise Http404
    indicator = get_object_or_404(CustomIndicator, code=code)
    custom_indicator_delete(actor=request.user, indicator=indicator)
    messages.success(request, _("Indicateur « %(name)s » supprimé.") % {"name": indicator.name})
    return redirect("indicators:custom_list")


urlpatterns = [
    path("custom/", custom_list, name="custom_list"),
    path("custom/new/", custom_edit, name="custom_create"),
    path("custom/<slug:code>/", custom_edit, name="custom_edit"),
    path("custom/<slug:code>/delete/", custom_delete, name="custom_delete"),
]
