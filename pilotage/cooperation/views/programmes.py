"""The programme pages: the list, creating and editing a programme, its countries, sectors
and team, and its projects."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pilotage.cooperation import permissions as perms
from pilotage.cooperation import sectors
from pilotage.cooperation.forms.programmes import (
    MemberForm,
    ProgrammeForm,
    ProjectForm,
    SharesForm,
)
from pilotage.cooperation.selectors.programmes import (
    programme_get,
    programme_projects,
    programmes_list,
    project_get,
)
from pilotage.cooperation.services.programmes import (
    PROGRAMME_EDITABLE,
    PROJECT_EDITABLE,
    programme_countries_set,
    programme_create,
    programme_member_add,
    programme_member_remove,
    programme_projects_per_country,
    programme_sectors_set,
    programme_update,
    project_create,
    project_locations_set,
    project_sectors_set,
    project_update,
)
from pilotage.core.forms import form_errors_add
from pilotage.orgunits.models import OrgUnit

PAGE_SIZE = 50


def programmes(request: HttpRequest) -> HttpResponse:
    if not perms.can_use(request.user):
        raise Http404
    page = Paginator(programmes_list(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cooperation/programmes/list.html",
        {"page_obj": page, "can_create": perms.can_create_programme(request.user)},
    )


def programme_new(request: HttpRequest) -> HttpResponse:
    if not perms.can_create_programme(request.user):
        raise Http404
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            programme = programme_create(actor=request.user, **fields)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Programme créé."))
            return redirect("cooperation:programme", programme.pk)
    return render(request, "cooperation/programmes/form.html", {"form": form})


def programme(request: HttpRequest, pk: int) -> HttpResponse:
    found = programme_get(request.user, pk)
    return render(
        request,
        "cooperation/programmes/detail.html",
        {
            "programme": found,
            "projects": programme_projects(request.user, found),
            "countries": found.countries.select_related("country"),
            "sectors": [(s, sectors.sector_label(s.code)) for s in found.sectors.all()],
            "members": found.members.select_related("user"),
            "manages": perms.manages(request.user, found),
        },
    )


def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = programme_get(request.user, pk)
    if not perms.manages(request.user, found):
        raise Http404
    form = ProgrammeForm(request.POST or None, instance=found)
    if request.method == "POST" and form.is_valid():
        changes = {k: form.cleaned_data[k] for k in form.changed_data if k in PROGRAMME_EDITABLE}
        try:
            programme_update(
                actor=request.user,
                programme=found,
                version=form.cleaned_data.get("version"),
                **changes,
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Programme enregistré."))
            return redirect("cooperation:programme", found.pk)
    return render(request, "cooperation/programmes/form.html", {"form": form, "programme": found})


def _shares_page(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    found = programme_get(request.user, pk)
    if not perms.manages(request.user, found):
        raise Http404
    if kind == "countries":
        initial = "\n".join(
            f"{c.country.code} {c.percentage.normalize():f}"
            for c in found.countries.select_related("country")
        )
    else:
        initial = "\n".join(f"{s.code} {s.percentage.normalize():f}" for s in found.sectors.all())
    form = SharesForm(request.POST or None, initial={"shares": initial})
    if request.method == "POST" and form.is_valid():
        rows = form.cleaned_data["shares"]
        try:
            if kind == "countries":
                units = {u.code: u for u in OrgUnit.objects.filter(depth=1)}
                missing = [code for code, _p in rows if code not in units]
                if missing:
                    raise ValidationError(
                        {
                            "shares": [
                                _("%(code)s : pays inconnu (chargez-le avec load_country).")
                                % {"code": code}
                                for code in missing
                            ]
                        }
                    )
                programme_countries_set(
                    actor=request.user,
                    programme=found,
                    shares=[(units[code], p) for code, p in rows],
                )
            else:
                programme_sectors_set(actor=request.user, programme=found, shares=rows)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"shares": exc.messages}
            for messages_ in errors.values():
                form.add_error("shares", messages_)
        else:
            messages.success(request, _("Répartition enregistrée."))
            return redirect("cooperation:programme", found.pk)
    return render(
        request,
        "cooperation/programmes/shares.html",
        {
            "programme": found,
            "form": form,
            "kind": kind,
            "choices": sectors.SECTORS.items() if kind == "sectors" else None,
        },
    )


def programme_countries(request: HttpRequest, pk: int) -> HttpResponse:
    return _shares_page(request, pk, "countries")


def programme_sectors(request: HttpRequest, pk: int) -> HttpResponse:
    return _shares_page(request, pk, "sectors")


def project_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = programme_get(request.user, pk)
    if not perms.manages(request.user, found):
        raise Http404
    form = ProjectForm(request.POST or None, programme=found)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            project = project_create(actor=request.user, programme=found, **fields)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Projet créé."))
            return redirect("cooperation:project", project.pk)
    return render(request, "cooperation/projects/form.html", {"form": form, "programme": found})


def projects_per_country(request: HttpRequest, pk: int) -> HttpResponse:
    found = programme_get(request.user, pk)
    if request.method != "POST" or not perms.manages(request.user, found):
        raise Http404
    try:
        created = programme_projects_per_country(actor=request.user, programme=found)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            ngettext("%(count)d projet créé.", "%(count)d projets créés.", len(created))
            % {"count": len(created)},
        )
    return redirect("cooperation:programme", found.pk)


def project(request: HttpRequest, pk: int) -> HttpResponse:
    found = project_get(request.user, pk)
    return render(
        request,
        "cooperation/projects/detail.html",
        {
            "project": found,
            "programme": found.programme,
            "sectors": [(s, sectors.sector_label(s.code)) for s in found.sectors.all()],
            "locations": found.locations.select_related("org_unit"),
            "can_edit": perms.can_edit_project(request.user, found),
        },
    )


def _shares_initial(rows: Any) -> str:
    return "\n".join(f"{code} {pct.normalize():f}" for code, pct in rows)


def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The project's fields, its sectors and its locations, saved together or not at all."""
    found = project_get(request.user, pk)
    if not perms.can_edit_project(request.user, found):
        raise Http404
    data = request.POST or None
    form = ProjectForm(data, instance=found, programme=found.programme)
    sector_form = SharesForm(
        data,
        prefix="sectors",
        initial={"shares": _shares_initial(found.sectors.values_list("code", "percentage"))},
    )
    location_form = SharesForm(
        data,
        prefix="locations",
        initial={
            "shares": _shares_initial(found.locations.values_list("org_unit__code", "percentage"))
        },
    )
    valid = form.is_valid() & sector_form.is_valid() & location_form.is_valid()
    if request.method == "POST" and valid:
        changes = {k: form.cleaned_data[k] for k in form.changed_data if k in PROJECT_EDITABLE}
        try:
            with transaction.atomic():
                project_update(
                    actor=request.user,
                    project=found,
                    version=form.cleaned_data.get("version"),
                    **changes,
                )
                if "shares" in sector_form.changed_data:
                    project_sectors_set(
                        actor=request.user, project=found, shares=sector_form.cleaned_data["shares"]
                    )
                if "shares" in location_form.changed_data:
                    rows = location_form.cleaned_data["shares"]
                    units = OrgUnit.objects.in_bulk([c for c, _p in rows], field_name="code")
                    missing = [c for c, _p in rows if c not in units]
                    if missing:
                        raise ValidationError(
                            {
                                "locations": [
                                    _("%(code)s : unité inconnue.") % {"code": c} for c in missing
                                ]
                            }
                        )
                    project_locations_set(
                        actor=request.user,
                        project=found,
                        shares=[(units[c], p) for c, p in rows],
                    )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                form_errors_add(form, exc)
            for field, problems in getattr(exc, "error_dict", {}).items():
                target = {"sectors": sector_form, "locations": location_form}.get(field)
                if target is not None:
                    target.add_error("shares", problems)
                else:
                    form_errors_add(form, ValidationError({field: problems}))
        else:
            messages.success(request, _("Projet enregistré."))
            return redirect("cooperation:project", found.pk)
    return render(
        request,
        "cooperation/projects/form.html",
        {
            "form": form,
            "sector_form": sector_form,
            "location_form": location_form,
            "programme": found.programme,
            "project": found,
        },
    )


