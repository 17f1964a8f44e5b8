"""Importing baselines and targets from a CSV or XLSX file through the kernel's pipeline
(``pilotage.core.imports``): every row is checked first, and one problem anywhere means
nothing is written; otherwise every row is written in one transaction.

Columns: indicator, org_unit, period, disaggregation, baseline, baseline_period, target,
tolerance, direction (see docs/imports.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pilotage.core.imports import ImportKind
from pilotage.core.jobs import Progress
from pilotage.core.tabular import Problems, cell_text, open_table, parse_decimal
from pilotage.indicators.permissions import can_import_targets, can_set_targets
from pilotage.indicators.services.targets import (
    TargetData,
    grade_codes,
    target_check,
    targets_apply,
)
from pilotage.indicators.targets import dims_key, indicator_of, parse_dims
from pilotage.orgunits.models import AcademicYear, OrgUnit

TARGET_COLUMNS = [
    "indicator",
    "org_unit",
    "period",
    "disaggregation",
    "baseline",
    "baseline_period",
    "target",
    "tolerance",
    "direction",
]
DIRECTIONS = {
    "higher": "higher",
    "hausse": "higher",
    "+": "higher",
    "lower": "lower",
    "baisse": "lower",
    "-": "lower",
    "": "",
}
# Where target_check names a field, the file names a column.
_COLUMN_OF = {
    "indicator": "indicator",
    "disaggregation": "disaggregation",
    "tolerance": "tolerance",
    "direction": "direction",
    "baseline": "baseline",
    "baseline_year": "baseline_period",
}


def _decimal(
    number: int, column: str, raw: Any, problems: Problems, *, required: bool
) -> Decimal | None:
    text = cell_text(raw)
    if not text:
        if required:
            problems.add(number, column, text, _("valeur obligatoire"))
        return None
    try:
        return parse_decimal(raw)
    except ValueError as exc:
        problems.add(number, column, text, str(exc))
        return None


def _row(
    number: int,
    values: dict[str, Any],
    actor: Any,
    units: dict[str, OrgUnit | None],
    years: dict[str, AcademicYear],
    grades: set[str],
    problems: Problems,
) -> TargetData | None:
    bad = problems.total
    code = cell_text(values["indicator"])
    if indicator_of(code) is None:
        problems.add(number, "indicator", code, _("indicateur inconnu"))
    unit_code = cell_text(values["org_unit"])
    if unit_code not in units:
        units[unit_code] = OrgUnit.objects.filter(code=unit_code).first()
    unit = units[unit_code]
    if unit is None:
        problems.add(number, "org_unit", unit_code, _("unité inconnue"))
    elif actor is not None and not can_set_targets(actor, unit):
        problems.add(number, "org_unit", unit_code, _("unité hors de votre périmètre"))
    known_years = ", ".join(sorted(years))
    period = cell_text(values["period"]).replace("/", "-")
    year = years.get(period)
    if year is None:
        problems.add(
            number,
            "period",
            period,
            _("année scolaire inconnue (connues : %(known)s)") % {"known": known_years},
        )
    base_period = cell_text(values["baseline_period"]).replace("/", "-")
    base_year = years.get(base_period) if base_period else None
    if base_period and base_year is None:
        problems.add(
            number,
            "baseline_period",
            base_period,
            _("année scolaire inconnue (connues : %(known)s)") % {"known": known_years},
        )
    try:
        dims = parse_dims(cell_text(values["disaggregation"]))
    except ValueError as exc:
        problems.add(number, "disaggregation", values["disaggregation"], str(exc))
        dims = {}
    target = _decimal(number, "target", values["target"], problems, required=True)
    baseline = _decimal(number, "baseline", values["baseline"], problems, required=False)
    tolerance = _decimal(number, "tolerance", values["tolerance"], problems, required=False)
    if tolerance is not None and tolerance < 0:
        problems.add(
            number, "tolerance", values["tolerance"], _("la tolérance ne peut pas être négative")
        )
    direction_text = cell_text(values["direction"]).lower()
    direction = DIRECTIONS.get(direction_text)
    if direction is None:
        problems.add(number, "direction", direction_text, _("attendu : higher ou lower (ou vide)"))
    if problems.total > bad:
        return None
    assert unit is not None and year is not None and target is not None  # noqa: S101
    data = TargetData(
        indicator=code,
        org_unit=unit,
        academic_year=year,
        disaggregation=dims,
        target=target,
        tolerance=tolerance or Decimal(0),
        direction=direction or "",
        baseline=baseline,
        baseline_year=base_year,
    )
    for field, reason in target_check(data, grades).items():
        column = _COLUMN_OF.get(field, field)
        problems.add(number, column, values.get(column, ""), reason)
    return None if problems.total > bad else data


def targets_import(
    *,
    actor: Any,
    stream: IO[bytes],
    filename: str,
    dry_run: bool = False,
    progress: Progress | None = None,
    source: str = "",
) -> dict[str, int]:
    table = open_table(stream, filename=filename, required=TARGET_COLUMNS)
    problems = Problems(TARGET_COLUMNS)
    units: dict[str, OrgUnit | None] = {}
    years = {y.code: y for y in AcademicYear.objects.all()}
    grades = grade_codes()
    seen: dict[tuple[str, int, int, str], int] = {}
    rows: list[TargetData] = []
    for number, values in problems.readable(table.rows):
        data = _row(number, values, actor, units, years, grades, problems)
        if data is None:
            continue
        key = (
            data.indicator,
            data.org_unit.pk,
            data.academic_year.pk,
            dims_key(data.disaggregation),
        )
        first = seen.setdefault(key, number)
        if first != number:
            problems.add(
                number,
                "indicator",
                data.indicator,
                _("même indicateur, unité, année et ventilation : déjà à la ligne %(row)s")
                % {"row": first},
            )
            continue
        rows.append(data)
    if not problems.rows_read:
        problems.add(1, "", filename, _("aucune ligne de données sous l'en-tête"))
    problems.raise_if_any()
    if dry_run:
        return {"rows": problems.rows_read}
    counts = targets_apply(actor=actor, rows=rows)
    return {"rows": problems.rows_read, **counts}


TARGETS = ImportKind(
    name="indicators.import_targets",
    label=gettext_lazy("Import de cibles"),
    title=gettext_lazy("Importer des cibles"),
    columns=TARGET_COLUMNS,
    example={
        "indicator": "ner",
        "org_unit": "MA-TNG",
        "period": "2025-2026",
        "disaggregation": "cycle=primaire;sex=F",
        "baseline": "92,5",
        "baseline_period": "2024-2025",
        "target": "95",
        "tolerance": "2",
        "direction": "higher",
    },
    run=targets_import,
    may_open=can_import_targets,
    help=(
        gettext_lazy(
            "indicator : code d'un indicateur du catalogue ; org_unit : code de l'unité ; "
            "period et baseline_period : année scolaire 2025-2026 ; disaggregation : vide pour "
            "le total, ou dimension=valeur séparées par « ; » ou « , » (sex=F;cycle=primaire) ; "
            "tolerance : dans l'unité de l'indicateur, 0 si vide ; direction : higher, lower, "
            "ou vide pour le sens de l'indicateur."
        ),
    ),
)
