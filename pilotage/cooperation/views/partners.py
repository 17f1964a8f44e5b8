"""The partners registry pages: the list (filters, search), a partner's page (contacts,
meetings, opportunities, and later its agreements), creating and editing a partner and
its contacts."""

from __future__ import annotations

import pycountry
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pilotage.cooperation import permissions as perms
from pilotage.cooperation.forms.partners import ContactForm, PartnerFilterForm, PartnerForm
from pilotage.cooperation.models import PartnerContact
from pilotage.cooperation.selectors.meetings import partner_meetings
from pilotage.cooperation.selectors.partners import partner_countries, partner_get, partners_list
from pilotage.cooperation.selectors.pipeline import opportunities_list
from pilotage.cooperation.services.partners import (
    CONTACT_FIELDS,
    PARTNER_EDITABLE,
    partner_contact_add,
    partner_contact_remove,
    partner_contact_update,
    partner_create,
    partner_update,
)
from pilotage.core.forms import form_errors_add

PAGE_SIZE = 50


def _country_label(code: str) -> str:
    found = pycountry.countries.get(alpha_2=code)
    return f"{code} — {found.name}" if found is not None else code


def partners(request: HttpRequest) -> HttpResponse:
    if not perms.staff_sees_partners(request.user):
        raise Http404
    countries = [(c, _country_label(c)) for c in partner_countries(request.user)]
    form = PartnerFilterForm(request.GET or None, countries=countries)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = partners_list(
        request.user,
        kind=filters.get("kind", ""),
        iati_type=filters.get("iati_type", ""),
        country=filters.get("country", ""),
        search=filters.get("q", ""),
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cooperation/partners/list.html",
        {
            "page_obj": page,
            "filter_form": form,
            "querystring_base": (query.urlencode() + "&") if query else "",
            "can_manage": perms.can_manage_partners(request.user),
        },
    )


def partner(request: HttpRequest, pk: int) -> HttpResponse:
    found = partner_get(request.user, pk)
    return render(
        request,
        "cooperation/partners/detail.html",
        {
            "partner": found,
            "contacts": found.contacts.all(),
            "meetings": partner_meetings(request.user, found),
            "opportunities": opportunities_list(request.user, partner=found),
            "can_manage": perms.can_manage_partners(request.user),
        },
    )


def partner_new(request: HttpRequest) -> HttpResponse:
    if not perms.can_manage_partners(request.user):
        raise Http404
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            created = partner_create(actor=request.user, **fields)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Partenaire créé."))
            return redirect("cooperation:partner", created.pk)
    return render(request, "cooperation/partners/form.html", {"form": form})


def partner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = partner_get(request.user, pk)
    if not perms.can_manage_partners(request.user):
        raise Http404
    form = PartnerForm(request.POST or None, instance=found)
    if request.method == "POST" and form.is_valid():
        changes = {k: form.cleaned_data[k] for k in form.changed_data if k in PARTNER_EDITABLE}
        try:
            partner_update(
                actor=request.user,
                partner=found,
                version=form.cleaned_data.get("version"),
                **changes,
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Partenaire enregistré."))
            return redirect("cooperation:partner", found.pk)
    return render(request, "cooperation/partners/form.html", {"form": form, "partner": found})


def _contact_of(request: HttpRequest, pk: int, contact_pk: int) -> PartnerContact:
    found = partner_get(request.user, pk)
    if not perms.can_manage_partners(request.user):
        raise Http404
    contact = found.contacts.filter(pk=contact_pk).first()
    if contact is None:
        raise Http404
    return contact


def partner_contact_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = partner_get(request.user, pk)
    if not perms.can_manage_partners(request.user):
        raise Http404
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            partner_contact_add(actor=request.user, partner=found, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Contact ajouté."))
            return redirect("cooperation:partner", found.pk)
    return render(
        request, "cooperation/partners/contact_form.html", {"form": form, "partner": found}
    )


def partner_contact_edit(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    contact = _contact_of(request, pk, contact_pk)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        changes = {k: form.cleaned_data[k] for k in form.changed_data if k in CONTACT_FIELDS}
        try:
            partner_contact_update(actor=request.user, contact=contact, **changes)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Contact enregistré."))
            return redirect("cooperation:partner", contact.partner_id)
    return render(
        request,
        "cooperation/partners/contact_form.html",
        {"form": form, "partner": contact.partner, "contact": contact},
    )


@require_POST
def partner_contact_delete(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    contact = _contact_of(request, pk, contact_pk)
    try:
        partner_contact_remove(actor=request.user, contact=contact)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("Contact retiré."))
    return redirect("cooperation:partner", pk)


urlpatterns = [
    path("partners/", partners, name="partners"),
    path("partners/new/", partner_new, name="partner-new"),
    path("partners/<int:pk>/", partner, name="partner"),
    path("partners/<int:pk>/edit/", partner_edit, name="partner-edit"),
    path("partners/<int:pk>/contacts/new/", partner_contact_new, name="partner-contact-new"),
    path(
        "partners/<int:pk>/contacts/<int:contact_pk>/edit/",
        partner_contact_edit,
        name="partner-contact-edit",
    ),
    path(
        "partners/<int:pk>/contacts/<int:contact_pk>/remove/",
        partner_contact_delete,
        name="partner-contact-remove",
    ),
]
