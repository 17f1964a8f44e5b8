"""The monthly progress report of a programme, as a PDF in French or in English (the
donors read English): the team's narrative (summary, risks, next steps) around what the
records say for the month — activities of the work plan, results against targets,
finance in the programme's currency, people trained.

It uses the kernel's Typst toolchain (``core/pdf.py``), as the indicators' report does:
every word and number is prepared here in the report's language; the template
(``templates/cooperation/reports/monthly.typ``) only places them. Each part of the app
contributes a section through a builder listed in :data:`SECTION_BUILDERS`; a builder reads
through the part's selectors as the person who asked, so the report shows nothing they could
not open in the pages.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from pilotage.cooperation.models import MonthlyReport, Programme
from pilotage.core import pdf as core_pdf

LANGUAGES = ("fr", "en")
TEMPLATE = Path(__file__).resolve().parent / "templates" / "cooperation" / "reports" / "monthly.typ"


class ReportError(Exception):
    """The report cannot be produced; the message says why, for the person who asked."""


@dataclass(frozen=True)
class Period:
    year: int
    month: int

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])


@dataclass
class Section:
    """A table of the report: ``widths`` are the columns' relative widths."""

    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)
    empty: str = ""
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        widths = self.widths or [2.0] + [1.0] * (len(self.columns) - 1)
        return {
            "title": self.title,
            "columns": self.columns,
            "rows": [[str(c) for c in row] for row in self.rows],
            "widths": widths,
            "empty": self.empty or _("Rien pour ce mois."),
            "note": self.note,
        }


SectionBuilder = Callable[[Any, Programme, Period], "Section | None"]


def _projects_section(actor: Any, programme: Programme, period: Period) -> Section:
    from pilotage.cooperation.selectors.programmes import programme_projects

    return Section(
        title=_("Projets"),
        columns=[_("Projet"), _("Pays"), _("Statut")],
        rows=[
            [p.title, p.country.name if p.country else _("Régional"), p.get_status_display()]
            for p in programme_projects(actor, programme)
        ],
        widths=[3, 1.2, 1],
        empty=_("Aucun projet."),
    )


def _number(value: Any, places: int = 0) -> str:
    if value is None:
        return "—"
    return formats.number_format(value, places, use_l10n=True, force_grouping=True)


def _activities_section(actor: Any, programme: Programme, period: Period) -> Section | None:
    from pilotage.cooperation.permissions import can_view_workplan
    from pilotage.cooperation.selectors.workplans import activities_for_month

    if not can_view_workplan(actor, programme):
        return None
    month = activities_for_month(actor, programme, year=period.year, month=period.month)
    labels = (
        ("done", _("Réalisée ce mois")),
        ("ongoing", _("En cours")),
        ("delayed", _("En retard")),
        ("starting_next_month", _("Commence le mois prochain")),
    )
    rows = [
        [
            f"{a.code} · {a.title}",
            label,
            f"{a.progress} %",
            date_text(a.end_date, translation.get_language() or "fr"),
        ]
        for key, label in labels
        for a in month[key]
    ]
    return Section(
        title=_("Activités du plan de travail"),
        columns=[_("Activité"), _("Situation"), _("Avancement"), _("Fin prévue")],
        rows=rows,
        widths=[3, 1.3, 0.9, 1.1],
        empty=_("Aucune activité réalisée, en cours ou en retard ce mois."),
    )


def _results_section(actor: Any, programme: Programme, period: Period) -> Section | None:
    from pilotage.cooperation.selectors.results import target_vs_actual

    rows = target_vs_actual(actor, programme, until=period.last)
    shown = [r for r in rows if r.country_code is None]
    return Section(
        title=_("Résultats par rapport aux cibles"),
        columns=[_("Indicateur"), _("Période"), _("Cible"), _("Réalisé"), _("Taux")],
        rows=[
            [
                f"{r.indicator_code} · {r.indicator_title}",
                _("Fin de programme")
                if r.is_end
                else f"{r.period_start:%Y}"
                if r.period_start
                else "",
                r.target_text or _number(r.target, 2 if r.measure == "percentage" else 0),
                "; ".join(text for _c, text in r.texts)[:200]
                if r.texts
                else _number(r.actual, 2 if r.measure == "percentage" else 0),
                f"{_number(r.achievement, 1)} %" if r.achievement is not None else "—",
            ]
            for r in shown
        ],
        widths=[3, 1.1, 1, 1, 0.8],
        empty=_("Aucun indicateur dans le cadre de résultats."),
        note=_(
            "Seuls les résultats approuvés sont comptés ; les pourcentages sont agrégés "
            "en Σ numérateurs / Σ dénominateurs."
        ),
    )


