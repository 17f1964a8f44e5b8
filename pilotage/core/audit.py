"""Writing the audit log. Every service that writes calls :func:`audit_record` inside its
transaction, so a rolled-back write leaves no audit row and a committed one always has one.

The kernel names the verbs every app shares (create, update, delete, import…); an app names
its own in its ``audit.py`` with :func:`audit_action`, which returns the code the app's
services then record. ``audit.py`` modules are imported at start-up by ``CoreConfig.ready``
(as ``admin.py`` modules are by the admin), so an action is known before anything records it,
and recording an action nobody registered is a programming error that fails loudly.

Each entry carries the org-unit path of the object it touches, so the log is read with the
same path-prefix scope as everything else. A model says where it sits with an
``audit_path`` attribute (see :func:`audit_path_of`); a service that already holds the path
passes ``path=`` and spares the lookup.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from pilotage.core.models import AuditEntry

_ACTION_LABELS: dict[str, str | Promise] = {}


def audit_action(code: str, label: str | Promise) -> str:
    """Register an action and return its code, for a module-level constant. Registering the
    same code twice with another label is refused: two apps would be fighting over it."""
    known = _ACTION_LABELS.get(code)
    if known is not None and str(known) != str(label):
        raise ValueError(f"audit action {code!r} is already registered as {known!r}")
    _ACTION_LABELS[code] = label
    return code


def audit_action_label(action: str) -> str:
    """What the audit page calls an action; the code itself for one nobody named (an entry
    written before its app renamed it)."""
    return str(_ACTION_LABELS.get(action, action))


def audit_action_codes() -> list[str]:
    return sorted(_ACTION_LABELS)


CREATE = audit_action("create", _("Création"))
UPDATE = audit_action("update", _("Modification"))
DELETE = audit_action("delete", _("Suppression"))
IMPORT = audit_action("import", _("Import de fichier"))
SEED = audit_action("seed", _("Données de démonstration"))
VALIDATE = audit_action("validate", _("Validation"))
UNLOCK = audit_action("unlock", _("Réouverture"))
OTHER = audit_action("other", _("Autre"))


# Links from the audit page to an object's page. A builder receives the ids of one object
# type shown on the page and answers {id: url} with at most one query, so the page's query
# count depends on the kinds of objects it shows, never on how many rows.
LinkBuilder = Callable[[list[str]], dict[str, str]]
_LINK_BUILDERS: dict[str, LinkBuilder] = {}


def audit_links_register(object_type: str, builder: LinkBuilder) -> None:
    _LINK_BUILDERS[object_type] = builder


def audit_links_by_pk(url_name: str) -> LinkBuilder:
    """A builder for pages addressed by the object's id: no query at all."""

    def build(ids: list[str]) -> dict[str, str]:
        return {pk: reverse(url_name, args=[pk]) for pk in ids if pk.isdigit()}

    return build


def audit_links(object_type: str, object_ids: list[str]) -> dict[str, str]:
    builder = _LINK_BUILDERS.get(object_type)
    return builder(object_ids) if builder and object_ids else {}


# Names for the keys of ``changes`` that are not a field of the model (a summary count, the
# source of an import, the reason of an unlock).
_CHANGE_LABELS: dict[str, str | Promise] = {
    "source": _("source"),
    "reason": _("motif"),
    "seed": _("graine"),
    "username": _("identifiant saisi"),
    "ip": _("adresse IP"),
}


def audit_change_labels_register(labels: dict[str, str | Promise]) -> None:
    _CHANGE_LABELS.update(labels)


def audit_change_label(key: str) -> str | None:
    label = _CHANGE_LABELS.get(key)
    return None if label is None else str(label)


def audit_path_of(obj: models.Model | None) -> str:
    """Where ``obj`` sits in the org-unit tree, from its ``audit_path`` attribute; ``""``
    (national administrators only) for an object outside the tree, such as an account."""
    path = getattr(obj, "audit_path", "") if obj is not None else ""
    return path or ""


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


def _entry(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None,
    changes: dict[str, list[Any]] | None = None,
    object_id: str | None = None,
    object_repr: str | None = None,
    path: str | None = None,
) -> AuditEntry:
    """The unsaved row :func:`audit_record` and :func:`audit_record_bulk` write."""
    if action not in _ACTION_LABELS:
        raise LookupError(f"unregistered audit action {action!r}: declare it with audit_action")
    if obj is not None:
        object_id = object_id if object_id is not None else str(obj.pk)
        object_repr = object_repr if object_repr is not None else str(obj)
    return AuditEntry(
        actor_id=getattr(actor, "pk", None) if actor is not None else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=object_id or "",
        object_repr=(object_repr or "")[:200],
        changes=changes or {},
        path=audit_path_of(obj) if path is None else path,
    )


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None,
    changes: dict[str, list[Any]] | None = None,
    object_id: str | None = None,
    object_repr: str | None = None,
    path: str | None = None,
) -> AuditEntry:
    """``obj`` is None only for an event about no stored object (a failed login); then
    ``object_repr`` says what it was about."""
    entry = _entry(
        actor=actor,
        action=action,
        obj=obj,
        changes=changes,
        object_id=object_id,
        object_repr=object_repr,
        path=path,
    )
    entry.save()
    return entry


