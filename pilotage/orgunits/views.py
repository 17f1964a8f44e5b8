from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from pilotage.accounts.selectors import assignments_visible
from pilotage.orgunits.forms import OrgUnitForm
from pilotage.orgunits.permissions import can_browse_tree, can_edit_orgunit
from pilotage.orgunits.selectors import (
    orgunit_breadcrumb,
    orgunit_children,
    orgunit_search,
    orgunit_tree,
    orgunits_visible,
)
from pilotage.orgunits.services import orgunit_update


def browse(request: HttpRequest) -> HttpResponse:
    if not can_browse_tree(request.user):
        raise Http404
    return render(request, "orgunits/browse.html", {"tree": orgunit_tree(request.user)})


def detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_object_or_404(orgunits_visible(request.user), code=code)
    children = Paginator(orgunit_children(request.user, unit), 100).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "orgunits/detail.html",
        {
            "unit": unit,
            "school": getattr(unit, "school", None),
            "breadcrumb": orgunit_breadcrumb(request.user, unit),
            "page_obj": children,
            "querystring_base": "",
            "staff": assignments_visible(request.user)
            .filter(org_unit=unit)
            .select_related("user")[:50],
            "can_edit": can_edit_orgunit(request.user, unit),
        },
    )


def edit(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_object_or_404(orgunits_visible(request.user), code=code)
    if not can_edit_orgunit(request.user, unit):
        raise Http404
    form = OrgUnitForm(
        request.POST or None, initial={f: getattr(unit, f) for f in OrgUnitForm.FIELDS}
    )
    if request.method == "POST" and form.is_valid():
        orgunit_update(actor=request.user, org_unit=unit, **form.cleaned_data)
        messages.success(request, _("Unité enregistrée."))
        return redirect("orgunits:detail", code=unit.code)
    return render(
        request,
        "orgunits/edit.html",
        {"unit": unit, "form": form, "breadcrumb": orgunit_breadcrumb(request.user, unit)},
    )


@require_GET
def children(request: HttpRequest, code: str) -> HttpResponse:
    """The picker's tree: one level at a time, loaded when a node is opened."""
    unit = get_object_or_404(orgunits_visible(request.user), code=code)
    return render(
        request, "orgunits/_tree_nodes.html", {"nodes": orgunit_children(request.user, unit)[:500]}
    )


@require_GET
def tree(request: HttpRequest) -> HttpResponse:
    """The top of the actor's tree, opened one level: what a picker included in another
    page (a person's role form) loads when its tree is opened."""
    if not can_browse_tree(request.user):
        raise Http404
    return render(request, "orgunits/_tree_nodes.html", {"nodes": orgunit_tree(request.user)})


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """The picker's results; ``kind=school`` keeps the schools only."""
    if not can_browse_tree(request.user):
        raise Http404
    q = request.GET.get("q", "")
    return render(
        request,
        "orgunits/_search_results.html",
        {
            "results": orgunit_search(
                request.user, q, schools_only=request.GET.get("kind") == "school"
            ),
            "q": q,
        },
    )
