"""The periodic performance report of a unit for a year, as a PDF in French or in Arabic:
the indicators against their targets (and the gap), the action plans, and two charts per
key indicator — the sub-units' values as bars and the unit's trend over the last years.

It uses the bulletins' toolchain, the kernel's ``core/pdf.py``: Typst lays the pages out,
shapes Arabic and mirrors the page right-to-left; the fonts are Debian's Noto. As
there, every word and number is prepared here in the report's language and the template
(``templates/indicators/reports/performance.typ``) only places them; the charts are drawn
by Typst itself from the ratios computed here (a bar's length is value / largest value).

The report is built by a background job (``indicators.report`` in ``tasks.py``) for the
person who asked: the values go through ``selectors.values_for`` as that person, so the job
of someone who may not see the unit fails, whatever its parameters say.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pilotage.core import pdf as core_pdf
from pilotage.core.jobs import Progress
from pilotage.indicators.catalogue import BUILTIN, Indicator
from pilotage.indicators.engine import Value, indicator_or_error, shared_reference
from pilotage.indicators.models.actions import LATE_LABEL, ActionStatus
from pilotage.indicators.permissions import can_view_unit
from pilotage.indicators.pivot import sub_units, value_text
from pilotage.indicators.selectors import ValuesQuery, values_for
from pilotage.indicators.selectors.actions import actions_of_year
from pilotage.orgunits.models import AcademicYear, Cycle, OrgUnit

REPORT_KIND = "indicators.report"
LANGUAGES = ("fr", "ar")
REPORT_DIR = "indicator-reports"
TEMPLATE = (
    Path(__file__).resolve().parent / "templates" / "indicators" / "reports" / "performance.typ"
)
TREND_YEARS = 5  # years of the trend chart, the report's year last
CHARTS = 3  # key indicators charted when none are named
MAX_BARS = 25  # sub-units on a bar chart (the highest values)
MAX_ACTIONS = 200  # actions listed, the first due; a last line counts the others

RESULT_LABELS = {
    "indicators": gettext_lazy("Indicateurs"),
    "sub_units": gettext_lazy("Sous-unités"),
}

# Statuses the targets helper sets on a value; anything else is shown as it is.
STATUS_LABELS = {
    "achieved": gettext_lazy("Cible atteinte"),
    "on_track": gettext_lazy("En bonne voie"),
    "at_risk": gettext_lazy("À surveiller"),
    "off_track": gettext_lazy("En retard"),
}


def date_text(day: dt.date, language: str) -> str:
    """« 3 décembre 2026 » in French, « 3 دجنبر 2026 » in Arabic: the Moroccan formats of
    ``pilotage/formats`` (CLDR ar-MA month names, Western digits)."""
    with translation.override(language):
        return formats.date_format(day, "DATE_FORMAT")


# --- Typst -------------------------------------------------------------------------------
# The fonts and the compiler are the kernel's (core/pdf.py), shared with the bulletins.

FONT_PACKAGE = core_pdf.FONT_PACKAGE
FONT_FAMILIES = core_pdf.FONT_FAMILIES


class ReportError(Exception):
    """The report cannot be produced; the message says why, for the person who asked."""


class ReportFontMissing(ReportError):
    pass


def report_fonts_check(dirs: Sequence[str] | None = None) -> None:
    """Raise :class:`ReportFontMissing` unless every family the report uses is found."""
    message = core_pdf.fonts_missing_message(dirs)
    if message:
        raise ReportFontMissing(message)


@functools.cache
def _template() -> bytes:
    return TEMPLATE.read_bytes()


def _render(document: dict[str, Any]) -> bytes:
    try:
        return core_pdf.typst_pdf(_template(), document, tagged=True, check=report_fonts_check)
    except core_pdf.PdfFontMissing as exc:
        raise ReportFontMissing(str(exc)) from exc
    except core_pdf.PdfError as exc:
        raise ReportError(str(exc)) from exc


# --- what the report says ----------------------------------------------------------------


def _labels() -> dict[str, Any]:
    return {
        "kingdom": _("Royaume du Maroc"),
        "ministry": _("Ministère de l'Éducation nationale, du Préscolaire et des Sports"),
        "title": _("Rapport de performance"),
        "year": _("Année scolaire"),
        "level": _("Niveau"),
        "code": _("Code"),
        "indicators": _("Indicateurs et cibles"),
        "columns": [
            _("Indicateur"),
            _("Valeur"),
            _("Année précédente"),
            _("Cible"),
            _("Écart à la cible"),
            _("Statut"),
        ],
        "actions": _("Plan d'action"),
        "action_columns": [
            _("Action"),
            _("Responsable"),
            _("Échéance"),
            _("Statut"),
            _("Avancement"),
        ],
        "no_actions": _("Aucun plan d'action pour cette unité et cette année."),
        "charts": _("Graphiques"),
        "by_unit": _("Par sous-unité"),
        "trend": _("Évolution"),
        "no_sub_units": _("Pas de sous-unité avec une valeur."),
        "no_values": _("Aucune valeur calculée pour cette unité et cette année."),
    }


def _series_name(indicator: Indicator, dims: Mapping[str, str]) -> str:
    cycle = dims.get("cycle")
    if cycle:
        return _("%(indicator)s (%(cycle)s)") % {
            "indicator": indicator.name,
            "cycle": Cycle(cycle).label,
        }
    return str(indicator.name)


def _gap(indicator: Indicator, value: Value) -> str:
    if value.value is None or value.target is None:
        return "—"
    gap = value.value - value.target
    text = value_text(indicator, abs(gap))
    return text if gap == 0 else f"{'+' if gap > 0 else '−'}{text}"


def _status(value: Value | None) -> str:
    if value is None or not value.status:
        return "—"
    return str(STATUS_LABELS.get(value.status, value.status))


def _key(dims: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(dims.items()))


def _action_row(action: Mapping[str, Any], language: str) -> dict[str, str]:
    if "more" in action:  # the line that counts the actions left out
        return {
            "title": _("… et %(n)s autres actions (voir les plans d'action)")
            % {"n": action["more"]},
            "owner": "",
            "due": "",
            "status": "",
            "progress": "",
        }
    due = action.get("due")
    progress = action.get("progress")
    return {
        "title": str(action.get("title") or "—"),
        "owner": str(action.get("owner") or "—"),
        "due": date_text(due, language) if isinstance(due, dt.date) else str(due or "—"),
        "status": str(action.get("status") or "—"),
        "progress": "—" if progress is None else _("%(n)s %%") % {"n": progress},
    }


def _bars(indicator: Indicator, values: Iterable[Value], names: Mapping[str, str]) -> list[dict]:
    shown = sorted(
        (v for v in values if v.value is not None), key=lambda v: v.value or 0, reverse=True
    )[:MAX_BARS]
    top = max((v.value or 0 for v in shown), default=0)
    return [
        {
            "label": names.get(v.unit, v.unit),
            "text": value_text(indicator, v.value),
            "ratio": round((v.value or 0) / top, 4) if top > 0 else 0,
        }
        for v in shown
    ]


def _trend(
    indicator: Indicator, by_year: Mapping[str, Value], years: Sequence[AcademicYear]
) -> list[dict]:
    top = max((v.value or 0 for v in by_year.values() if v.value is not None), default=0)
    points = []
    for year in years:
        v = by_year.get(year.code)
        value = None if v is None else v.value
        points.append(
            {
                "label": year.code,
                "text": value_text(indicator, value),
                "ratio": round(value / top, 4) if value is not None and top > 0 else 0,
            }
        )
    return points


def report_document(
    actor: Any,
    *,
    unit: OrgUnit,
    year: AcademicYear,
    language: str,
    indicators: Sequence[str] | None = None,
    charts: Sequence[str] | None = None,
    actions: Sequence[Mapping[str, Any]] = (),
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Everything the template places, in the active language. Two value queries per
    indicator: the unit over the trend years, its sub-units for the year."""
    chosen = [indicator_or_error(c) for c in indicators] if indicators else list(BUILTIN)
    trend_years = list(
        AcademicYear.objects.filter(start__lte=year.start).order_by("-start")[:TREND_YEARS]
    )[::-1]
    previous = trend_years[-2] if len(trend_years) > 1 else None
    children = sub_units(unit)
    names = {u.code: u.name for u in children}
    if progress is not None:
        progress.total(len(chosen) + 1)
    rows: list[dict[str, Any]] = []
    series: list[dict[str, Any]] = []
    for indicator in chosen:
        mine = values_for(actor, ValuesQuery(indicator.code, [unit], trend_years))
        subs = values_for(actor, ValuesQuery(indicator.code, children, [year])) if children else []
        by_dims: dict[tuple, dict[str, Value]] = {}
        for v in mine:
            by_dims.setdefault(_key(v.dims), {})[v.period] = v
        if not by_dims:
            rows.append(
                {
                    "name": str(indicator.name),
                    "value": "—",
                    "previous": "—",
                    "target": "—",
                    "gap": "—",
                    "status": "—",
                }
            )
        for dims_key, by_year in sorted(by_dims.items()):
            dims = dict(dims_key)
            current = by_year.get(year.code)
            before = by_year.get(previous.code) if previous else None
            name = _series_name(indicator, dims)
            rows.append(
                {
                    "name": name,
                    "value": value_text(indicator, current.value if current else None),
                    "previous": value_text(indicator, before.value if before else None),
                    "target": value_text(indicator, current.target if current else None),
                    "gap": _gap(indicator, current) if current else "—",
                    "status": _status(current),
                }
            )
            if current is not None and current.value:  # a chart of zeros says nothing
                series.append(
                    {
                        "code": indicator.code,
                        "name": name,
                        "bars": _bars(indicator, (s for s in subs if s.dims == dims), names),
                        "trend": _trend(indicator, by_year, trend_years),
                    }
                )
        if progress is not None:
            progress.advance(message=str(indicator.name))
    if charts:
        wanted = list(charts)
        picked = sorted(
            (s for s in series if s["code"] in wanted), key=lambda s: wanted.index(s["code"])
        )
    else:
        picked = series[:CHARTS]
    rtl = language == "ar"
    other = unit.name_fr if rtl else unit.name_ar
    title = f"{_('Rapport de performance')} · {unit.name} · {year.code}"
    return {
        "lang": language,
        "rtl": rtl,
        "fonts": list(FONT_FAMILIES),
        "title": title,
        "author": _("Ministère de l'Éducation nationale, du Préscolaire et des Sports"),
        "labels": _labels(),
        "unit": unit.name,
        "unit_other": "" if not other or other == unit.name else other,
        "unit_code": unit.code,
        "level": unit.level.name,
        "year": year.code,
        "date": date_text(timezone.localdate(), language),
        "issued": _("Édité le %(date)s") % {"date": date_text(timezone.localdate(), language)},
        "rows": rows,
        "actions": [_action_row(a, language) for a in actions],
        "charts": picked,
    }


