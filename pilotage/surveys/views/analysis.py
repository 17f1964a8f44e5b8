"""The results of a survey for its managers: the weighted table of one question, or of one
question by another, with the response rate and the weights behind it; the downloads of
the answers (XLSX, a zip of CSV) and the PDF summary.

Everything is a GET: the page's form names the questions, and htmx swaps the result in
place when they change (without JavaScript the form is sent as a plain GET)."""

from __future__ import annotations

import math
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _

from pilotage.surveys import estimation
from pilotage.surveys import permissions as perms
from pilotage.surveys.analysis import (
    Analysis,
    AnalysisError,
    Question,
    analysis_read,
    parse_totals,
    questions,
)
from pilotage.surveys.exports import CSV_ZIP_TYPE, XLSX_TYPE, submissions_csv_zip, submissions_xlsx
from pilotage.surveys.models import Survey
from pilotage.surveys.reports import LANGUAGES, ReportError, summary_pdf
from pilotage.surveys.selectors import survey_get


def _managed(request: HttpRequest, pk: int) -> Survey:
    found = survey_get(request.user, pk)
    if not perms.can_manage(request.user, found):
        raise Http404
    return found


def _lang() -> str:
    return "ar" if (translation.get_language() or "fr").startswith("ar") else "fr"


def _figure(value: float) -> float | None:
    """NaN (a base without respondents) is shown as a dash."""
    return None if math.isnan(value) else value


def _pct(e: estimation.Estimate) -> dict[str, Any]:
    return {
        "pct": _figure(100 * e.estimate),
        "lower": _figure(100 * e.lower),
        "upper": _figure(100 * e.upper),
        "n": e.n,
        "weighted": e.weighted_total,
        "small": e.small_sample,
    }


def _value(e: estimation.Estimate) -> dict[str, Any]:
    return {
        "value": _figure(e.estimate),
        "lower": _figure(e.lower),
        "upper": _figure(e.upper),
        "n": e.n,
        "weighted": e.weighted_total,
        "small": e.small_sample,
    }


def frequencies(found: Analysis, q: Question) -> dict[str, Any]:
    result = estimation.proportions(
        found.sample,
        q.name,
        multiple=q.multiple,
        categories=[name for name, _label in q.choices],
        fpc=found.fpc,
    )
    rows = [
        {"name": name, "label": q.choice_label(name), **_pct(e)}
        for name, e in result.categories.items()
    ]
    return {
        "kind": "frequencies",
        "rows": rows,
        "n": result.n,
        "missing": result.missing,
        "notes": result.notes,
        "chart": {
            "kind": "bar",
            "title": q.label,
            "labels": [r["label"] for r in rows],
            "values": [r["pct"] for r in rows],
            "lower": [r["lower"] for r in rows],
            "upper": [r["upper"] for r in rows],
        },
    }


def numeric(found: Analysis, q: Question, by: Question | None) -> dict[str, Any]:
    overall = estimation.mean(found.sample, q.name, fpc=found.fpc)
    rows = []
    if by is not None:
        for name, label in by.choices:
            part = estimation.mean(found.sample, q.name, domain=(by.name, name), fpc=found.fpc)
            rows.append({"label": label, **_value(part.estimate)})
    return {
        "kind": "mean",
        "overall": _value(overall.estimate),
        "rows": rows,
        "missing": overall.missing,
        "notes": overall.notes,
        "chart": {
            "kind": "bar",
            "title": q.label,
            "labels": [r["label"] for r in rows],
            "values": [r["value"] for r in rows],
            "lower": [r["lower"] for r in rows],
            "upper": [r["upper"] for r in rows],
        }
        if rows
        else None,
    }


def crosstab(found: Analysis, q: Question, by: Question) -> dict[str, Any]:
    """Rows are the categories of ``by``, columns the answers to ``q``: each row reads
    "among the associations of this region, x % chose…"."""
    table = estimation.crosstab(
        found.sample,
        by.name,
        q.name,
        multiple=q.multiple,
        row_categories=[name for name, _label in by.choices],
        column_categories=[name for name, _label in q.choices],
        fpc=found.fpc,
    )
    columns = [{"name": c, "label": q.choice_label(c)} for c in table.columns]
    rows: list[dict[str, Any]] = [
        {
            "label": by.choice_label(r),
            "n": table.row_n.get(r, 0),
            "cells": [
                {"count": table.cells[(r, c)].n, **_pct(table.cells[(r, c)].row)}
                for c in table.columns
            ],
        }
        for r in table.rows
    ]
    return {
        "kind": "crosstab",
        "columns": columns,
        "rows": rows,
        "n": table.n,
        "missing": table.missing,
        "notes": table.notes,
        "chart": {
            "kind": "grouped",
            "title": q.label,
            "labels": [r["label"] for r in rows],
            "series": [
                {"name": col["label"], "values": [row["cells"][i]["pct"] for row in rows]}
                for i, col in enumerate(columns)
            ],
        },
    }


