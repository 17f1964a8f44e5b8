"""Reading aggregate data for the entry form: the data sets, the units an actor enters
data for, the recent periods, and the grid of one data set × unit × period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from pilotage.core.scope import scope_of
from pilotage.indicators.models import CategoryOption, DataElement, DataSet, DataValue
from pilotage.indicators.quality.approval import approval_locks
from pilotage.indicators.roles import ENTER_DATA
from pilotage.indicators.services.aggregates import Key, value_text
from pilotage.orgunits.models import OrgUnit, Period

# The unit picker lists at most this many units; beyond, the code is typed.
UNIT_CHOICES = 500
RECENT_PERIODS = 12


def data_sets_all() -> QuerySet[DataSet]:
    """The catalogue is national: every data set is listed; the unit decides who enters."""
    return DataSet.objects.select_related("level").order_by("code")


def entry_units(actor: Any, data_set: DataSet) -> QuerySet[OrgUnit]:
    """Active units at the data set's level that ``actor`` enters data for."""
    return (
        OrgUnit.objects.filter(level_id=data_set.level_id, is_active=True)
        .filter(scope_of(actor).q_for(ENTER_DATA, "path"))
        .order_by("code")
    )


def recent_periods(data_set: DataSet, *, today: dt.date | None = None) -> list[Period]:
    """The latest periods of the data set's type that have started, newest first."""
    today = today or timezone.localdate()
    return list(
        Period.objects.filter(type=data_set.period_type, start__lte=today).order_by("-start")[
            :RECENT_PERIODS
        ]
    )


@dataclass
class GridCell:
    element: DataElement
    option: CategoryOption
    value: DataValue | None
    text: str = ""
    version: int = 0
    error: str = ""

    @property
    def name(self) -> str:
        return f"v:{self.element.code}:{self.option.code}"

    @property
    def version_name(self) -> str:
        return f"ver:{self.element.code}:{self.option.code}"

    @property
    def key(self) -> Key:
        return (self.element.code, self.option.code)


@dataclass
class GridRow:
    element: DataElement
    cells: list[GridCell]


@dataclass
class GridBlock:
    """Elements sharing one category combination: one table, its options as columns."""

    options: list[CategoryOption]
    rows: list[GridRow] = field(default_factory=list)


@dataclass
class Grid:
    data_set: DataSet
    org_unit: OrgUnit
    period: Period
    locked: bool
    blocks: list[GridBlock]

    def cells(self) -> list[GridCell]:
        return [c for b in self.blocks for r in b.rows for c in r.cells]

    def fill(
        self,
        typed: dict[Key, str],
        errors: dict[Key, str],
        *,
        current: dict[Key, Decimal | None] | None = None,
        versions: dict[Key, int] | None = None,
    ) -> None:
        """Show what the user typed with the errors; for cells in conflict, the value and
        version stored now (the user's text is then in the error)."""
        for cell in self.cells():
            if cell.key in typed:
                cell.text = typed[cell.key]
            cell.error = errors.get(cell.key, "")
            if current is not None and cell.key in current:
                cell.text = value_text(current[cell.key])
            if versions is not None and cell.key in versions:
                cell.version = versions[cell.key]


def entry_grid(data_set: DataSet, org_unit: OrgUnit, period: Period) -> Grid:
    """The form: four queries whatever its size (elements with their combination, their
    options, the stored values with who saved them, the approval lock)."""
    elements = list(data_set.elements.select_related("combo").order_by("code"))
    options: dict[int, list[CategoryOption]] = {}
    for option in CategoryOption.objects.filter(
        combo_id__in={e.combo_id for e in elements}
    ).order_by("order", "code"):
        options.setdefault(option.combo_id, []).append(option)
    stored = {
        (v.data_element_id, v.category_option_id): v
        for v in DataValue.objects.filter(
            org_unit=org_unit, period=period, data_element__in=elements
        ).select_related("stored_by")
    }
    blocks: dict[int, GridBlock] = {}
    for element in elements:
        block = blocks.setdefault(element.combo_id, GridBlock(options.get(element.combo_id, [])))
        cells = []
        for option in block.options:
            value = stored.get((element.pk, option.pk))
            cells.append(
                GridCell(
                    element,
                    option,
                    value,
                    text=value_text(value.value) if value else "",
                    version=value.version if value else 0,
                )
            )
        block.rows.append(GridRow(element, cells))
    return Grid(
        data_set,
        org_unit,
        period,
        locked=approval_locks(data_set, org_unit, period),
        blocks=list(blocks.values()),
    )


def catalogue_overview() -> list[DataSet]:
    """Every data set with its elements, their combination and its options (four
    queries whatever the catalogue's size): the codes the imports and formulas use."""
    return list(
        DataSet.objects.select_related("level")
        .prefetch_related(
            Prefetch(
                "elements",
                queryset=DataElement.objects.select_related("combo")
                .prefetch_related(
                    Prefetch("combo__options", queryset=CategoryOption.objects.order_by("order"))
                )
                .order_by("code"),
            )
        )
        .order_by("code")
    )
