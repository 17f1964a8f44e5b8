"""Aggregate data values from a file: one cell a row (period, org unit, data element,
category option, value). The whole file is checked first — codes, the element's
categories, the importer's reach, the unit's level, approved data, the value's type,
duplicate cells — and written only when no row has a problem. An empty value deletes the
cell, as in the entry form. Like the form, the import records the forms it brings their
first value to as received and checks the validation rules again once it commits."""

from __future__ import annotations

from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pilotage.core.audit import IMPORT
from pilotage.core.jobs import Progress
from pilotage.core.tabular import ImportRejected, Problem, Problems, cell_text, open_table
from pilotage.indicators.models import CategoryOption, DataElement, DataSet
from pilotage.indicators.permissions import can_enter_data
from pilotage.indicators.quality.approval import ApprovalLocks
from pilotage.indicators.services.aggregates import (
    CellWrite,
    data_values_write,
    value_parse,
)
from pilotage.orgunits.models import OrgUnit, Period

AGGREGATE_COLUMNS = ["period", "org_unit", "data_element", "category_option", "value"]


class _Catalogue:
    """What the rows are checked against, in a number of queries that does not grow with
    the file: periods, elements, options and data sets read once; the units at the data
    sets' levels read once (others, which are refused anyway, one query per code); the
    approvals once per period met."""

    def __init__(self, actor: Any):
        self.actor = actor
        self.periods = {p.code: p for p in Period.objects.all()}
        self.elements = {e.code: e for e in DataElement.objects.all()}
        self.options: dict[int, dict[str, CategoryOption]] = {}
        self.known_options: set[str] = set()
        for option in CategoryOption.objects.all():
            self.options.setdefault(option.combo_id, {})[option.code] = option
            self.known_options.add(option.code)
        self.data_sets: dict[int, list[DataSet]] = {}
        levels = set()
        for data_set in DataSet.objects.select_related("level").prefetch_related("elements"):
            levels.add(data_set.level_id)
            for element in data_set.elements.all():
                self.data_sets.setdefault(element.pk, []).append(data_set)
        self._units: dict[str, OrgUnit | None] = {
            u.code: u for u in OrgUnit.objects.filter(level_id__in=levels).select_related("level")
        }
        self._locks = ApprovalLocks()

    def unit(self, code: str) -> OrgUnit | None:
        if code not in self._units:
            self._units[code] = OrgUnit.objects.select_related("level").filter(code=code).first()
        return self._units[code]

    def locked(self, data_set: DataSet, unit: OrgUnit, period: Period) -> bool:
        return self._locks(data_set, unit, period)

    def forms(self, cell: CellWrite) -> list[DataSet]:
        """The data sets whose form holds the cell: those of its element entered at its
        unit's level for its period's type (the ones :func:`_check_form` found)."""
        return [
            s
            for s in self.data_sets.get(cell.element.pk, [])
            if s.period_type == cell.period.type and s.level_id == cell.org_unit.level_id
        ]


def _row(
    number: int, values: dict[str, Any], look: _Catalogue, problems: Problems
) -> CellWrite | None:
    bad = problems.total
    period_code = cell_text(values["period"])
    period = look.periods.get(period_code)
    if period is None:
        problems.add(
            number,
            "period",
            period_code,
            _("période inconnue (ex. 2025-11, 2025Q4, 2025, 2025-2026)"),
        )
    unit_code = cell_text(values["org_unit"])
    unit = look.unit(unit_code) if unit_code else None
    if unit is None:
        problems.add(number, "org_unit", unit_code, _("unité inconnue"))
    elif look.actor is not None and not can_enter_data(look.actor, unit):
        problems.add(number, "org_unit", unit_code, _("unité hors de votre périmètre"))
        unit = None
    element_code = cell_text(values["data_element"])
    element = look.elements.get(element_code)
    option = None
    option_code = cell_text(values["category_option"])
    if element is None:
        problems.add(number, "data_element", element_code, _("élément de données inconnu"))
    else:
        options = look.options.get(element.combo_id, {})
        if not option_code and len(options) == 1:
            option = next(iter(options.values()))
        else:
            option = options.get(option_code)
        if option is None:
            reason = (
                _("option absente des catégories de l'élément %(element)s (attendues : %(codes)s)")
                if option_code in look.known_options
                else _("option inconnue (attendues : %(codes)s)")
            )
            problems.add(
                number,
                "category_option",
                option_code,
                reason % {"element": element.code, "codes": ", ".join(options)},
            )
    value = None
    raw = values["value"]
    if element is not None:
        try:
            value = value_parse(element.value_type, raw)
        except ValueError as exc:
            problems.add(number, "value", raw, str(exc))
    if element is not None and period is not None and unit is not None:
        _check_form(number, element, unit, period, look, problems)
    if problems.total > bad or element is None or option is None:
        return None
    assert period is not None and unit is not None  # noqa: S101 - checked above
    return CellWrite(element, option, unit, period, value)