def _finance_section(actor: Any, programme: Programme, period: Period) -> Section | None:
    from pilotage.cooperation.money import MissingRate
    from pilotage.cooperation.permissions import can_view_finance
    from pilotage.cooperation.selectors.finance import programme_finance_summary

    if not can_view_finance(actor, programme):
        return None
    currency = programme.default_currency
    try:
        summary = programme_finance_summary(programme, currency=currency, until=period.last)
    except MissingRate as exc:
        return Section(title=_("Finances"), columns=[], note=str(exc), empty=str(exc))
    rows = [*summary.rows, summary.total]
    language = translation.get_language() or "fr"
    rates = ", ".join(
        f"1 EUR = {_number(r.units_per_eur, 4)} {r.currency} ({date_text(r.valid_from, language)})"
        for r in summary.rates_used
    )
    return Section(
        title=_("Finances (%(currency)s)") % {"currency": currency},
        columns=[
            _("Projet"),
            _("Budget"),
            _("Engagé"),
            _("Décaissé"),
            _("Dépensé"),
            _("Exécution"),
        ],
        rows=[
            [
                r.label,
                _number(r.budget),
                _number(r.commitment),
                _number(r.disbursement),
                _number(r.expenditure),
                f"{_number(r.burn_rate, 1)} %" if r.burn_rate is not None else "—",
            ]
            for r in rows
        ],
        widths=[2.6, 1, 1, 1, 1, 0.8],
        empty=_("Aucun budget ni transaction."),
        note=(_("Taux de change appliqués : %(rates)s.") % {"rates": rates}) if rates else "",
    )


def _trainings_section(actor: Any, programme: Programme, period: Period) -> Section | None:
    from pilotage.cooperation.selectors.trainings import people_trained

    trained = people_trained(actor, programme)
    return Section(
        title=_("Personnes formées (depuis le début du programme)"),
        columns=[_("Pays"), _("Personnes formées")],
        rows=[[country.name, _number(n)] for country, n in trained.by_country if n]
        + [
            [
                _("Total (%(countries)d pays)") % {"countries": trained.countries},
                _number(trained.total),
            ]
        ],
        widths=[3, 1],
        note=_(
            "Chaque personne est comptée une fois, quel que soit le nombre de sessions suivies."
        ),
    )


# The sections, in the order they are printed; each part of the app adds its builder.
SECTION_BUILDERS: list[SectionBuilder] = [
    _projects_section,
    _activities_section,
    _results_section,
    _finance_section,
    _trainings_section,
]


def date_text(day: dt.date, language: str) -> str:
    with translation.override(language):
        return formats.date_format(day, "DATE_FORMAT")


def month_text(period: Period, language: str) -> str:
    with translation.override(language):
        return formats.date_format(period.first, "YEAR_MONTH_FORMAT")


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


@functools.cache
def _template() -> bytes:
    return TEMPLATE.read_bytes()


def report_document(
    actor: Any, programme: Programme, period: Period, language: str
) -> dict[str, Any]:
    """What the template prints, in ``language`` (``fr`` or ``en``)."""
    if language not in LANGUAGES:
        raise ReportError(_("Le rapport mensuel existe en français et en anglais."))
    narrative = MonthlyReport.objects.filter(
        programme=programme, year=period.year, month=period.month
    ).first()
    with translation.override(language):
        sections = [
            built.as_json()
            for builder in SECTION_BUILDERS
            if (built := builder(actor, programme, period)) is not None
        ]
        title = (
            programme.title_en if language == "en" and programme.title_en else programme.title_fr
        )
        countries = ", ".join(
            (c.country.name_en or c.country.name_fr) if language == "en" else c.country.name_fr
            for c in programme.countries.select_related("country")
        )
        return {
            "lang": language,
            "rtl": False,
            "fonts": list(core_pdf.FONT_FAMILIES),
            "title": f"{title} — {month_text(period, language)}",
            "author": actor.get_full_name() or actor.get_username(),
            "organisation": _("Rapport d'avancement du programme"),
            "lead": programme.lead_partner.name if programme.lead_partner else "",
            "code": programme.code,
            "programme": title,
            "period": month_text(period, language),
            "period_dates": " – ".join(
                date_text(day, language) for day in (period.first, period.last)
            ),
            "countries": countries,
            "issued": _("Édité le %(date)s") % {"date": date_text(timezone.localdate(), language)},
            "summary": _paragraphs(
                getattr(narrative, f"summary_{language}", "") if narrative else ""
            ),
            "risks": _paragraphs(getattr(narrative, f"risks_{language}", "") if narrative else ""),
            "next_steps": _paragraphs(
                getattr(narrative, f"next_steps_{language}", "") if narrative else ""
            ),
            "sections": sections,
            "labels": {
                "title": _("Rapport mensuel d'avancement"),
                "summary": _("Synthèse"),
                "risks": _("Risques"),
                "next_steps": _("Prochaines étapes"),
                "nothing_written": _("Non renseigné."),
            },
        }


def report_fonts_check(dirs: Sequence[str] | None = None) -> None:
    message = core_pdf.fonts_missing_message(dirs)
    if message:
        raise ReportError(message)


def monthly_report_pdf(actor: Any, programme: Programme, period: Period, language: str) -> bytes:
    document = report_document(actor, programme, period, language)
    try:
        return core_pdf.typst_pdf(_template(), document, tagged=True, check=report_fonts_check)
    except core_pdf.PdfError as exc:
        raise ReportError(str(exc)) from exc
