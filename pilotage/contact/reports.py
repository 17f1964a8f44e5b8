"""The contact centre's monthly report as a PDF, in French or in Arabic, for the
supervision team: the month's volumes, deadlines kept, first-contact resolution and
backlog, the breakdowns by channel, type, theme, region and queue, and the trend of the
last twelve months.

It uses the kernel's Typst toolchain (``core/pdf.py``): every word and number is prepared
here in the report's language, the template (``templates/contact/reports/monthly.typ``)
only places them. The figures come from the same selector as the dashboard, read as the
person who asked."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from pathlib import Path
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from pilotage.contact.selectors.stats import StatsFilter, stats_dashboard
from pilotage.core import pdf as core_pdf

LANGUAGES = ("fr", "ar")
TEMPLATE = Path(__file__).resolve().parent / "templates" / "contact" / "reports" / "monthly.typ"


class ReportError(Exception):
    """The report cannot be produced; the message says why, for the person who asked."""


@functools.cache
def _template() -> bytes:
    return TEMPLATE.read_bytes()


def _number(value: Any, suffix: str = "") -> str:
    if value is None:
        return "—"
    return formats.number_format(value, use_l10n=True) + suffix


def _rows(groups: list[dict[str, Any]]) -> list[list[str]]:
    return [
        [
            str(g.get("label", "")),
            _number(g["received"]),
            _number(g["resolved"]),
            _number(g["sla_resolution"], " %"),
            _number(g["fcr_rate"], " %"),
        ]
        for g in groups
    ]


def report_document(actor: Any, year: int, month: int, language: str) -> dict[str, Any]:
    if language not in LANGUAGES:
        raise ReportError(_("Le rapport mensuel existe en français et en arabe."))
    first = dt.date(year, month, 1)
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    with translation.override(language):
        month_data = stats_dashboard(actor, StatsFilter(start=first, end=last))
        year_data = stats_dashboard(
            actor, StatsFilter(start=(first - dt.timedelta(days=335)).replace(day=1), end=last)
        )
        totals = month_data["totals"]
        columns = [
            _("Regroupement"),
            _("Reçus"),
            _("Résolus"),
            _("Dans les délais"),
            _("Premier contact"),
        ]
        sections = [
            {
                "title": str(title),
                "columns": [str(c) for c in columns],
                "rows": _rows(month_data[key]),
            }
            for key, title in (
                ("by_channel", _("Par canal")),
                ("by_type", _("Par type de demande")),
                ("by_category", _("Par thème")),
                ("by_region", _("Par région")),
                ("by_queue", _("Par file")),
            )
        ]
        sections.append(
            {
                "title": _("Évolution sur douze mois"),
                "columns": [str(c) for c in columns],
                "rows": [
                    [formats.date_format(m["period"], "YEAR_MONTH_FORMAT"), *row[1:]]
                    for m, row in zip(
                        year_data["monthly"], _rows(year_data["monthly"]), strict=True
                    )
                ],
            }
        )
        backlog_labels = {"overdue": _("dont en retard")}
        return {
            "lang": language,
            "rtl": language == "ar",
            "fonts": list(core_pdf.FONT_FAMILIES),
            "title": _("Centre de contact — rapport mensuel"),
            "period": formats.date_format(first, "YEAR_MONTH_FORMAT"),
            "author": actor.get_full_name() or actor.get_username(),
            "issued": _("Édité le %(date)s")
            % {"date": formats.date_format(timezone.localdate(), "DATE_FORMAT")},
            "kpis": [
                [str(_("Demandes reçues")), _number(totals["received"])],
                [str(_("Demandes résolues")), _number(totals["resolved"])],
                [str(_("Accusés de réception dans les délais")), _number(totals["sla_ack"], " %")],
                [
                    str(_("Premières réponses dans les délais")),
                    _number(totals["sla_response"], " %"),
                ],
                [str(_("Résolutions dans les délais")), _number(totals["sla_resolution"], " %")],
                [str(_("Résolus au premier contact")), _number(totals["fcr_rate"], " %")],
                [
                    str(_("Délai moyen de résolution (jours)")),
                    _number(totals["mean_resolution_days"]),
                ],
                [str(_("Satisfaction moyenne (sur 5)")), _number(totals["satisfaction_mean"])],
                [str(_("Satisfaits, 4 ou 5 (%)")), _number(totals["satisfied_rate"], " %")],
                [str(_("Recours")), _number(totals["appeals"])],
            ],
            "backlog": [
                [
                    str(backlog_labels.get(b["label"], _("%(age)s jours") % {"age": b["label"]})),
                    _number(b["count"]),
                ]
                for b in month_data["backlog"]
            ],
            "sections": sections,
            "labels": {
                "kpis": str(_("Indicateurs du mois")),
                "backlog": str(_("Demandes en cours par ancienneté (à ce jour)")),
                "empty": str(_("Rien pour ce mois.")),
            },
        }


def report_fonts_check(dirs: Any = None) -> None:
    message = core_pdf.fonts_missing_message(dirs)
    if message:
        raise ReportError(message)


def monthly_report_pdf(actor: Any, year: int, month: int, language: str) -> bytes:
    document = report_document(actor, year, month, language)
    try:
        return core_pdf.typst_pdf(_template(), document, tagged=True, check=report_fonts_check)
    except core_pdf.PdfError as exc:
        raise ReportError(str(exc)) from exc