def _check_form(
    number: int,
    element: DataElement,
    unit: OrgUnit,
    period: Period,
    look: _Catalogue,
    problems: Problems,
) -> None:
    """The element must be in a data set of the period's type entered at the unit's
    level, and that data set's data not approved for the unit."""
    sets = [s for s in look.data_sets.get(element.pk, []) if s.period_type == period.type]
    if not sets:
        problems.add(
            number,
            "period",
            period.code,
            _("l'élément %(element)s ne se saisit dans aucun ensemble de périodicité « %(type)s »")
            % {"element": element.code, "type": period.get_type_display()},
        )
        return
    at_level = [s for s in sets if s.level_id == unit.level_id]
    if not at_level:
        problems.add(
            number,
            "org_unit",
            unit.code,
            _("mauvais niveau : l'élément %(element)s se saisit au niveau %(levels)s")
            % {"element": element.code, "levels": ", ".join(sorted({s.level.name for s in sets}))},
        )
        return
    if any(look.locked(s, unit, period) for s in at_level):
        problems.add(
            number,
            "value",
            "",
            _("données approuvées pour %(unit)s et %(period)s : elles ne se modifient plus")
            % {"unit": unit.code, "period": period.code},
        )


def aggregates_import(
    *,
    actor: Any,
    stream: IO[bytes],
    filename: str,
    dry_run: bool = False,
    progress: Progress | None = None,
    source: str = "",
) -> dict[str, int]:
    """Validate the whole file, then write it in one transaction. Raises ImportRejected."""
    table = open_table(stream, filename=filename, required=AGGREGATE_COLUMNS)
    problems = Problems(AGGREGATE_COLUMNS)
    look = _Catalogue(actor)
    cells: list[CellWrite] = []
    seen: dict[tuple[int, int, int, int], int] = {}
    for number, values in problems.readable(table.rows):
        cell = _row(number, values, look, problems)
        if cell is None:
            continue
        key = (cell.element.pk, cell.option.pk, cell.org_unit.pk, cell.period.pk)
        first = seen.setdefault(key, number)
        if first != number:
            problems.add(
                number,
                "value",
                values["value"],
                _("cellule en double : déjà à la ligne %(row)s") % {"row": first},
            )
            continue
        cells.append(cell)
    if not problems.rows_read:
        problems.add(1, "", filename, _("aucune ligne de données sous l'en-tête"))
    problems.raise_if_any()
    if progress:
        progress.total(len(cells))
    if dry_run:
        return {"rows": len(cells)}
    try:
        with transaction.atomic():
            counts = data_values_write(actor=actor, cells=cells, action=IMPORT, forms=look.forms)
    except IntegrityError as exc:
        raise ImportRejected(
            [
                Problem(
                    1,
                    "",
                    filename,
                    _(
                        "une saisie simultanée a contredit le fichier ; rien n'a été enregistré, "
                        "relancez l'import"
                    ),
                )
            ]
        ) from exc
    if progress:
        progress.advance(len(cells))
    return counts
