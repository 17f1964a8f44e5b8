"""Writing the audit log. Every service that writes calls :func:`audit_record` inside its
transaction, so a rolled-back write leaves no audit row and a committed one always has one."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.functional import Promise

from pilotage.core.models import AuditEntry

# Verbs of a domain (a council's decision, a roll call) are named by their app at start-up.
_ACTION_LABELS: dict[str, str | Promise] = dict(AuditEntry.Action.choices)


def audit_actions_register(labels: dict[str, str | Promise]) -> None:
    _ACTION_LABELS.update(labels)


def audit_action_label(action: str) -> str:
    """What the audit page calls an action; the code itself for one nobody named."""
    return str(_ACTION_LABELS.get(action, action))


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of ``fields`` (foreign keys by id), to diff after a change."""
    values: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        values[name] = _jsonable(getattr(obj, attname))
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value changed."""
    keys = before.keys() | after.keys()
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    changes: dict[str, list[Any]] | None = None,
    object_id: str | None = None,
) -> AuditEntry:
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    return AuditEntry.objects.create(
        actor_id=actor_id,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=object_id if object_id is not None else str(obj.pk),
        object_repr=str(obj)[:200],
        changes=changes or {},
    )


def audit_record_bulk(
    *,
    actor: Any,
    action: str,
    entries: Iterable[tuple[models.Model, dict[str, list[Any]] | None]],
) -> list[AuditEntry]:
    """One audit row per ``(object, changes)``, written with one INSERT per thousand rows,
    for the set-based services (an import grants thousands of roles): the same rows
    :func:`audit_record` would write one by one, in the caller's transaction."""
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    rows = [
        AuditEntry(
            actor_id=actor_id,
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_repr=str(obj)[:200],
            changes=changes or {},
        )
        for obj, changes in entries
    ]
    return AuditEntry.objects.bulk_create(rows, batch_size=1000)
