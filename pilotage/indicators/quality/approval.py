"""Approval of a data set's data, bottom-up: school → province → region → country.

The *chain* of a data set is its own level (where the form is filled) and every level
above it that exists in the tree, except the pass-through levels (communes: nobody at the
ministry works there; a province approves directly above its schools). A unit above the
data set's level is approved only once every unit of the next chain level below it is
approved; approved data is locked for the unit and its subtree. Un-approving a unit deletes
its approval and every approval above it, so the data goes back one level down; it is
refused while an ancestor is approved unless the actor may approve that ancestor too.
Who approves where is ``permissions.can_approve_at``.

With ``settings.PILOTAGE_HIDE_UNAPPROVED_DATA``, the custom indicators and the exports read
only approved values (:func:`approved_values_q`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext as _

from pilotage.core.audit import audit_record
from pilotage.core.scope import EVERYTHING
from pilotage.indicators.audit import DATA_APPROVE, DATA_UNAPPROVE
from pilotage.indicators.models import DataApproval, DataSet
from pilotage.indicators.permissions import can_approve_at, can_view_unit
from pilotage.orgunits.models import OrgUnit, OrgUnitLevel, Period

PASS_THROUGH_LEVELS = frozenset({"commune"})
_SHOWN_MISSING = 5


def approval_chain(data_set: DataSet) -> list[OrgUnitLevel]:
    """The levels at which the data set is approved, deepest (its own) first."""
    own = data_set.level
    above = OrgUnitLevel.objects.filter(depth__lt=own.depth).exclude(code__in=PASS_THROUGH_LEVELS)
    return [own, *sorted(above, key=lambda level: -level.depth)]


def _level_below(chain: list[OrgUnitLevel], level_id: int) -> OrgUnitLevel | None:
    ids = [level.pk for level in chain]
    at = ids.index(level_id)
    return chain[at - 1] if at > 0 else None


def _locking_paths(org_unit: OrgUnit) -> list[str]:
    """The units whose approval locks ``org_unit``'s data: itself and every ancestor."""
    return [org_unit.path, *org_unit.ancestor_paths()]


def approval_locks(data_set: DataSet, org_unit: OrgUnit, period: Period) -> bool:
    """Whether the data set's data of ``org_unit`` for ``period`` is approved there or
    above, and so may not change: the one lock rule, which the entry form, its save and
    the import (through :class:`ApprovalLocks`) apply. One query."""
    return DataApproval.objects.filter(
        data_set=data_set, period=period, path__in=_locking_paths(org_unit)
    ).exists()


class ApprovalLocks:
    """:func:`approval_locks` for the many cells of an import: the approvals of a period
    are read once, the first time the period is met."""

    def __init__(self) -> None:
        self._approved: dict[int, set[tuple[int, str]]] = {}

    def __call__(self, data_set: DataSet, org_unit: OrgUnit, period: Period) -> bool:
        if period.pk not in self._approved:
            self._approved[period.pk] = set(
                DataApproval.objects.filter(period=period).values_list("data_set_id", "path")
            )
        approved = self._approved[period.pk]
        return any((data_set.pk, path) in approved for path in _locking_paths(org_unit))


def approved_values_q() -> Q:
    """A filter over :class:`DataValue`: every value, or, with
    ``PILOTAGE_HIDE_UNAPPROVED_DATA``, only values approved at their unit or above for a
    data set holding their element."""
    if not getattr(settings, "PILOTAGE_HIDE_UNAPPROVED_DATA", False):
        return EVERYTHING
    # The approval's path is a prefix of the value's: the value's path cut to its length.
    approved = DataApproval.objects.filter(
        period=OuterRef("period"),
        data_set__elements=OuterRef("data_element"),
        path=Substr(OuterRef("path"), 1, Length("path")),
    )
    return Q(Exists(approved))


def _refuse(message: str) -> ValidationError:
    return ValidationError(message)


def _unapproved_below(
    data_set: DataSet, org_unit: OrgUnit, period: Period, below: OrgUnitLevel
) -> list[OrgUnit]:
    units = OrgUnit.objects.filter(
        path__startswith=org_unit.path, level=below, is_active=True
    ).exclude(
        Exists(
            DataApproval.objects.filter(data_set=data_set, period=period, org_unit=OuterRef("pk"))
        )
    )
    return list(units.order_by("path")[: _SHOWN_MISSING + 1])


def data_approve(
    *, actor: Any, data_set: DataSet, org_unit: OrgUnit, period: Period
) -> DataApproval:
    """Approve the data set's data of ``org_unit``'s subtree for ``period``."""
    if not can_approve_at(actor, org_unit):
        raise PermissionDenied
    if period.type != data_set.period_type:
        raise _refuse(
            _("La période %(period)s n'est pas du type de cet ensemble.") % {"period": period.code}
        )
    chain = approval_chain(data_set)
    if org_unit.level_id not in {level.pk for level in chain}:
        raise _refuse(
            _("On n'approuve pas au niveau de « %(unit)s » pour cet ensemble.")
            % {"unit": org_unit.name}
        )
    with transaction.atomic():
        # Rows of the units below, locked so an un-approval cannot slip in between.
        below = _level_below(chain, org_unit.level_id)
        if below is not None:
            list(
                DataApproval.objects.select_for_update().filter(
                    data_set=data_set, period=period, path__startswith=org_unit.path
                )
            )
            missing = _unapproved_below(data_set, org_unit, period, below)
            if missing:
                names = ", ".join(u.name for u in missing[:_SHOWN_MISSING])
                if len(missing) > _SHOWN_MISSING:
                    names += ", …"
                raise _refuse(
                    _(
                        "« %(unit)s » ne peut être approuvée avant ses unités du niveau "
                        "« %(level)s » : %(names)s."
                    )
                    % {"unit": org_unit.name, "level": below.name, "names": names}
                )
        if DataApproval.objects.filter(
            data_set=data_set, org_unit=org_unit, period=period
        ).exists():
            raise _refuse(_("« %(unit)s » est déjà approuvée.") % {"unit": org_unit.name})
        try:
            with transaction.atomic():
                approval = DataApproval.objects.create(
                    data_set=data_set,
                    org_unit=org_unit,
                    path=org_unit.path,
                    period=period,
                    approved_by=actor,
                )
        except IntegrityError as exc:  # approved by someone else a moment ago
            raise _refuse(_("« %(unit)s » est déjà approuvée.") % {"unit": org_unit.name}) from exc
        audit_record(
            actor=actor,
            action=DATA_APPROVE,
            obj=approval,
            changes={"data_set": [None, data_set.code], "period": [None, period.code]},
        )
    return approval


