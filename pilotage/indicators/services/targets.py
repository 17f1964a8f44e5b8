"""Setting baselines and targets. Two officers may edit the same target: the form carries
the version it was loaded at, and a save against a newer version is refused."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from pilotage.core.audit import audit_record, diff, snapshot
from pilotage.indicators.catalogue import DIMENSIONS
from pilotage.indicators.engine import Grades
from pilotage.indicators.models import Target
from pilotage.indicators.permissions import can_set_targets
from pilotage.indicators.targets import check_dims, default_direction, dims_key, indicator_of
from pilotage.orgunits.models import AcademicYear, OrgUnit

FIELDS = (
    "indicator",
    "org_unit",
    "academic_year",
    "dims_key",
    "baseline",
    "baseline_year",
    "target",
    "tolerance",
    "direction",
)
SCALE = Decimal("0.0001")
EDITABLE = ("baseline", "baseline_year", "target", "tolerance", "direction")


class TargetConflict(ValidationError):
    """Someone saved the target since the form was loaded."""

    def __init__(self) -> None:
        super().__init__(
            _("Cette cible a été modifiée entre-temps par quelqu'un d'autre ; rechargez la page.")
        )


@dataclass(frozen=True)
class TargetData:
    indicator: str
    org_unit: OrgUnit
    academic_year: AcademicYear
    disaggregation: dict[str, str]
    target: Decimal
    tolerance: Decimal = Decimal(0)
    direction: str = ""
    baseline: Decimal | None = None
    baseline_year: AcademicYear | None = None


def grade_codes() -> set[str]:
    return set(Grades.load().code.values())


def target_check(data: TargetData, grades: set[str] | None = None) -> dict[str, str]:
    """The data's problems as ``{field: reason}`` (empty when valid)."""
    problems: dict[str, str] = {}
    indicator = indicator_of(data.indicator)
    if indicator is None:
        problems["indicator"] = _("indicateur inconnu")
    else:
        try:
            check_dims(indicator, data.disaggregation, grade_codes() if grades is None else grades)
        except ValueError as exc:
            problems["disaggregation"] = str(exc)
    if data.tolerance < 0:
        problems["tolerance"] = _("la tolérance ne peut pas être négative")
    if data.direction and data.direction not in ("higher", "lower"):
        problems["direction"] = _("attendu : higher ou lower")
    if data.baseline_year is not None and data.baseline is None:
        problems["baseline"] = _("une année de référence sans valeur de référence")
    if data.baseline is not None and data.baseline_year is None:
        problems["baseline_year"] = _("précisez l'année de la valeur de référence")
    if data.baseline_year is not None and data.baseline_year.start > data.academic_year.start:
        problems["baseline_year"] = _("l'année de référence suit l'année de la cible")
    return problems


def _q(number: Decimal | None) -> Decimal | None:
    """At the column's scale, so that 80 and 80.0000 are the same value (no false change)."""
    return None if number is None else Decimal(number).quantize(SCALE)


def _write(*, actor: Any, data: TargetData, version: int | None, action: str | None) -> str:
    """Create or update one target (the caller holds the transaction); returns
    ``created``, ``updated`` or ``unchanged``."""
    indicator = indicator_of(data.indicator)
    assert indicator is not None  # noqa: S101 - target_check ran
    dims = {k: data.disaggregation[k] for k in sorted(data.disaggregation)}
    key = dims_key(dims)
    direction = data.direction or default_direction(indicator)
    stored = (
        Target.objects.select_for_update()
        .filter(
            indicator=data.indicator,
            org_unit=data.org_unit,
            academic_year=data.academic_year,
            dims_key=key,
        )
        .first()
    )
    values = {
        "baseline": _q(data.baseline),
        "baseline_year": data.baseline_year,
        "target": _q(data.target),
        "tolerance": _q(data.tolerance),
        "direction": direction,
    }
    if stored is None:
        if version:  # the target was deleted since the form was loaded
            raise TargetConflict
        target = Target(
            indicator=data.indicator,
            org_unit=data.org_unit,
            academic_year=data.academic_year,
            disaggregation={d: dims[d] for d in DIMENSIONS if d in dims},
            dims_key=key,
            updated_by=actor if getattr(actor, "pk", None) else None,
            **values,
        )
        target.full_clean()
        target.save()
        audit_record(
            actor=actor,
            action=action or "create",
            obj=target,
            changes={k: [None, v] for k, v in snapshot(target, FIELDS).items()},
        )
        return "created"
    # version 0: the form was for a new target, and someone created it meanwhile.
    if version is not None and stored.version != version:
        raise TargetConflict
    before = snapshot(stored, EDITABLE)
    for name, value in values.items():
        setattr(stored, name, value)
    stored.full_clean()
    changes = diff(before, snapshot(stored, EDITABLE))
    if not changes:
        return "unchanged"
    stored.updated_by = actor if getattr(actor, "pk", None) else None
    stored.version = F("version") + 1
    stored.save(update_fields=[*EDITABLE, "updated_by", "updated_at", "version"])
    stored.refresh_from_db(fields=["version"])
    audit_record(actor=actor, action=action or "update", obj=stored, changes=changes)
    return "updated"


@transaction.atomic
def target_set(
    *, actor: Any, data: TargetData, version: int | None = None, check: bool = True
) -> Target:
    """Create the target of ``data``'s indicator × unit × year × disaggregation, or change
    it. ``version``: the version the form was loaded at (``None`` for a new target);
    ``check=False`` is for the Django admin."""
    if check and not can_set_targets(actor, data.org_unit):
        raise PermissionDenied
    problems = target_check(data)
    if problems:
        raise ValidationError(problems)
    _write(actor=actor, data=data, version=version, action=None)
    return Target.objects.get(
        indicator=data.indicator,
        org_unit=data.org_unit,
        academic_year=data.academic_year,
        dims_key=dims_key(data.disaggregation),
    )


@transaction.atomic
def target_delete(*, actor: Any, target: Target, check: bool = True) -> None:
    target = (
        Target.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=target.pk)
    )
    if check and not can_set_targets(actor, target.org_unit):
        raise PermissionDenied
    audit_record(
        actor=actor,
        action="delete",
        obj=target,
        changes={k: [v, None] for k, v in snapshot(target, FIELDS).items()},
    )
    target.delete()


@transaction.atomic
def targets_apply(*, actor: Any, rows: list[TargetData]) -> dict[str, int]:
    """Write rows an import validated (permissions and values already checked, row by
    row, by the importer), in one transaction: all or nothing."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for data in rows:
        counts[_write(actor=actor, data=data, version=None, action=None)] += 1
    return counts


__all__ = [
    "TargetConflict",
    "TargetData",
    "target_check",
    "target_delete",
    "target_set",
    "targets_apply",
]
