"""The deadlines' pages: the calendars (hours, Ramadan of the year with its correction,
holidays of the year with their overrides) and the policies; supervisors edit them, agents
read them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pilotage.contact import permissions as perms
from pilotage.contact.forms.sla import (
    HolidayOverrideForm,
    PolicyForm,
    RamadanForm,
    WeekForm,
    intervals_text,
)
from pilotage.contact.models import BusinessCalendar, SlaPolicy, WorkingHours
from pilotage.contact.selectors.sla import (
    calendar_get,
    calendar_overview,
    calendars_list,
    policies_list,
)
from pilotage.contact.services import sla as services


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _week_initial(calendar: BusinessCalendar, ramadan: bool) -> dict[str, Any]:
    week: dict[int, list[Any]] = {day: [] for day in range(7)}
    for hours in WorkingHours.objects.filter(calendar=calendar, ramadan=ramadan):
        week[hours.weekday].append((hours.start, hours.end))
    initial: dict[str, Any] = {f"day_{day}": intervals_text(v) for day, v in week.items()}
    initial["version"] = calendar.version
    return initial


def _errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def sla(request: HttpRequest) -> HttpResponse:
    calendars = calendars_list(request.user)
    return render(
        request,
        "contact/sla/index.html",
        {
            "calendars": calendars,
            "policies": policies_list(request.user),
            "can_edit": perms.edits_sla(request.user),
        },
    )


def calendar(request: HttpRequest, pk: int) -> HttpResponse:
    found = calendar_get(request.user, pk)
    year = _year(request)
    can_edit = perms.edits_sla(request.user)
    forms: dict[str, Any] = {}
    if can_edit:
        forms = {
            "hours_form": WeekForm(initial=_week_initial(found, False), prefix="hours"),
            "ramadan_hours_form": WeekForm(initial=_week_initial(found, True), prefix="ramadan"),
            "ramadan_form": RamadanForm(
                initial={"version": found.version, "year": year, "start_shift": 0, "end_shift": 0},
                prefix="correction",
            ),
            "override_form": HolidayOverrideForm(
                initial={"version": found.version}, prefix="override"
            ),
        }
    return _calendar_page(request, found, year, can_edit, forms)


def _calendar_page(
    request: HttpRequest,
    found: BusinessCalendar,
    year: int,
    can_edit: bool,
    forms: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    overview = calendar_overview(found, year)
    if (
        can_edit
        and overview["correction"] is not None
        and "ramadan_form" in forms
        and not forms["ramadan_form"].is_bound
    ):
        forms["ramadan_form"].initial.update(
            start_shift=overview["correction"].start_shift,
            end_shift=overview["correction"].end_shift,
        )
    return render(
        request,
        "contact/sla/calendar.html",
        {
            "calendar": found,
            "year": year,
            "years": [year - 1, year + 1],
            "can_edit": can_edit,
            **overview,
            **forms,
        },
        status=status,
    )


@require_POST
def calendar_edit(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    found = calendar_get(request.user, pk)
    if not perms.edits_sla(request.user):
        raise Http404
    year = _year(request)
    forms: dict[str, Any] = {
        "hours_form": WeekForm(initial=_week_initial(found, False), prefix="hours"),
        "ramadan_hours_form": WeekForm(initial=_week_initial(found, True), prefix="ramadan"),
        "ramadan_form": RamadanForm(
            initial={"version": found.version, "year": year, "start_shift": 0, "end_shift": 0},
            prefix="correction",
        ),
        "override_form": HolidayOverrideForm(initial={"version": found.version}, prefix="override"),
    }
    form: Any
    if what in ("hours", "ramadan"):
        key = "hours_form" if what == "hours" else "ramadan_hours_form"
        form = forms[key] = WeekForm(request.POST, prefix=what)
        if form.is_valid():
            try:
                services.calendar_hours_set(
                    actor=request.user,
                    calendar=found.pk,
                    ramadan=what == "ramadan",
                    week=form.cleaned_data["week"],
                    version=form.cleaned_data["version"],
                )
            except ValidationError as error:
                _errors(form, error)
    elif what == "correction":
        form = forms["ramadan_form"] = RamadanForm(request.POST, prefix="correction")
        if form.is_valid():
            try:
                services.ramadan_correct(
                    actor=request.user,
                    calendar=found.pk,
                    year=form.cleaned_data["year"],
                    start_shift=form.cleaned_data["start_shift"],
                    end_shift=form.cleaned_data["end_shift"],
                    version=form.cleaned_data["version"],
                )
                year = form.cleaned_data["year"]
            except ValidationError as error:
                _errors(form, error)
    elif what == "override":
        form = forms["override_form"] = HolidayOverrideForm(request.POST, prefix="override")
        if form.is_valid():
            try:
                override = services.holiday_override_set(
                    actor=request.user,
                    calendar=found.pk,
                    kind=form.cleaned_data["kind"],
                    day=form.cleaned_data["day"],
                    moved_to=form.cleaned_data.get("moved_to"),
                    name=form.cleaned_data.get("name") or "",
                    version=form.cleaned_data["version"],
                )
                year = override.day.year
            except ValidationError as error:
                _errors(form, error)
    else:
        raise Http404
    if form.errors:
        return _calendar_page(
            request, calendar_get(request.user, pk), year, True, forms, status=400
        )
    messages.success(request, _("Calendrier enregistré."))
    return redirect(f"{reverse('contact:sla_calendar', args=[pk])}?year={year}")


@require_POST
def override_delete(request: HttpRequest, pk: int, override: int) -> HttpResponse:
    found = calendar_get(request.user, pk)
    if not perms.edits_sla(request.user):
        raise Http404
    try:
        services.holiday_override_delete(
            actor=request.user,
            override=override,
            calendar=found.pk,
            version=int(request.POST.get("version") or found.version),
        )
    except (ValidationError, ValueError):
        messages.error(request, _("Cette correction n'existe plus ou la page est périmée."))
    else:
        messages.success(request, _("Calendrier enregistré."))
    return redirect(f"{reverse('contact:sla_calendar', args=[pk])}?year={_year(request)}")


def policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = policies_list(request.user).filter(pk=pk).first()
    if found is None or not perms.edits_sla(request.user):
        raise Http404
    if request.method == "POST":
        form = PolicyForm(request.POST, instance=SlaPolicy.objects.get(pk=pk))
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                services.sla_policy_update(
                    actor=request.user, policy=pk, version=version, changes=data
                )
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("Politique de délais enregistrée."))
                return redirect("contact:sla")
        status = 400
    else:
        form = PolicyForm(instance=found, initial={"version": found.version})
        status = 200
    return render(
        request, "contact/sla/policy.html", {"policy": found, "form": form}, status=status
    )


urlpatterns = [
    path("sla/", sla, name="sla"),
    path("sla/calendars/<int:pk>/", calendar, name="sla_calendar"),
    path("sla/calendars/<int:pk>/edit/<slug:what>/", calendar_edit, name="sla_calendar_edit"),
    path(
        "sla/calendars/<int:pk>/overrides/<int:override>/delete/",
        override_delete,
        name="sla_override_delete",
    ),
    path("sla/policies/<int:pk>/", policy_edit, name="sla_policy"),
]
