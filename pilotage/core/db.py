"""Small database helpers shared by the services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction


def save_or_refuse(
    obj: models.Model, message: str, *, update_fields: list[str] | None = None
) -> None:
    """Insert ``obj`` (or save its ``update_fields``), turning a constraint violation into a
    ValidationError with a message for the user. The constraint decides (no check-then-act
    race); the savepoint keeps the surrounding transaction usable."""
    try:
        with transaction.atomic():
            obj.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise ValidationError(message) from exc


def bulk_create_or_refuse(model: type[models.Model], objs: list[Any], message: str) -> None:
    """:func:`save_or_refuse` for many rows at once (``bulk_create``): all or none."""
    try:
        with transaction.atomic():
            model._default_manager.bulk_create(objs)
    except IntegrityError as exc:
        raise ValidationError(message) from exc
