"""Small database helpers shared by the services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction


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


def statistics_refresh() -> None:
    """Let the query planner see every table as it now is, after a bulk load (the demo
    seed, a first national import). A freshly loaded PostgreSQL database has no
    statistics until autovacuum gets to it, and its planner then answers a correlated
    EXISTS over a million marks by hashing them all: 7 s for a school page of the small
    demo instead of 40 ms (measured with bench/page_budgets.py). ``ANALYZE`` samples a
    fixed number of rows per table; SQLite's ``PRAGMA optimize`` analyses what needs it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA optimize")