def report_pdf(
    actor: Any,
    *,
    unit: OrgUnit,
    year: AcademicYear,
    language: str,
    indicators: Sequence[str] | None = None,
    charts: Sequence[str] | None = None,
    actions: Sequence[Mapping[str, Any]] = (),
    progress: Progress | None = None,
) -> bytes:
    """The report as a PDF (tagged for screen readers). ``actions``: the action plans to
    list, each a mapping with ``title``, ``owner``, ``due`` (a date or text), ``status``
    (already a label) and ``progress`` (a percentage); none gives "no action plan"."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
    with translation.override(language):
        document = report_document(
            actor,
            unit=unit,
            year=year,
            language=language,
            indicators=indicators,
            charts=charts,
            actions=actions,
            progress=progress,
        )
        pdf = _render(document)
    if progress is not None:
        progress.advance(message=_("Mise en page"))
    return pdf


def report_actions(unit: OrgUnit, year: AcademicYear, *, actor: Any) -> list[Mapping[str, Any]]:
    """The action plans the report lists: the actions of the unit's subtree that run
    during the year (``selectors.actions.actions_of_year``, as ``actor`` may see them),
    the ``MAX_ACTIONS`` due first and ``{"more": n}`` for the others. Labels stay lazy,
    so the report's language translates them. Two queries (the rows, then the count when
    the list is cut)."""
    qs = actions_of_year(actor, unit, year)
    rows = list(qs[: MAX_ACTIONS + 1])
    actions: list[Mapping[str, Any]] = [
        {
            "title": a.title,
            "owner": a.owner.get_full_name() or a.owner.get_username(),
            "due": a.due_date,
            "status": LATE_LABEL if a.is_overdue() else ActionStatus(a.status).label,
            "progress": a.progress,
        }
        for a in rows[:MAX_ACTIONS]
    ]
    if len(rows) > MAX_ACTIONS:
        actions.append({"more": qs.count() - MAX_ACTIONS})
    return actions


def report_files_purge(*, now: float | None = None) -> int:
    """Delete report files older than ``settings.REPORT_CARDS_RETENTION_DAYS``, like the
    bulletins' batches (nothing else removes them)."""
    folder = Path(settings.MEDIA_ROOT) / REPORT_DIR
    if not folder.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - settings.REPORT_CARDS_RETENTION_DAYS * 86400
    removed = 0
    for file in folder.iterdir():
        if file.suffix not in {".pdf", ".part"}:
            continue
        try:
            if file.stat().st_mtime < cutoff:
                file.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