def programme_team(request: HttpRequest, pk: int) -> HttpResponse:
    """The programme's team: managers, finance members and observers (the coordinators
    reach the programme through their country, partners through their agreements)."""
    found = programme_get(request.user, pk)
    manages = perms.manages(request.user, found)
    form = MemberForm(request.POST or None) if manages else None
    if request.method == "POST":
        if not manages:
            raise Http404
        remove = request.POST.get("remove", "")
        try:
            if remove.isdigit():
                member = found.members.select_related("user").filter(pk=int(remove)).first()
                if member is None:
                    raise Http404
                programme_member_remove(actor=request.user, member=member)
                messages.success(request, _("Retiré de l'équipe."))
                return redirect("cooperation:programme-team", found.pk)
            if form is not None and form.is_valid():
                programme_member_add(
                    actor=request.user,
                    programme=found,
                    user=form.cleaned_data["user"],
                    role=form.cleaned_data["role"],
                )
                messages.success(request, _("Ajouté à l'équipe."))
                return redirect("cooperation:programme-team", found.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return render(
        request,
        "cooperation/programmes/team.html",
        {
            "programme": found,
            "members": found.members.select_related("user").order_by("role", "user__username"),
            "form": form,
        },
    )


urlpatterns = [
    path("", programmes, name="programmes"),
    path("programmes/new/", programme_new, name="programme-new"),
    path("programmes/<int:pk>/", programme, name="programme"),
    path("programmes/<int:pk>/edit/", programme_edit, name="programme-edit"),
    path("programmes/<int:pk>/countries/", programme_countries, name="programme-countries"),
    path("programmes/<int:pk>/sectors/", programme_sectors, name="programme-sectors"),
    path("programmes/<int:pk>/team/", programme_team, name="programme-team"),
    path("programmes/<int:pk>/projects/new/", project_new, name="project-new"),
    path(
        "programmes/<int:pk>/projects/per-country/",
        projects_per_country,
        name="projects-per-country",
    ),
    path("projects/<int:pk>/", project, name="project"),
    path("projects/<int:pk>/edit/", project_edit, name="project-edit"),
]
