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


# The sections, in the order they are printed; each part of the app adds its builder.
SECTION_BUILDERS: list[SectionBuilder] = [_projects_section]


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
