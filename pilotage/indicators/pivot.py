"""The pivot table: indicator values laid out over four axes — indicators, org units,
periods (academic years) and disaggregations — one axis in rows, one in columns, the rest
as filters; and the same table as CSV or XLSX.

The number of cells is known before anything is computed (indicators × units × years ×
the members of each split), so a request that would exceed :data:`MAX_CELLS` is refused
with a message instead of filling the memory. Values come from
:func:`pilotage.indicators.selectors.values_for` (scoped: an out-of-scope unit is a 404),
one call per indicator, every unit and year at once.

An axis with several members that is neither in rows nor in columns (the cycle of a
per-cycle indicator, a second split) is nested in the rows; an axis with one member is
shown as a filter above the table (and as a constant column in the files).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from pilotage.indicators.catalogue import DIMENSIONS, Indicator, Unit
from pilotage.indicators.engine import IndicatorError, Value, indicator_or_error, shared_reference
from pilotage.indicators.models import PupilFact
from pilotage.indicators.selectors import ValuesQuery, values_for
from pilotage.indicators.selectors.values import units_below
from pilotage.orgunits.models import AcademicYear, Cycle, Milieu, OrgUnit, Sector

MAX_CELLS = 20_000
FIXED_AXES = ("indicator", "unit", "period")
AXES = (*FIXED_AXES, *DIMENSIONS)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PivotError(ValueError):
    """A table that cannot be built; the message says why, for the person who asked."""


def sub_units(
    unit: OrgUnit, depth: int | None = None, *, limit: int | None = None
) -> list[OrgUnit]:
    """The active units under ``unit`` at ``depth`` (its children by default), by name;
    more than :data:`MAX_CELLS` of them is refused before they are all read, unless a
    ``limit`` says how many to keep (the first ones, by path).
    """
    units = list(
        units_below(unit, depth).order_by("path")[: (MAX_CELLS + 1) if limit is None else limit]
    )
    if limit is None and len(units) > MAX_CELLS:
        cap_check(len(units) + 1)
    return sorted(units, key=lambda u: u.name)


def axis_label(axis: str) -> str:
    return {
        "indicator": _("Indicateur"),
        "unit": _("Unité"),
        "period": _("Année scolaire"),
        "sex": _("Sexe"),
        "milieu": _("Milieu"),
        "sector": _("Secteur"),
        "cycle": _("Cycle"),
        "grade": _("Niveau"),
    }[axis]


def dimension_members() -> dict[str, list[tuple[str, str]]]:
    """Every value of each disaggregation, in display order, with its label (one query,
    for the grades)."""
    # The grades and sexes of the school records, read through the facts' own fields (a
    # domain reaches another's models only through its services and selectors).
    grade_levels: Any = PupilFact._meta.get_field("grade_level").related_model
    grades = [(g.code, g.name) for g in grade_levels._default_manager.order_by("order")]
    sexes = PupilFact._meta.get_field("sex").choices or []
    return {
        "sex": [(str(v), str(label)) for v, label in sexes],
        "milieu": [(str(v), str(label)) for v, label in Milieu.choices],
        "sector": [(str(v), str(label)) for v, label in Sector.choices],
        "cycle": [(str(v), str(label)) for v, label in Cycle.choices],
        "grade": grades,
    }


@dataclass(frozen=True)
class PivotQuery:
    indicators: tuple[str, ...]
    units: tuple[OrgUnit, ...]  # the chosen unit first, then its sub-units if asked
    years: tuple[AcademicYear, ...]
    split: tuple[str, ...] = ()  # disaggregations shown member by member
    filters: tuple[tuple[str, str], ...] = ()  # disaggregations fixed to one value
    rows: str = "unit"
    cols: str = "period"


@dataclass
class Cell:
    indicator: Indicator
    value: Value

    @property
    def text(self) -> str:
        return value_text(self.indicator, self.value.value)

    @property
    def numerator(self) -> str:
        return number_text(self.value.numerator)

    @property
    def denominator(self) -> str:
        return number_text(self.value.denominator)

    @property
    def target(self) -> str:
        return value_text(self.indicator, self.value.target)


@dataclass
class Row:
    keys: tuple[str, ...]
    labels: list[str]
    cells: list[Cell | None]
    # The labels a page shows: those repeating the row above (same unit, same indicator…)
    # are left blank so the groups read; the files keep every label.
    shown: list[str] = field(default_factory=list)


@dataclass
class Pivot:
    query: PivotQuery
    row_axes: list[str]
    col_axis: str
    col_keys: list[str]
    col_labels: list[str]
    rows: list[Row]
    filters: list[tuple[str, str]] = field(default_factory=list)  # (axis, member label)

    @property
    def row_axis_labels(self) -> list[str]:
        return [axis_label(a) for a in self.row_axes]

    @property
    def col_axis_label(self) -> str:
        return axis_label(self.col_axis)

    @property
    def filter_items(self) -> list[tuple[str, str]]:
        return [(axis_label(a), label) for a, label in self.filters]

    @property
    def cell_count(self) -> int:
        return len(self.rows) * len(self.col_keys)


# --- numbers -----------------------------------------------------------------------------


def number_text(value: float | int | None, decimals: int = 0) -> str:
    if value is None:
        return "—"
    if decimals == 0 and float(value).is_integer():
        return formats.number_format(int(value), 0, use_l10n=True, force_grouping=True)
    places = decimals or 2
    # number_format cuts decimals off; the half is rounded up here first.
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return formats.number_format(rounded, places, use_l10n=True, force_grouping=True)


def value_text(indicator: Indicator, value: float | None) -> str:
    """A value as a reader expects it: 45,2 % · 1 234 · 27,4 · 12,35 / 20."""
    if value is None:
        return "—"
    if indicator.unit == Unit.PERCENT:
        return _("%(value)s %%") % {"value": number_text(value, 1)}
    if indicator.unit == Unit.COUNT:
        return number_text(round(value))
    if indicator.unit == Unit.MARK:
        return _("%(value)s / 20") % {"value": number_text(value, 2)}
    return number_text(value, 1)


# --- the table ---------------------------------------------------------------------------


def cell_estimate(query: PivotQuery, members: dict[str, list[tuple[str, str]]]) -> int:
    """The most cells the query can give, before computing anything."""
    count = len(query.indicators) * len(query.units) * len(query.years)
    split = set(query.split) | {a for a in (query.rows, query.cols) if a in DIMENSIONS}
    for dim in split:
        count *= max(len(members[dim]), 1)
    fixed = split | {d for d, _v in query.filters}
    if "cycle" not in fixed and any(indicator_or_error(c).per_cycle for c in query.indicators):
        count *= len(members["cycle"])
    return count


def cap_check(estimate: int) -> None:
    if estimate > MAX_CELLS:
        raise PivotError(
            _(
                "Ce tableau compterait jusqu'à %(count)s cellules, plus que les %(max)s "
                "permises. Choisissez moins d'indicateurs, d'unités, d'années ou de "
                "ventilations, ou placez une ventilation en filtre."
            )
            % {"count": number_text(estimate), "max": number_text(MAX_CELLS)}
        )


def _check(query: PivotQuery) -> tuple[list[Indicator], tuple[str, ...]]:
    if not query.indicators:
        raise PivotError(_("Choisissez au moins un indicateur."))
    if not query.years:
        raise PivotError(_("Choisissez au moins une année scolaire."))
    if not query.units:
        raise PivotError(_("Choisissez une unité."))
    if query.rows not in AXES or query.cols not in AXES:
        raise PivotError(_("Axe de tableau inconnu."))
    if query.rows == query.cols:
        raise PivotError(_("Les lignes et les colonnes doivent porter sur deux axes différents."))
    filtered = {d for d, _v in query.filters}
    for axis in (query.rows, query.cols):
        if axis in filtered:
            raise PivotError(
                _("« %(axis)s » est à la fois un filtre et un axe du tableau.")
                % {"axis": axis_label(axis)}
            )
    split = tuple(
        d for d in DIMENSIONS if d in query.split or d in (query.rows, query.cols) or d in filtered
    )
    indicators = [indicator_or_error(code) for code in query.indicators]
    for indicator in indicators:
        for dim in split:
            if dim not in indicator.dimensions:
                allowed = [axis_label(d) for d in DIMENSIONS if d in indicator.dimensions]
                raise PivotError(
                    _(
                        "L'indicateur « %(name)s » ne se ventile pas par %(dim)s "
                        "(ventilations possibles : %(allowed)s)."
                    )
                    % {
                        "name": indicator.name,
                        "dim": axis_label(dim).lower(),
                        "allowed": ", ".join(allowed).lower() or _("aucune"),
                    }
                )
    return indicators, split


@shared_reference()
def pivot_build(
    actor: Any, query: PivotQuery, members: dict[str, list[tuple[str, str]]] | None = None
) -> Pivot:
    """The table for ``query``, or :class:`PivotError` (too many cells, a split an
    indicator does not allow…); an out-of-scope unit raises ``Http404``. ``members``:
    :func:`dimension_members`, when the caller already has them."""
    indicators, by = _check(query)
    members = members if members is not None else dimension_members()
    cap_check(cell_estimate(query, members))
    filters = dict(query.filters)
    records: list[tuple[dict[str, str], Cell]] = []
    for indicator in indicators:
        try:
            values = values_for(actor, ValuesQuery(indicator.code, query.units, query.years, by=by))
        except IndicatorError as exc:  # checked above; the engine's word is final
            raise PivotError(str(exc)) from exc
        for v in values:
            if any(v.dims.get(d) != value for d, value in filters.items()):
                continue
            key = {"indicator": indicator.code, "unit": v.unit, "period": v.period, **v.dims}
            records.append((key, Cell(indicator, v)))
    return _layout(query, indicators, members, records)


def _layout(
    query: PivotQuery,
    indicators: Sequence[Indicator],
    members: dict[str, list[tuple[str, str]]],
    records: list[tuple[dict[str, str], Cell]],
) -> Pivot:
    labels: dict[str, dict[str, str]] = {
        "indicator": {i.code: str(i.name) for i in indicators},
        "unit": {u.code: u.name for u in query.units},
        "period": {y.code: y.code for y in sorted(query.years, key=lambda y: y.start)},
        **{d: dict(m) for d, m in members.items()},
    }
    order = {axis: {k: n for n, k in enumerate(m)} for axis, m in labels.items()}
    present: dict[str, set[str]] = {a: set() for a in AXES}
    for key, _cell in records:
        for axis, member in key.items():
            present[axis].add(member)
    # Indicators, units and years are shown even without values ("—"); a disaggregation
    # by the members that have values.
    shown = {
        axis: (
            list(labels[axis])
            if axis in FIXED_AXES
            else [m for m in labels[axis] if m in present[axis]]
        )
        for axis in AXES
    }
    filtered = dict(query.filters)
    in_table = {query.rows, query.cols}
    nested = [
        a
        for a in AXES
        if a not in in_table
        and a not in filtered
        and (len(shown[a]) > 1 or (a in DIMENSIONS and a in query.split))
    ]
    row_axes = [query.rows, *nested]
    # Above the table: what the table holds one value of (asked for, or so found).
    filters = [
        (a, labels[a].get(filtered[a], filtered[a]))
        if a in filtered
        else (a, labels[a].get(shown[a][0], shown[a][0]))
        for a in AXES
        if a in filtered or (a not in in_table and a not in nested and shown[a])
    ]

    def rank(axis: str, member: str) -> int:
        return order[axis].get(member, len(order[axis]))

    col_keys = shown[query.cols]
    row_keys: list[tuple[str, ...]]
    if len(row_axes) == 1:
        row_keys = [(m,) for m in shown[query.rows]]
    else:
        row_keys = sorted(
            {tuple(key.get(a, "") for a in row_axes) for key, _c in records},
            key=lambda k: tuple(rank(a, m) for a, m in zip(row_axes, k, strict=True)),
        )
        # The chosen row axis keeps all its members, even those without a value.
        seen = {k[0] for k in row_keys}
        if query.rows in FIXED_AXES:
            for member in shown[query.rows]:
                if member not in seen:
                    row_keys.append((member, *("" for _a in nested)))
            row_keys.sort(key=lambda k: tuple(rank(a, m) for a, m in zip(row_axes, k, strict=True)))
    if len(row_keys) * len(col_keys) > MAX_CELLS:  # the estimate bounds it; kept as a guard
        cap_check(len(row_keys) * len(col_keys))
    grid: dict[tuple[tuple[str, ...], str], Cell] = {}
    for key, cell in records:
        grid[(tuple(key.get(a, "") for a in row_axes), key.get(query.cols, ""))] = cell
    rows = [
        Row(
            keys=rk,
            labels=[labels[a].get(m, m) if m else "" for a, m in zip(row_axes, rk, strict=True)],
            cells=[grid.get((rk, ck)) for ck in col_keys],
        )
        for rk in row_keys
    ]
    previous: tuple[str, ...] = ()
    for row in rows:
        same = True
        row.shown = []
        for n, label in enumerate(row.labels):
            same = same and len(previous) > n and previous[n] == row.keys[n]
            row.shown.append("" if same and n < len(row.labels) - 1 else label)
        previous = row.keys
    return Pivot(
        query=query,
        row_axes=row_axes,
        col_axis=query.cols,
        col_keys=col_keys,
        col_labels=[labels[query.cols].get(k, k) for k in col_keys],
        rows=rows,
        filters=filters,
    )


# --- files ---------------------------------------------------------------------------------


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "x"


def pivot_filename(pivot: Pivot, extension: str) -> str:
    """``tableau-<unit code>-<year>`` or ``…-<first year>_<last year>``."""
    unit = _safe(pivot.query.units[0].code)
    years = sorted(y.code for y in pivot.query.years)
    period = years[0] if len(years) == 1 else f"{years[0]}_{years[-1]}"
    return f"tableau-{unit}-{_safe(period)}.{extension}"


def _table(pivot: Pivot) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of the files: the filters as constant columns (so a file says
    what it holds), the row axes, then one column per column member; raw numbers."""
    header = [
        *(axis_label(a) for a, _l in pivot.filters),
        *pivot.row_axis_labels,
        *pivot.col_labels,
    ]
    constants = [label for _a, label in pivot.filters]
    body = [
        [
            *constants,
            *row.labels,
            *(
                None if c is None or c.value.value is None else round(c.value.value, 4)
                for c in row.cells
            ),
        ]
        for row in pivot.rows
    ]
    return header, body


def pivot_csv(pivot: Pivot) -> bytes:
    """UTF-8 with a byte-order mark and ``;`` between fields, decimal comma: what a French
    or Arabic Excel opens without an import wizard."""
    header, body = _table(pivot)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in body:
        writer.writerow(
            [
                ""
                if v is None
                else (
                    f"{v:.4f}".rstrip("0").rstrip(".").replace(".", ",")
                    if isinstance(v, float)
                    else _cell(v)
                )
                for v in row
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def _cell(value: Any) -> Any:
    # A label starting with = + - @ would be read as a formula by a spreadsheet.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def pivot_xlsx(pivot: Pivot) -> bytes:
    """The table as a workbook, written row by row (openpyxl's write-only mode)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    header, body = _table(pivot)
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(_("Tableau")[:31])
    bold = Font(bold=True)

    def text(value: str, **style: Any) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # never a formula, whatever the label starts with
        for name, v in style.items():
            setattr(cell, name, v)
        return cell

    ws.append([text(h, font=bold) for h in header])
    for row in body:
        ws.append([text(v) if isinstance(v, str) else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