def _weights_text(found: Analysis, post: Question | None) -> str:
    if not found.weighted:
        return str(
            _("Aucune pondération : pas d'échantillon tiré, chaque réponse compte pour une.")
        )
    text = str(
        _(
            "Poids de sondage N_h / n_h du tirage, ajustés pour la non-réponse dans chaque "
            "strate (N_h / r_h, r_h les répondants de la strate) : on suppose que, dans "
            "une strate, les répondants ressemblent aux non-répondants."
        )
    )
    if found.unweighted:
        text += " " + str(
            _("Partie non pondérée : %(n)s réponse(s) hors échantillon, poids 1.")
            % {"n": found.unweighted}
        )
    if found.poststratified_by:
        text += " " + str(
            _("Post-stratification sur « %(v)s ».")
            % {"v": post.label if post is not None else found.poststratified_by}
        )
    return text


def analysis_context(survey: Survey, params: Any, lang: str) -> dict[str, Any]:
    form = survey.current_form
    offered = questions(form.tree, lang) if form is not None else []
    by_name = {q.name: q for q in offered}
    q = by_name.get(params.get("q", ""))
    by = by_name.get(params.get("by", ""))
    if by is not None and (by.kind != "select one" or by == q):
        by = None
    post_name = params.get("post", "")
    post = by_name.get(post_name)
    context: dict[str, Any] = {
        "survey": survey,
        "questions": offered,
        "row_questions": [x for x in offered if x.kind == "select one"],
        "q": q,
        "by": by,
        "post": post,
        "totals": params.get("totals", ""),
        "error": "",
        "result": None,
        "found": None,
    }
    poststratify = None
    try:
        if post is not None and post.kind == "select one" and context["totals"].strip():
            poststratify = (post.name, parse_totals(context["totals"]))
        variables = [x.name for x in (q, by) if x is not None]
        found = analysis_read(survey, variables, poststratify=poststratify)
    except AnalysisError as exc:
        context["error"] = str(exc)
        return context
    context["found"] = found
    context["weights_text"] = _weights_text(found, post)
    if q is None or not len(found.sample):
        return context
    try:
        if q.numeric:
            context["result"] = numeric(found, q, by)
        elif by is not None:
            context["result"] = crosstab(found, q, by)
        else:
            context["result"] = frequencies(found, q)
    except ValueError as exc:
        context["error"] = str(exc)
    return context


def analysis(request: HttpRequest, pk: int) -> HttpResponse:
    found = _managed(request, pk)
    context = analysis_context(found, request.GET, _lang())
    context["chart"] = (context["result"] or {}).get("chart")
    context["query"] = request.GET.urlencode()
    template = (
        "surveys/_analysis_result.html"
        if request.headers.get("HX-Request")
        else "surveys/analysis.html"
    )
    return render(request, template, context)


def _download(body: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    found = _managed(request, pk)
    return _download(submissions_xlsx(found), XLSX_TYPE, f"enquete-{found.pk}-reponses.xlsx")


def export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    found = _managed(request, pk)
    return _download(submissions_csv_zip(found), CSV_ZIP_TYPE, f"enquete-{found.pk}-reponses.zip")


def report(request: HttpRequest, pk: int) -> HttpResponse:
    found = _managed(request, pk)
    lang = request.GET.get("lang", "fr")
    if lang not in LANGUAGES:
        raise Http404
    try:
        pdf = summary_pdf(found, lang)
    except ReportError as exc:
        context = analysis_context(found, {}, _lang())
        context["error"] = str(exc)
        return render(request, "surveys/analysis.html", context, status=503)
    return _download(pdf, "application/pdf", f"enquete-{found.pk}-synthese-{lang}.pdf")


urlpatterns = [
    path("<int:pk>/analysis/", analysis, name="analysis"),
    path("<int:pk>/export.xlsx", export_xlsx, name="export-xlsx"),
    path("<int:pk>/export-csv.zip", export_csv, name="export-csv"),
    path("<int:pk>/report.pdf", report, name="report"),
]