def audit_record_bulk(
    *,
    actor: Any,
    action: str,
    entries: Iterable[tuple[models.Model, dict[str, list[Any]] | None]],
) -> list[AuditEntry]:
    """One audit row per ``(object, changes)``, written with one INSERT per thousand rows,
    for the set-based services (an import grants thousands of roles): the same rows
    :func:`audit_record` would write one by one, in the caller's transaction."""
    rows = [_entry(actor=actor, action=action, obj=obj, changes=c) for obj, c in entries]
    return AuditEntry.objects.bulk_create(rows, batch_size=1000)


# --- Reading ---------------------------------------------------------------------------


@dataclass
class AuditChange:
    label: str
    old: str | None
    new: str | None


@dataclass
class AuditRow:
    """One entry as the audit page shows it, in the reader's language."""

    entry: AuditEntry
    actor_name: str
    type_label: str
    url: str | None
    changes: list[AuditChange] = field(default_factory=list)


def _model_of(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def audit_type_label(object_type: str) -> str:
    """A kind of object by its model's name, in the reader's language."""
    model = _model_of(object_type)
    return str(model._meta.verbose_name) if model else object_type


def _field_of(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, models.Field) else None


def _is_reference(field: models.Field | None, value: Any) -> bool:
    """A foreign key that :func:`snapshot` stored as the target's id (a number); a service
    that wrote a code or a name instead wrote something readable already."""
    return (
        field is not None
        and bool(field.many_to_one or field.one_to_one)
        and isinstance(value, int)
        and not isinstance(value, bool)
    )


def _shown(field: models.Field | None, value: Any, names: dict[tuple[Any, Any], str]) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(_("Oui") if value else _("Non"))
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if _is_reference(field, value):
        return names.get((field.related_model, value), str(value))  # type: ignore[union-attr]
    if isinstance(field, models.DateField) and isinstance(value, str):
        return _date_shown(field, value)
    return str(value)


def _date_shown(field: models.DateField, value: str) -> str:
    """A date or a moment stored as ISO 8601 text, in the reader's format (03/12/2026 20:38)."""
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(value)
        if moment is None:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    day = parse_date(value)
    return value if day is None else formats.date_format(day, "SHORT_DATE_FORMAT")


def audit_rows(entries: Iterable[AuditEntry]) -> list[AuditRow]:
    """The page's entries made readable: the object's kind by its model's name and a link
    to its page, the actor by full name, each change by its field's label with its values
    (choices by label, yes/no, foreign keys by the target's name). Queries: one per kind of
    object that links through a query, one per kind of foreign-key target; none per row."""
    entries = list(entries)
    wanted: dict[Any, set[int]] = defaultdict(set)
    ids_by_type: dict[str, list[str]] = defaultdict(list)
    for entry in entries:
        model = _model_of(entry.object_type)
        ids_by_type[entry.object_type].append(entry.object_id)
        for key, values in entry.changes.items():
            target = _field_of(model, key)
            for value in values if isinstance(values, list) else []:
                if _is_reference(target, value):
                    wanted[target.related_model].add(value)  # type: ignore[union-attr]
    names: dict[tuple[Any, Any], str] = {}
    for related, pks in wanted.items():
        for pk, obj in related._default_manager.select_related().in_bulk(list(pks)).items():
            names[(related, pk)] = str(obj)
    links = {t: audit_links(t, ids) for t, ids in ids_by_type.items() if t}
    rows = []
    for entry in entries:
        model = _model_of(entry.object_type)
        actor = entry.actor
        changes = []
        for key, values in entry.changes.items():
            target = _field_of(model, key)
            old, new = values if isinstance(values, list) and len(values) == 2 else (None, values)
            label = str(target.verbose_name) if target is not None else audit_change_label(key)
            changes.append(
                AuditChange(
                    label=label or key,
                    old=_shown(target, old, names),
                    new=_shown(target, new, names),
                )
            )
        rows.append(
            AuditRow(
                entry=entry,
                actor_name=(actor.get_full_name() or actor.get_username()) if actor else "",
                type_label=audit_type_label(entry.object_type) if entry.object_type else "",
                url=links.get(entry.object_type, {}).get(entry.object_id),
                changes=changes,
            )
        )
    return rows
