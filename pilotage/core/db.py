"""Small database helpers shared by the services."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction


def save_or_refuse(obj: models.Model, message: str) -> None:
    """Insert ``obj``, turning a constraint violation into a ValidationError with a message
    for the user. The constraint decides (no check-then-act race); the savepoint keeps the
    surrounding transaction usable."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise ValidationError(message) from exc
