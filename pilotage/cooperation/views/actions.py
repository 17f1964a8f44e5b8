"""The partner actions pages ("who does what where"): the table with its filters, the map
of countries, creating and editing an action, the XLSX export of the filtered table and
the import (the kernel's page, ``imports.actions.ACTIONS``)."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

from pilotage.cooperation import permissions as perms
from pilotage.cooperation.forms.actions import ActionFilterForm, ActionForm
from pilotage.cooperation.imports.actions import ACTIONS, COLUMNS, export_row
from pilotage.cooperation.selectors.actions import (
    action_get,
    action_partners,
    actions_by_country,
    actions_list,
)
from pilotage.cooperation.services.actions import (
    ACTION_FIELDS,
    action_create,
    action_delete,
    action_update,
)
from pilotage.core.forms import form_errors_add
from pilotage.core.imports import XLSX_TYPE, import_urls

PAGE_SIZE = 50
WORLD_MAP = "vendor/countries-110m.json"
TOPOJSON = "vendor/topojson-client.min.js"
FILTER_KEYS = ("country", "subdivision", "topic", "partner", "status")


def _filters(request: HttpRequest) -> tuple[ActionFilterForm, str]:
    data = {k: request.GET[k] for k in FILTER_KEYS if request.GET.get(k)}
    form = ActionFilterForm(data, partners=action_partners(request.user))
    return form, urlencode(data)


def _map_query(request: HttpRequest) -> str:
    """The filters the map keeps: every one but the country and region (it shows them all)."""
    keep = ("topic", "partner", "status")
    return urlencode({k: request.GET[k] for k in keep if request.GET.get(k)})


def actions(request: HttpRequest) -> HttpResponse:
    if not perms.can_view_actions(request.user):
        raise Http404
    form, query = _filters(request)
    rows = actions_list(request.user, form.filters())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    editable = perms.action_edit_rule(request.user)
    return render(
        request,
        "cooperation/actions/list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": [(a, editable(a)) for a in page],
            "query": query,
            "querystring_base": f"{query}&" if query else "",
            "map_query": _map_query(request),
            "can_add": perms.can_add_actions(request.user),
            "can_import": perms.can_import_actions(request.user),
        },
    )


def actions_map(request: HttpRequest) -> HttpResponse:
    """The countries coloured by their number of actions or beneficiaries reached; a click
    opens the table of that country. Without the map file, the page keeps its table."""
    if not perms.can_view_actions(request.user):
        raise Http404
    form, query = _filters(request)
    measure = "reached" if request.GET.get("measure") == "reached" else "actions"
    countries = actions_by_country(
        request.user, replace(form.filters(), country=None, subdivision=None)
    )
    base = reverse("cooperation:actions")
    for row in countries:
        others = {k: v for k, v in form.data.items() if k not in ("country", "subdivision")}
        row["url"] = f"{base}?{urlencode({**others, 'country': row['pk']})}"
    has_map = finders.find(WORLD_MAP) is not None or _collected(WORLD_MAP)
    spec = {
        "topology": static(WORLD_MAP),
        "measure": measure,
        "label": _("Actions") if measure == "actions" else _("Bénéficiaires atteints"),
        "locale": request.LANGUAGE_CODE,
        "rtl": get_language_bidi(),
        "noData": _("aucune action"),
        "countries": [
            {
                "numeric": row["numeric"],
                "code": row["code"],
                "name": row["name"],
                "value": row[measure],
                "actions": row["actions"],
                "url": row["url"],
            }
            for row in countries
            if row["numeric"]
        ],
        "actionsLabel": _("actions"),
    }
    return render(
        request,
        "cooperation/actions/map.html",
        {
            "form": form,
            "query": query,
            "map_query": _map_query(request),
            "countries": countries,
            "measure": measure,
            "map_spec": spec,
            "has_map": has_map,
            "topojson": TOPOJSON,
        },
    )


def _collected(name: str) -> bool:
    root = getattr(settings, "STATIC_ROOT", None)
    return bool(root) and (settings.BASE_DIR / str(root) / name).exists()


def _form_fields(form: ActionForm) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if k in ACTION_FIELDS}


def action_new(request: HttpRequest) -> HttpResponse:
    if not perms.can_add_actions(request.user):
        raise Http404
    own = perms.partner_of(request.user)
    form = ActionForm(request.POST or None, own_partner=own)
    if request.method == "POST" and form.is_valid():
        try:
            action = action_create(
                actor=request.user,
                subdivisions=form.cleaned_data["subdivisions"],
                **_form_fields(form),
            )
        except PermissionDenied:
            form.add_error(
                None, _("Vous ne pouvez pas enregistrer une action de ce partenaire dans ce pays.")
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Action enregistrée."))
            return redirect(f"{reverse('cooperation:actions')}?country={action.country_id}")
    return render(request, "cooperation/actions/form.html", {"form": form})


def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = action_get(request.user, pk)
    if not perms.can_edit_action(request.user, found):
        raise Http404
    own = perms.partner_of(request.user)
    form = ActionForm(request.POST or None, instance=found, own_partner=own)
    if request.method == "POST" and form.is_valid():
        changes = {k: form.cleaned_data[k] for k in form.changed_data if k in ACTION_FIELDS}
        try:
            action_update(
                actor=request.user,
                action=found,
                version=form.cleaned_data.get("version"),
                subdivisions=form.cleaned_data["subdivisions"],
                **changes,
            )
        except PermissionDenied:
            form.add_error(
                None, _("Vous ne pouvez pas enregistrer une action de ce partenaire dans ce pays.")
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Action enregistrée."))
            return redirect(f"{reverse('cooperation:actions')}?country={found.country_id}")
    return render(request, "cooperation/actions/form.html", {"form": form, "action": found})


def action_remove(request: HttpRequest, pk: int) -> HttpResponse:
    found = action_get(request.user, pk)
    if request.method != "POST" or not perms.can_edit_action(request.user, found):
        raise Http404
    version = request.POST.get("version")
    try:
        action_delete(
            actor=request.user,
            action=found,
            version=int(version) if version and version.isdigit() else None,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("cooperation:action-edit", found.pk)
    messages.success(request, _("Action supprimée."))
    return redirect("cooperation:actions")


def actions_export(request: HttpRequest) -> HttpResponse:
    """The filtered table as XLSX: the first sheet in the import's columns (it imports
    back as it is), the second readable, in the reader's language."""
    if not perms.can_view_actions(request.user):
        raise Http404
    from openpyxl import Workbook

    form, _query = _filters(request)
    rows = list(actions_list(request.user, form.filters()))
    book = Workbook(write_only=True)
    data = book.create_sheet(str(_("Actions"))[:31])
    data.append(COLUMNS)
    for action in rows:
        data.append(export_row(action))
    readable = book.create_sheet(str(_("Lisible"))[:31])
    if get_language_bidi():
        readable.sheet_view.rightToLeft = True
    readable.append(
        [
            _("Partenaire"),
            _("Pays"),
            _("Régions"),
            _("Intitulé"),
            _("Thème"),
            _("Bénéficiaires"),
            _("Prévus"),
            _("Atteints"),
            _("Début"),
            _("Fin"),
            _("Statut"),
            _("Budget"),
            _("Devise"),
            _("Mis à jour le"),
        ]
    )
    for a in rows:
        readable.append(
            [
                a.partner.name,
                a.country.name,
                ", ".join(u.name for u in a.subdivisions.all()),
                a.title,
                a.get_topic_display(),
                a.get_beneficiary_type_display(),
                a.planned,
                a.reached,
                a.start_date,
                a.end_date,
                a.get_status_display(),
                a.budget_amount,
                a.budget_currency,
                timezone.localtime(a.updated_at).replace(tzinfo=None),
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="actions-partenaires-{stamp}.xlsx"'
    return response


urlpatterns = [
    path("actions/", actions, name="actions"),
    path("actions/map/", actions_map, name="actions-map"),
    path("actions/new/", action_new, name="action-new"),
    path("actions/export.xlsx", actions_export, name="actions-export"),
    path("actions/<int:pk>/edit/", action_edit, name="action-edit"),
    path("actions/<int:pk>/delete/", action_remove, name="action-delete"),
    *import_urls("actions/import/", ACTIONS.name, "actions-import"),
]
