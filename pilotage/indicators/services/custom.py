"""Writing custom indicators: the formulas are parsed against the catalogue before
anything is saved (see :mod:`pilotage.indicators.custom`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pilotage.core.audit import CREATE, DELETE, UPDATE, audit_record
from pilotage.indicators.catalogue import builtin
from pilotage.indicators.custom import FormulaError, catalogue_elements, parse_formula
from pilotage.indicators.models import CustomIndicator
from pilotage.indicators.permissions import can_manage_catalogue

FIELDS = (
    "name_fr",
    "name_ar",
    "name_en",
    "numerator",
    "denominator",
    "factor",
    "unit",
    "higher_is_better",
    "description",
)


def _check_formulas(numerator: str, denominator: str) -> None:
    elements = catalogue_elements()
    errors = {}
    for name, text, required in (
        ("numerator", numerator, True),
        ("denominator", denominator, False),
    ):
        try:
            parse_formula(text, elements=elements, required=required)
        except FormulaError as exc:
            errors[name] = str(exc)
    if errors:
        raise ValidationError(errors)


def _plain(value: Any) -> Any:
    return format(value.normalize(), "f") if isinstance(value, Decimal) else value


@transaction.atomic
def custom_indicator_save(
    *, actor: Any, code: str, indicator: CustomIndicator | None = None, **fields: Any
) -> CustomIndicator:
    """Create (``indicator`` None) or update an indicator. Raises ValidationError naming
    the formula's problem, PermissionDenied for anyone but the catalogue's managers."""
    if actor is not None and not can_manage_catalogue(actor):
        raise PermissionDenied
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    creating = indicator is None
    if creating and builtin(code) is not None:
        # The API, the exports and the targets find an indicator by its code.
        raise ValidationError({"code": _("ce code est celui d'un indicateur intégré")})
    if indicator is None:
        indicator = CustomIndicator(
            code=code, created_by=actor if getattr(actor, "pk", None) else None
        )
    else:
        indicator = CustomIndicator.objects.select_for_update().get(pk=indicator.pk)
    before = {k: _plain(getattr(indicator, k)) for k in FIELDS}
    for name, value in fields.items():
        setattr(indicator, name, value)
    _check_formulas(indicator.numerator, indicator.denominator)
    indicator.full_clean()
    after = {k: _plain(getattr(indicator, k)) for k in FIELDS}
    changes = {
        k: [None if creating else before[k], after[k]]
        for k in FIELDS
        if creating or before[k] != after[k]
    }
    if creating:
        indicator.save()
    elif changes:
        indicator.save(update_fields=[*changes, "updated_at"])
    if creating or changes:
        audit_record(
            actor=actor, action=CREATE if creating else UPDATE, obj=indicator, changes=changes
        )
    return indicator


@transaction.atomic
def custom_indicator_delete(*, actor: Any, indicator: CustomIndicator) -> None:
    if actor is not None and not can_manage_catalogue(actor):
        raise PermissionDenied
    audit_record(
        actor=actor, action=DELETE, obj=indicator, changes={"code": [indicator.code, None]}
    )
    indicator.delete()
