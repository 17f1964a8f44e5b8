"""The resources pages of a programme: the bank (search, add, download through a
permission check), the print runs with their totals per country and region, and a run's
distributions with their confirmations."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from pilotage.cooperation import permissions as perms
from pilotage.cooperation.forms.resources import (
    ConfirmForm,
    DistributionForm,
    PrintRunForm,
    ResourceForm,
    ResourceSearchForm,
)
from pilotage.cooperation.models import Distribution, Programme
from pilotage.cooperation.selectors.programmes import programme_get, programme_projects
from pilotage.cooperation.selectors.resources import (
    print_run_get,
    print_runs_list,
    print_totals,
    resource_get,
    resources_search,
    run_distributions,
)
from pilotage.cooperation.services.resources import (
    PRINT_RUN_FIELDS,
    distribution_add,
    distribution_confirm,
    print_run_create,
    print_run_update,
    resource_create,
)
from pilotage.core.forms import form_errors_add
from pilotage.orgunits.models import OrgUnit

PAGE_SIZE = 50


def _programme(request: HttpRequest, pk: int) -> Programme:
    programme = programme_get(request.user, pk)
    if not perms.can_view_resources(request.user, programme):
        raise Http404
    return programme


def resources(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    search = ResourceSearchForm(request.GET or None)
    filters = search.cleaned_data if search.is_valid() else {}
    found = resources_search(
        request.user, programme, **{k: v for k, v in filters.items() if v}
    ).select_related("programme")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cooperation/resources/list.html",
        {
            "programme": programme,
            "page_obj": page,
            "search": search,
            "can_add": perms.can_add_resource(request.user, programme),
        },
    )


def resource_new(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    if not perms.can_add_resource(request.user, programme):
        raise Http404
    form = ResourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "upload"}
        try:
            resource_create(
                actor=request.user,
                programme=programme,
                upload=form.cleaned_data.get("upload"),
                **fields,
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Ressource ajoutée à la banque."))
            return redirect("cooperation:resources", programme.pk)
    return render(
        request, "cooperation/resources/form.html", {"form": form, "programme": programme}
    )


def resource_download(request: HttpRequest, pk: int) -> FileResponse:
    """The file, to a reader who sees the resource (else 404), as an attachment: the
    browser never renders an uploaded file in the application's origin."""
    resource = resource_get(request.user, pk)
    if not resource.file:
        raise Http404
    return FileResponse(
        resource.file.open("rb"),
        as_attachment=True,
        filename=resource.file.name.rsplit("/", 1)[-1],
        content_type=resource.content_type or "application/octet-stream",
    )


def _run_countries(request: HttpRequest, programme: Programme) -> QuerySet[OrgUnit]:
    """The countries where the user records the programme's print runs (the projects'
    countries for a manager, their own for a coordinator)."""
    projects = [p for p in programme_projects(request.user, programme) if p.country]
    if not perms.manages(request.user, programme):
        projects = [p for p in projects if perms.coordinates(request.user, p)]
    return OrgUnit.objects.filter(pk__in=[p.country_id for p in projects]).order_by("code")


def print_runs(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    page = Paginator(print_runs_list(request.user, programme), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cooperation/resources/print_runs.html",
        {
            "programme": programme,
            "page_obj": page,
            "totals": print_totals(request.user, programme),
            "can_add": _run_countries(request, programme).exists(),
        },
    )


def print_run_new(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    countries = _run_countries(request, programme)
    if not countries.exists():
        raise Http404
    form = PrintRunForm(
        request.POST or None,
        programme=programme,
        countries=countries,
        resources=resources_search(request.user, programme),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = print_run_create(
                actor=request.user,
                programme=programme,
                resource=data["resource"],
                country=data["country"],
                **{k: data[k] for k in PRINT_RUN_FIELDS},
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Tirage enregistré."))
            return redirect("cooperation:print-run", programme.pk, run.pk)
    return render(
        request, "cooperation/resources/print_run_form.html", {"form": form, "programme": programme}
    )


def print_run(request: HttpRequest, pk: int, run: int) -> HttpResponse:
    programme = _programme(request, pk)
    found = print_run_get(request.user, programme, run)
    can_edit = perms.can_record_print_run(request.user, programme, found.country)
    form = PrintRunForm(
        None,
        instance=found,
        programme=programme,
        countries=OrgUnit.objects.filter(pk=found.country_id),
        resources=resources_search(request.user, programme),
    )
    dist_form = DistributionForm(None, country=found.country)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "edit":
                form = PrintRunForm(
                    request.POST,
                    instance=found,
                    programme=programme,
                    countries=OrgUnit.objects.filter(pk=found.country_id),
                    resources=resources_search(request.user, programme),
                )
                if form.is_valid():
                    print_run_update(
                        actor=request.user,
                        run=found,
                        version=form.cleaned_data.get("version"),
                        **{
                            k: form.cleaned_data[k]
                            for k in form.changed_data
                            if k in PRINT_RUN_FIELDS
                        },
                    )
                    messages.success(request, _("Tirage enregistré."))
                    return redirect("cooperation:print-run", programme.pk, found.pk)
            elif action == "distribute":
                dist_form = DistributionForm(request.POST, country=found.country)
                if dist_form.is_valid():
                    distribution_add(actor=request.user, run=found, **dist_form.cleaned_data)
                    messages.success(request, _("Distribution enregistrée."))
                    return redirect("cooperation:print-run", programme.pk, found.pk)
            elif action == "confirm":
                confirm = ConfirmForm(request.POST)
                distribution = Distribution.objects.filter(
                    print_run=found, pk=request.POST.get("distribution") or 0
                ).first()
                if distribution is None:
                    raise Http404
                if confirm.is_valid():
                    distribution_confirm(
                        actor=request.user,
                        distribution=distribution,
                        quantity=confirm.cleaned_data["quantity"],
                        on=confirm.cleaned_data["on"],
                    )
                    messages.success(request, _("Réception confirmée."))
                    return redirect("cooperation:print-run", programme.pk, found.pk)
                messages.error(
                    request, " ".join(str(m) for ms in confirm.errors.values() for m in ms)
                )
        except ValidationError as exc:
            target = dist_form if action == "distribute" else form
            if action == "confirm":
                messages.error(request, " ".join(exc.messages))
            else:
                form_errors_add(target, exc)
    return render(
        request,
        "cooperation/resources/print_run.html",
        {
            "programme": programme,
            "run": found,
            "distributions": run_distributions(found),
            "form": form,
            "dist_form": dist_form,
            "can_edit": can_edit,
        },
    )


urlpatterns = [
    path("programmes/<int:pk>/resources/", resources, name="resources"),
    path("programmes/<int:pk>/resources/new/", resource_new, name="resource-new"),
    path("resources/<int:pk>/download/", resource_download, name="resource-download"),
    path("programmes/<int:pk>/print-runs/", print_runs, name="print-runs"),
    path("programmes/<int:pk>/print-runs/new/", print_run_new, name="print-run-new"),
    path("programmes/<int:pk>/print-runs/<int:run>/", print_run, name="print-run"),
]