def data_unapprove(*, actor: Any, data_set: DataSet, org_unit: OrgUnit, period: Period) -> int:
    """Withdraw the approval of ``org_unit`` and every approval above it; answers how many
    approvals were deleted."""
    if not can_approve_at(actor, org_unit):
        raise PermissionDenied
    with transaction.atomic():
        rows = list(
            DataApproval.objects.select_for_update()
            .filter(
                data_set=data_set,
                period=period,
                path__in=[org_unit.path, *org_unit.ancestor_paths()],
            )
            .select_related("org_unit")
            .order_by("-path")
        )
        if not rows or rows[0].path != org_unit.path:
            raise _refuse(_("« %(unit)s » n'est pas approuvée.") % {"unit": org_unit.name})
        for above in rows[1:]:
            if not can_approve_at(actor, above.org_unit):
                raise _refuse(
                    _(
                        "« %(above)s » est approuvée : seul qui approuve à ce niveau peut "
                        "retirer l'approbation de « %(unit)s »."
                    )
                    % {"above": above.org_unit.name, "unit": org_unit.name}
                )
        for row in rows:
            audit_record(
                actor=actor,
                action=DATA_UNAPPROVE,
                obj=row,
                changes={"data_set": [data_set.code, None], "period": [period.code, None]},
            )
        DataApproval.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return len(rows)


# --- The approval page ------------------------------------------------------------------


@dataclass
class ApprovalRow:
    unit: OrgUnit
    approved: DataApproval | None
    # Units of the next chain level below: how many, how many approved (None at the
    # data set's own level).
    below_total: int | None
    below_approved: int | None
    approved_above: bool
    may_approve: bool
    may_unapprove: bool

    @property
    def ready(self) -> bool:
        return self.below_total is None or self.below_total == self.below_approved


def approval_rows(
    actor: Any, *, data_set: DataSet, unit: OrgUnit, period: Period
) -> tuple[list[OrgUnit], list[ApprovalRow]]:
    """The unit and the units of the next chain level below it (skipping pass-through
    levels), each with its status: (the unit's ancestors shown in the chain, rows).
    Queries: chain levels, units, approvals, counts below (one grouped query)."""
    chain = approval_chain(data_set)
    chain_ids = [level.pk for level in chain]
    if unit.level_id not in chain_ids:
        raise ValidationError(_("Choisissez une unité d'un niveau d'approbation."))
    below = _level_below(chain, unit.level_id)
    units = [unit]
    if below is not None:
        units += list(
            OrgUnit.objects.filter(path__startswith=unit.path, level=below, is_active=True)
            .select_related("level")
            .order_by("path")
        )
    ancestors = unit.ancestor_paths()
    approvals = {
        a.path: a
        for a in DataApproval.objects.filter(data_set=data_set, period=period)
        .filter(Q(path__startswith=unit.path) | Q(path__in=ancestors))
        .select_related("approved_by")
    }
    depth_below: dict[int, int] = {}
    for u in units:
        lower = _level_below(chain, u.level_id)
        if lower is not None:
            depth_below[u.pk] = lower.depth
    # Units of every chain level inside the unit's subtree, to count each row's below.
    counted: dict[int, list[str]] = {}
    depths = set(depth_below.values())
    if depths:
        for path, depth in OrgUnit.objects.filter(
            path__startswith=unit.path, depth__in=depths, is_active=True
        ).values_list("path", "depth"):
            counted.setdefault(depth, []).append(path)
    rows = []
    approved_above = any(p in approvals for p in ancestors)
    for u in units:
        approval = approvals.get(u.path)
        total = approved_count = None
        if u.pk in depth_below:
            inside = [p for p in counted.get(depth_below[u.pk], []) if p.startswith(u.path)]
            total = len(inside)
            approved_count = sum(1 for p in inside if p in approvals)
        above = approved_above or (u is not unit and unit.path in approvals)
        may = can_approve_at(actor, u)
        rows.append(
            ApprovalRow(
                unit=u,
                approved=approval,
                below_total=total,
                below_approved=approved_count,
                approved_above=above,
                may_approve=may and approval is None and not above,
                may_unapprove=may and approval is not None,
            )
        )
    # Only the ancestors the actor may open: a regional officer's chain starts at the region
    # (a link to the country would answer 404).
    ancestor_units = [
        a
        for a in OrgUnit.objects.filter(path__in=ancestors, level_id__in=chain_ids).order_by(
            "depth"
        )
        if can_view_unit(actor, a)
    ]
    return ancestor_units, rows
