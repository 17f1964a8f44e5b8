"""The results pages: a programme's logframe, its nodes and indicators, period targets,
the updates a country reports and a manager approves or returns, and the target-vs-actual
table with its XLSX export."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from pilotage.cooperation import permissions as perms
from pilotage.cooperation.forms.results import (
    CommentForm,
    IndicatorForm,
    NodeForm,
    TargetForm,
    UpdateForm,
)
from pilotage.cooperation.models import EDITABLE_STATUSES, Measure, UpdateStatus
from pilotage.cooperation.selectors.programmes import programme_get
from pilotage.cooperation.selectors.results import (
    Row,
    catalogue_figures,
    indicator_get,
    logframe,
    node_get,
    programme_updates,
    reportable_projects,
    table_countries,
    target_vs_actual,
    update_get,
    updates_to_approve,
    updates_to_report,
)
from pilotage.cooperation.services.results import (
    INDICATOR_FIELDS,
    NODE_FIELDS,
    indicator_create,
    indicator_update,
    node_create,
    node_update,
    target_set,
    update_approve,
    update_comment_add,
    update_create,
    update_edit,
    update_return,
    update_submit,
)
from pilotage.core.forms import form_errors_add

PAGE_SIZE = 50


def results(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_get(request.user, pk)
    nodes = logframe(request.user, programme)
    return render(
        request,
        "cooperation/results/logframe.html",
        {
            "programme": programme,
            "nodes": nodes,
            "can_edit": perms.can_edit_results(request.user, programme),
            "can_report": bool(reportable_projects(request.user, programme)),
        },
    )


def node_new(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_get(request.user, pk)
    if not perms.can_edit_results(request.user, programme):
        raise Http404
    form = NodeForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            node_create(actor=request.user, programme=programme, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Résultat ajouté au cadre."))
            return redirect("cooperation:results", programme.pk)
    return render(request, "cooperation/results/form.html", {"programme": programme, "form": form})


def node_edit(request: HttpRequest, pk: int) -> HttpResponse:
    node = node_get(request.user, pk)
    programme = node.programme
    if not perms.can_edit_results(request.user, programme):
        raise Http404
    form = NodeForm(request.POST or None, instance=node, programme=programme)
    if request.method == "POST" and form.is_valid():
        changes = {k: form.cleaned_data[k] for k in form.changed_data if k in NODE_FIELDS}
        try:
            node_update(actor=request.user, node=node, **changes)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Résultat enregistré."))
            return redirect("cooperation:results", programme.pk)
    return render(request, "cooperation/results/form.html", {"programme": programme, "form": form})


def indicator_new(request: HttpRequest, pk: int) -> HttpResponse:
    node = node_get(request.user, pk)
    programme = node.programme
    if not perms.can_edit_results(request.user, programme):
        raise Http404
    form = IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k in INDICATOR_FIELDS}
        try:
            found = indicator_create(actor=request.user, node=node, **fields)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Indicateur créé."))
            return redirect("cooperation:result-indicator", found.pk)
    return render(
        request,
        "cooperation/results/form.html",
        {"programme": programme, "form": form, "node": node},
    )


def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = indicator_get(request.user, pk)
    programme = found.node.programme
    if not perms.can_edit_results(request.user, programme):
        raise Http404
    form = IndicatorForm(request.POST or None, instance=found)
    if request.method == "POST" and form.is_valid():
        changes = {k: form.cleaned_data[k] for k in form.changed_data if k in INDICATOR_FIELDS}
        try:
            indicator_update(
                actor=request.user,
                indicator=found,
                version=form.cleaned_data.get("version"),
                **changes,
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Indicateur enregistré."))
            return redirect("cooperation:result-indicator", found.pk)
    return render(request, "cooperation/results/form.html", {"programme": programme, "form": form})


def indicator(request: HttpRequest, pk: int) -> HttpResponse:
    found = indicator_get(request.user, pk)
    programme = found.node.programme
    can_edit = perms.can_edit_results(request.user, programme)
    target_form = TargetForm(request.POST or None, indicator=found)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if target_form.is_valid():
            try:
                target_set(actor=request.user, indicator=found, **target_form.cleaned_data)
            except ValidationError as exc:
                form_errors_add(target_form, exc)
            else:
                messages.success(request, _("Cible enregistrée."))
                return redirect("cooperation:result-indicator", found.pk)
    updates = list(programme_updates(request.user, programme).filter(indicator=found)[:PAGE_SIZE])
    countries = table_countries(request.user, programme)
    return render(
        request,
        "cooperation/results/indicator.html",
        {
            "programme": programme,
            "indicator": found,
            "targets": found.targets.select_related("country").order_by(
                "period_start", "country__code"
            ),
            "updates": updates,
            "can_edit": can_edit,
            "target_form": target_form,
            "catalogue": catalogue_figures(found, countries),
            "can_report": bool(reportable_projects(request.user, programme)),
        },
    )


def _updates_page(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    programme = programme_get(request.user, pk)
    qs = (
        updates_to_report(request.user, programme)
        if which == "report"
        else updates_to_approve(request.user, programme)
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    indicators = [i for n in logframe(request.user, programme) for i in n.indicators.all()]
    return render(
        request,
        "cooperation/results/updates.html",
        {
            "programme": programme,
            "page_obj": page,
            "which": which,
            "indicators": indicators if reportable_projects(request.user, programme) else [],
        },
    )


def to_report(request: HttpRequest, pk: int) -> HttpResponse:
    return _updates_page(request, pk, "report")


def to_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _updates_page(request, pk, "approve")


def update_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = indicator_get(request.user, pk)
    programme = found.node.programme
    projects = reportable_projects(request.user, programme)
    if not projects:
        raise Http404
    # The first year of the programme; a coordinator changes it to the year reported.
    initial = {
        "period_start": programme.start_date,
        "period_end": min(dt.date(programme.start_date.year, 12, 31), programme.end_date),
    }
    form = UpdateForm(request.POST or None, indicator=found, projects=projects, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            created = update_create(
                actor=request.user,
                indicator=found,
                project=form.cleaned_data["project"],
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
                cells=form.cells(),
                **form.figures(),
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Résultat enregistré en brouillon."))
            return redirect("cooperation:result-update", created.pk)
    return render(
        request,
        "cooperation/results/update_form.html",
        {"programme": programme, "indicator": found, "form": form},
    )


def update_change(request: HttpRequest, pk: int) -> HttpResponse:
    found = update_get(request.user, pk)
    programme = found.project.programme
    if not perms.can_report(request.user, found.project) or found.status not in EDITABLE_STATUSES:
        raise Http404
    initial = {
        "version": found.version,
        "value": found.value,
        "numerator": found.numerator,
        "denominator": found.denominator,
        "text": found.text,
    }
    form = UpdateForm(
        request.POST or None,
        indicator=found.indicator,
        projects=[found.project],
        update=found,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_edit(
                actor=request.user,
                update=found,
                version=form.cleaned_data.get("version"),
                cells=form.cells(),
                **form.figures(),
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Résultat enregistré."))
            return redirect("cooperation:result-update", found.pk)
    return render(
        request,
        "cooperation/results/update_form.html",
        {"programme": programme, "indicator": found.indicator, "form": form, "update": found},
    )


def update(request: HttpRequest, pk: int) -> HttpResponse:
    found = update_get(request.user, pk)
    programme = found.project.programme
    form = CommentForm(request.POST or None, initial={"version": found.version})
    can_report = perms.can_report(request.user, found.project)
    can_approve = perms.can_approve_update(request.user, found)
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action")
        version = form.cleaned_data.get("version")
        comment = form.cleaned_data.get("comment") or ""
        try:
            if action == "submit" and can_report:
                update_submit(actor=request.user, update=found, version=version)
                messages.success(request, _("Résultat soumis pour approbation."))
            elif action == "return" and can_approve:
                update_return(actor=request.user, update=found, version=version, comment=comment)
                messages.success(request, _("Résultat renvoyé pour révision."))
            elif action == "approve" and can_approve:
                update_approve(actor=request.user, update=found, version=version, comment=comment)
                messages.success(request, _("Résultat approuvé."))
            elif action == "comment" and (can_report or can_approve):
                update_comment_add(actor=request.user, update=found, text=comment)
                messages.success(request, _("Commentaire ajouté."))
            else:
                raise Http404
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            return redirect("cooperation:result-update", found.pk)
    figures = []
    if found.indicator.catalogue_code and found.project.country is not None:
        figures = catalogue_figures(found.indicator, [found.project.country], on=found.period_end)
    return render(
        request,
        "cooperation/results/update.html",
        {
            "programme": programme,
            "update": found,
            "cells": found.cells.all(),
            "comments": found.comments.select_related("author"),
            "form": form,
            "can_edit": can_report and found.status in EDITABLE_STATUSES,
            "can_submit": can_report and found.status in EDITABLE_STATUSES,
            "can_decide": can_approve and found.status == UpdateStatus.SUBMITTED,
            "catalogue": figures,
        },
    )


def _table_args(request: HttpRequest, programme: Any) -> dict[str, Any]:
    countries = table_countries(request.user, programme)
    chosen = request.GET.get("country") or ""
    country = next((c for c in countries if c.code == chosen), None)
    until = None
    if request.GET.get("until"):
        try:
            until = dt.date.fromisoformat(request.GET["until"])
        except ValueError:
            until = None
    return {"countries": countries, "country": country, "until": until}


def table(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_get(request.user, pk)
    args = _table_args(request, programme)
    rows = target_vs_actual(request.user, programme, country=args["country"], until=args["until"])
    return render(
        request,
        "cooperation/results/table.html",
        {"programme": programme, "rows": rows, **args, "query": request.GET.urlencode()},
    )


def _xlsx_number(value: Any) -> Any:
    return None if value is None else float(round(value, 4))


def table_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    from openpyxl import Workbook

    programme = programme_get(request.user, pk)
    args = _table_args(request, programme)
    rows: list[Row] = target_vs_actual(
        request.user, programme, country=args["country"], until=args["until"]
    )
    book = Workbook()
    sheet = book.create_sheet(index=0)
    book.remove(book.worksheets[1])
    sheet.title = _("Cibles et réalisations")[:31]
    sheet.append(
        [
            _("Résultat"),
            _("Indicateur"),
            _("Intitulé"),
            _("Pays"),
            _("Début"),
            _("Fin"),
            _("Référence"),
            _("Cible"),
            _("Réalisé"),
            _("Numérateur"),
            _("Dénominateur"),
            _("Taux de réalisation (%)"),
            _("Déclarations comptées"),
        ]
    )
    for r in rows:
        period = (r.period_start, r.period_end) if not r.is_end else (_("Fin de programme"), None)
        actual = (
            r.actual
            if r.measure != Measure.QUALITATIVE
            else " | ".join(f"{c}: {t}" for c, t in r.texts)
        )
        sheet.append(
            [
                r.node_code,
                r.indicator_code,
                r.indicator_title,
                r.country_name or _("Tout le programme"),
                period[0],
                period[1],
                _xlsx_number(r.baseline),
                _xlsx_number(r.target) if r.target is not None else r.target_text or None,
                _xlsx_number(actual) if not isinstance(actual, str) else actual,
                _xlsx_number(r.numerator),
                _xlsx_number(r.denominator),
                _xlsx_number(r.achievement),
                r.updates_counted,
            ]
        )
    out = BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="resultats-{programme.code}.xlsx"'
    return response


urlpatterns = [
    path("programmes/<int:pk>/results/", results, name="results"),
    path("programmes/<int:pk>/results/nodes/new/", node_new, name="result-node-new"),
    path("programmes/<int:pk>/results/to-report/", to_report, name="results-to-report"),
    path("programmes/<int:pk>/results/to-approve/", to_approve, name="results-to-approve"),
    path("programmes/<int:pk>/results/table/", table, name="results-table"),
    path("programmes/<int:pk>/results/table.xlsx", table_xlsx, name="results-table-xlsx"),
    path("results/nodes/<int:pk>/edit/", node_edit, name="result-node-edit"),
    path("results/nodes/<int:pk>/indicators/new/", indicator_new, name="result-indicator-new"),
    path("results/indicators/<int:pk>/", indicator, name="result-indicator"),
    path("results/indicators/<int:pk>/edit/", indicator_edit, name="result-indicator-edit"),
    path("results/indicators/<int:pk>/report/", update_new, name="result-update-new"),
    path("results/updates/<int:pk>/", update, name="result-update"),
    path("results/updates/<int:pk>/edit/", update_change, name="result-update-edit"),
]
