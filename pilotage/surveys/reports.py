"""A survey's results summary as a PDF, in French or in Arabic: its title, its design
(method, strata, n and N), the response rate and the weights used, then for each
select_one question its weighted frequencies with their 95 % confidence intervals and
unweighted counts — the figures of the results page (``analysis.py``), for a report.

It uses the kernel's Typst toolchain (``core/pdf.py``), which shapes Arabic: every word
and number is prepared here in the summary's language, the template
(``templates/surveys/reports/summary.typ``) only places them."""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from pilotage.core import pdf as core_pdf
from pilotage.surveys import estimation
from pilotage.surveys.analysis import AnalysisError, analysis_read, questions
from pilotage.surveys.models import Survey
from pilotage.surveys.rendering import SELECT_ONE

LANGUAGES = ("fr", "ar")
TEMPLATE = Path(__file__).resolve().parent / "templates" / "surveys" / "reports" / "summary.typ"


class ReportError(Exception):
    """The summary cannot be produced; the message says why, for the person who asked."""


@functools.cache
def _template() -> bytes:
    return TEMPLATE.read_bytes()


def _number(value: float, decimals: int = 1) -> str:
    if math.isnan(value):
        return "—"
    return formats.number_format(round(value, decimals), decimal_pos=decimals, use_l10n=True)


def _ltr(text: str) -> str:
    """Figures kept in their order inside a right-to-left line (LRI … PDI)."""
    return "\u2066" + text + "\u2069" if translation.get_language() == "ar" else text


def _design(survey: Survey) -> list[list[str]]:
    draw = survey.draws.order_by("-created_at", "-pk").first()
    if draw is None:
        return [
            [str(_("Plan de sondage")), str(_("Pas d'échantillon tiré (réponses non pondérées)"))]
        ]
    design = draw.design or {}
    methods = {
        "simple": _("Sondage aléatoire simple"),
        "systematic": _("Tirage systématique"),
        "stratified": _("Sondage aléatoire stratifié"),
    }
    allocations = {
        "proportional": _("proportionnelle"),
        "equal": _("égale"),
        "neyman": _("de Neyman"),
    }
    method = str(methods.get(str(design.get("method")), design.get("method") or "—"))
    rows = [[str(_("Plan de sondage")), method]]
    if design.get("by"):
        rows.append([str(_("Strates")), str(design["by"])])
    if design.get("allocation"):
        allocation = design["allocation"]
        rows.append([str(_("Allocation")), str(allocations.get(allocation, allocation))])
    rows.append([str(_("Taille de la base (N)")), _number(draw.population, 0)])
    rows.append([str(_("Taille de l'échantillon (n)")), _number(draw.size, 0)])
    rows.append([str(_("Graine du tirage")), str(draw.seed)])
    return rows


def summary_document(survey: Survey, language: str) -> dict[str, Any]:
    if language not in LANGUAGES:
        raise ReportError(_("La synthèse existe en français et en arabe."))
    with translation.override(language):
        form = survey.current_form
        offered = (
            [q for q in questions(form.tree, language) if q.kind == SELECT_ONE] if form else []
        )
        try:
            found = analysis_read(survey, [q.name for q in offered])
        except AnalysisError as exc:
            raise ReportError(str(exc)) from exc
        design = _design(survey)
        design.append([str(_("Réponses analysées")), _number(len(found.sample), 0)])
        if found.weighted:
            rate = found.response_rate or 0.0
            design.append(
                [
                    str(_("Taux de réponse")),
                    # Isolated left-to-right: in an Arabic line the bidi algorithm
                    # would otherwise print "(8 / 5)" for 5 of 8.
                    _ltr(f"{_number(100 * rate)} % ({found.respondents} / {found.drawn})"),
                ]
            )
            weights = str(_("Poids N_h / n_h ajustés pour la non-réponse par strate (N_h / r_h)"))
        else:
            weights = str(_("Non pondéré (poids 1)"))
        if found.unweighted:
            weights += " · " + str(
                _("%(n)s réponse(s) hors échantillon, poids 1") % {"n": found.unweighted}
            )
        design.append([str(_("Pondération")), weights])
        sections = []
        small = False
        for q in offered:
            if not len(found.sample):
                break
            result = estimation.proportions(
                found.sample, q.name, categories=[c for c, _l in q.choices], fpc=found.fpc
            )
            rows = []
            for name, e in result.categories.items():
                mark = " *" if e.small_sample else ""
                small = small or e.small_sample
                rows.append(
                    [
                        q.choice_label(name),
                        _number(100 * e.estimate) + mark,
                        f"{_number(100 * e.lower)} – {_number(100 * e.upper)}",
                        _number(e.n, 0),
                    ]
                )
            sections.append(
                {
                    "title": q.label,
                    "base": str(
                        _("Base : %(n)s répondants ; sans réponse : %(m)s.")
                        % {"n": _number(result.n, 0), "m": _number(result.missing, 0)}
                    ),
                    "rows": rows,
                }
            )
        title = survey.title_ar if language == "ar" and survey.title_ar else survey.title_fr
        return {
            "lang": language,
            "rtl": language == "ar",
            "fonts": list(core_pdf.FONT_FAMILIES),
            "title": title,
            "subtitle": str(_("Synthèse des résultats pondérés")),
            "author": str(survey.org_unit),
            "issued": str(
                _("Édité le %(date)s")
                % {"date": formats.date_format(timezone.localdate(), "DATE_FORMAT")}
            ),
            "design": design,
            "notes": [str(n) for n in found.notes],
            "columns": [
                str(_("Réponse")),
                str(_("% pondéré")),
                str(_("IC à 95 %")),
                str(_("n (non pondéré)")),
            ],
            "sections": sections,
            "small_note": str(
                _("* Effectif faible : l'intervalle de confiance n'est qu'indicatif.")
            )
            if small
            else "",
            "labels": {
                "design": str(_("Plan de sondage et réponses")),
                "empty": str(_("Aucune réponse.")),
            },
        }


def report_fonts_check(dirs: Any = None) -> None:
    message = core_pdf.fonts_missing_message(dirs)
    if message:
        raise ReportError(message)


def summary_pdf(survey: Survey, language: str) -> bytes:
    document = summary_document(survey, language)
    try:
        return core_pdf.typst_pdf(_template(), document, tagged=True, check=report_fonts_check)
    except core_pdf.PdfError as exc:
        raise ReportError(str(exc)) from exc
