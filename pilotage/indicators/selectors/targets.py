"""Targets as an actor may see them (the units of their indicators' scope), each with the
current value, the gap and the status."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from pilotage.core.roles import roles_with
from pilotage.core.scope import scope_of
from pilotage.indicators.custom import indicator_values
from pilotage.indicators.engine import IndicatorError
from pilotage.indicators.models import Status, Target
from pilotage.indicators.roles import SET_TARGETS, VIEW_INDICATORS
from pilotage.indicators.targets import dims_key, gap_of, status_of
from pilotage.orgunits.models import AcademicYear, OrgUnit

GAP_STATUSES = (Status.AT_RISK, Status.OFF_TRACK)


@dataclass
class TargetRow:
    target: Target
    value: float | None
    gap: float | None
    status: str | None

    @property
    def has_gap(self) -> bool:
        return self.status in GAP_STATUSES

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label) if self.status else ""


def targets_visible(actor: Any) -> QuerySet[Target]:
    return Target.objects.filter(scope_of(actor).q_for(VIEW_INDICATORS, "org_unit__path"))


def target_for(actor: Any, pk: int, *, to_set: bool = False) -> Target:
    """The target if the actor sees it (``to_set``: may change it); 404 otherwise."""
    capability = SET_TARGETS if to_set else VIEW_INDICATORS
    target = (
        Target.objects.filter(scope_of(actor).q_for(capability, "org_unit__path"), pk=pk)
        .select_related("org_unit", "academic_year", "baseline_year")
        .first()
    )
    if target is None:
        raise Http404
    return target


def home_unit(actor: Any) -> OrgUnit | None:
    """The highest unit the actor sees indicators for: the targets page opens on it."""
    roles = roles_with(VIEW_INDICATORS)
    grants = [g for g in scope_of(actor).grants if g.role in roles]
    if not grants:
        return None
    top = min(grants, key=lambda g: (len(g.path), g.path))
    if top.org_unit_id:
        return OrgUnit.objects.filter(pk=top.org_unit_id).first()
    return OrgUnit.get_first_root_node()


def current_values(
    code: str, unit: OrgUnit, year: AcademicYear, wanted: Sequence[dict[str, str]]
) -> dict[str, float | None]:
    """The values of indicator ``code`` for ``unit`` and ``year`` at each disaggregation of
    ``wanted``, by ``dims_key``: one engine call per distinct set of dimensions."""
    by_dims: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for dims in wanted:
        by_dims[tuple(sorted(dims))].add(dims_key(dims))
    out: dict[str, float | None] = {}
    for dims_names, keys in by_dims.items():
        try:
            values = indicator_values(code, units=[unit], years=[year], by=dims_names)
        except IndicatorError:
            continue
        for value in values:
            key = dims_key(value.dims)
            if key in keys:
                out[key] = value.value
    return out


def target_rows(actor: Any, unit: OrgUnit, year: AcademicYear) -> list[TargetRow]:
    """The unit's targets for ``year`` with value, gap and status. Queries: one for the
    targets, then the engine's for each indicator × set of dimensions present (not per
    target)."""
    targets = list(
        targets_visible(actor)
        .filter(org_unit=unit, academic_year=year)
        .select_related("baseline_year")
        .order_by("indicator", "dims_key")
    )
    by_code: dict[str, list[Target]] = defaultdict(list)
    for target in targets:
        target.org_unit = unit
        target.academic_year = year
        by_code[target.indicator].append(target)
    rows = []
    for code, group in by_code.items():
        values = current_values(code, unit, year, [t.disaggregation for t in group])
        for target in group:
            value = values.get(target.dims_key)
            rows.append(
                TargetRow(
                    target,
                    value,
                    gap_of(value, target.target),
                    status_of(value, target.target, target.tolerance, target.direction),
                )
            )
    return rows
