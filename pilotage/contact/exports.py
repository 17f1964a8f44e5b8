"""The statistics as an XLSX workbook: one sheet per breakdown, the same figures as the
dashboard (``selectors/stats.py``)."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _

from pilotage.core.imports import XLSX_TYPE

__all__ = ["XLSX_TYPE", "stats_xlsx"]


def _columns() -> list[tuple[str, str]]:
    return [
        ("received", _("Reçus")),
        ("resolved", _("Résolus")),
        ("resolution_rate", _("Taux de résolution (%)")),
        ("sla_ack", _("Accusés dans les délais (%)")),
        ("sla_response", _("Premières réponses dans les délais (%)")),
        ("sla_resolution", _("Résolutions dans les délais (%)")),
        ("fcr_rate", _("Résolus au premier contact (%)")),
        ("mean_resolution_days", _("Délai moyen de résolution (jours)")),
        ("surveys_sent", _("Enquêtes de satisfaction envoyées")),
        ("surveys_rated", _("Enquêtes notées")),
        ("satisfaction_mean", _("Satisfaction moyenne (sur 5)")),
        ("satisfied_rate", _("Satisfaits, 4 ou 5 (%)")),
        ("appeals", _("Recours")),
    ]


def stats_xlsx(data: dict[str, Any]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    f = data["filter"]
    columns = _columns()
    summary = book.create_sheet(_("Synthèse")[:31])
    summary.append([_("Du"), f.start, _("au"), f.end])
    for key, label in columns:
        summary.append([label, data["totals"][key]])
    breakdowns = [
        ("by_channel", _("Canaux")),
        ("by_type", _("Types")),
        ("by_category", _("Thèmes")),
        ("by_region", _("Régions")),
        ("by_queue", _("Files")),
        ("by_agent", _("Agents")),
        ("monthly", _("Mois")),
    ]
    for key, title in breakdowns:
        sheet = book.create_sheet(str(title)[:31])
        sheet.append([_("Regroupement"), *(label for _k, label in columns)])
        for row in data[key]:
            label = row.get("label", row.get("period"))
            sheet.append([label, *(row.get(k) for k, _label in columns)])
    fields = book.create_sheet(_("Domaines d'action")[:31])
    fields.append([_("Domaine d'action"), _("Reçus")])
    for row in data["by_field"]:
        fields.append([row["label"], row["received"]])
    backlog = book.create_sheet(_("Stock par ancienneté")[:31])
    backlog.append([_("Ancienneté (jours)"), _("Tickets ouverts")])
    for row in data["backlog"]:
        backlog.append([row["label"], row["count"]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