@shared_reference()
def report_build(
    progress: Progress,
    *,
    unit_id: int,
    year_id: int,
    language: str,
    indicators: list[str] | None = None,
    charts: list[str] | None = None,
) -> dict[str, Any]:
    """The job: writes MEDIA_ROOT/indicator-reports/<job id>.pdf for the job's creator and
    returns its path and download link. Whoever started it must still see the unit."""
    report_files_purge()
    actor = progress.job.created_by if progress.job is not None else None
    unit = OrgUnit.objects.select_related("level").filter(pk=unit_id).first()
    year = AcademicYear.objects.filter(pk=year_id).first()
    if unit is None or year is None or actor is None or not can_view_unit(actor, unit):
        raise ReportError(_("Unité ou année introuvable."))
    actions = report_actions(unit, year, actor=actor)
    pdf = report_pdf(
        actor,
        unit=unit,
        year=year,
        language=language,
        indicators=indicators,
        charts=charts,
        actions=actions,
        progress=progress,
    )
    job_id = progress.job.pk if progress.job is not None else uuid.uuid4()
    relative = f"{REPORT_DIR}/{job_id}.pdf"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(pdf)
    partial.replace(target)
    return {
        "file": relative,
        "download": reverse("indicators:report-download", args=[job_id]),
        "indicators": len(indicators) if indicators else len(BUILTIN),
        "sub_units": len(sub_units(unit)),
    }
