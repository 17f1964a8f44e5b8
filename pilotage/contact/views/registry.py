"""The registry's pages: associations (list, page with their history of tickets, create,
edit, contact people, import) and citizens (list, page, create, edit)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from pilotage.contact import permissions as perms
from pilotage.contact.forms.registry import AssociationFilter, AssociationForm, RequesterForm
from pilotage.contact.imports.associations import KIND_NAME
from pilotage.contact.selectors.registry import (
    association_get,
    association_ticket_counts,
    association_tickets,
    associations_list,
    citizens_list,
    requester_get,
    requester_tickets,
)
from pilotage.contact.services.registry import (
    ASSOCIATION_EDITABLE,
    REQUESTER_EDITABLE,
    association_create,
    association_update,
    requester_create,
    requester_update,
)
from pilotage.core.forms import form_errors_add
from pilotage.core.imports import import_urls

PAGE_SIZE = 50


def associations(request: HttpRequest) -> HttpResponse:
    if not perms.can_use(request.user):
        raise Http404
    filters = AssociationFilter(request.GET or None, actor=request.user)
    chosen: dict[str, Any] = {}
    if filters.is_valid():
        chosen = {
            "q": filters.cleaned_data["q"],
            "unit": filters.cleaned_data["unit"],
            "field": filters.cleaned_data["field"].code if filters.cleaned_data["field"] else "",
            "legal_form": filters.cleaned_data["legal_form"],
        }
    page = Paginator(associations_list(request.user, **chosen), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    counts = association_ticket_counts(request.user, [a.pk for a in page])
    for association in page:
        association.tickets_count = counts.get(association.pk, 0)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "contact/registry/associations.html",
        {
            "page_obj": page,
            "filters": filters,
            "querystring_base": f"{query.urlencode()}&" if query else "",
            "can_create": perms.handles_tickets(request.user),
            "can_import": perms.can_import_associations(request.user),
            "import_kind": KIND_NAME,
        },
    )


def association(request: HttpRequest, pk: int) -> HttpResponse:
    found = association_get(request.user, pk)
    history = Paginator(association_tickets(request.user, found), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "contact/registry/association.html",
        {
            "association": found,
            "page_obj": history,
            "can_edit": perms.can_edit_association(request.user, found),
        },
    )


def association_new(request: HttpRequest) -> HttpResponse:
    if not perms.handles_tickets(request.user):
        raise Http404
    form = AssociationForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        values = {k: form.cleaned_data[k] for k in ASSOCIATION_EDITABLE}
        try:
            created = association_create(
                actor=request.user, fields=form.cleaned_data["fields"], **values
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        except PermissionDenied:
            form.add_error("org_unit", _("Ce siège est hors de votre périmètre."))
        else:
            messages.success(request, _("Association enregistrée."))
            return redirect("contact:association", created.pk)
    return render(request, "contact/registry/association_form.html", {"form": form})


def association_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = association_get(request.user, pk)
    if not perms.can_edit_association(request.user, found):
        raise Http404
    form = AssociationForm(request.POST or None, instance=found, actor=request.user)
    if request.method == "POST" and form.is_valid():
        changes = {k: form.cleaned_data[k] for k in form.changed_data if k in ASSOCIATION_EDITABLE}
        try:
            association_update(
                actor=request.user,
                association=pk,
                version=form.cleaned_data.get("version"),
                changes=changes,
                fields=form.cleaned_data["fields"],
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        except PermissionDenied:
            form.add_error("org_unit", _("Ce siège est hors de votre périmètre."))
        else:
            messages.success(request, _("Association enregistrée."))
            return redirect("contact:association", pk)
    return render(
        request,
        "contact/registry/association_form.html",
        {"form": form, "association": found},
    )


def association_contact_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = association_get(request.user, pk)
    if not perms.can_edit_association(request.user, found):
        raise Http404
    form = RequesterForm(request.POST or None, actor=request.user, contact=True)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k in REQUESTER_EDITABLE}
        try:
            requester_create(actor=request.user, association=found, **values)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Personne de contact enregistrée."))
            return redirect("contact:association", pk)
    return render(
        request,
        "contact/registry/requester_form.html",
        {"form": form, "association": found},
    )


def citizens(request: HttpRequest) -> HttpResponse:
    if not perms.can_use(request.user):
        raise Http404
    q = request.GET.get("q", "")[:100]
    page = Paginator(citizens_list(request.user, q=q), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "contact/registry/citizens.html",
        {
            "page_obj": page,
            "q": q,
            "querystring_base": f"{urlencode({'q': q})}&" if q else "",
            "can_create": perms.handles_tickets(request.user),
        },
    )


def citizen_new(request: HttpRequest) -> HttpResponse:
    if not perms.handles_tickets(request.user):
        raise Http404
    form = RequesterForm(request.POST or None, actor=request.user, contact=False)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k in REQUESTER_EDITABLE}
        try:
            created = requester_create(actor=request.user, **values)
        except ValidationError as exc:
            form_errors_add(form, exc)
        except PermissionDenied:
            form.add_error("org_unit", _("Ce lieu est hors de votre périmètre."))
        else:
            messages.success(request, _("Demandeur enregistré."))
            return redirect("contact:requester", created.pk)
    return render(request, "contact/registry/requester_form.html", {"form": form})


def requester(request: HttpRequest, pk: int) -> HttpResponse:
    found = requester_get(request.user, pk)
    history = Paginator(requester_tickets(request.user, found), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "contact/registry/requester.html",
        {
            "requester": found,
            "page_obj": history,
            "can_edit": perms.can_edit_requester(request.user, found),
        },
    )


def requester_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = requester_get(request.user, pk)
    if not perms.can_edit_requester(request.user, found):
        raise Http404
    contact = found.association_id is not None
    form = RequesterForm(request.POST or None, instance=found, actor=request.user, contact=contact)
    if request.method == "POST" and form.is_valid():
        changes = {k: form.cleaned_data[k] for k in form.changed_data if k in REQUESTER_EDITABLE}
        try:
            requester_update(
                actor=request.user,
                requester=pk,
                version=form.cleaned_data.get("version"),
                changes=changes,
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        except PermissionDenied:
            form.add_error(None, _("Ce lieu est hors de votre périmètre."))
        else:
            messages.success(request, _("Demandeur enregistré."))
            return redirect("contact:requester", pk)
    return render(
        request,
        "contact/registry/requester_form.html",
        {"form": form, "requester": found, "association": found.association},
    )


urlpatterns = [
    path("associations/", associations, name="associations"),
    path("associations/new/", association_new, name="association-new"),
    path("associations/<int:pk>/", association, name="association"),
    path("associations/<int:pk>/edit/", association_edit, name="association-edit"),
    path(
        "associations/<int:pk>/contacts/new/",
        association_contact_new,
        name="association-contact-new",
    ),
    *import_urls("associations/import/", KIND_NAME, "associations-import"),
    path("citizens/", citizens, name="citizens"),
    path("citizens/new/", citizen_new, name="citizen-new"),
    path("requesters/<int:pk>/", requester, name="requester"),
    path("requesters/<int:pk>/edit/", requester_edit, name="requester-edit"),
]
