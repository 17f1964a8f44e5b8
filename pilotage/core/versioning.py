"""Optimistic concurrency shared by the domains' services: a row lock with a version
check, and the edit of a versioned row (lock, permission, version, validation, audit).
The marks save (schooling/services/marks.py) is the first example; anything two people
edit works the same way."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _

from pilotage.core.audit import UPDATE, audit_record, diff, snapshot

M = TypeVar("M", bound=models.Model)


class Conflict(ValidationError):
    """Someone saved the object since the form was loaded: reload and redo the change."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Quelqu'un d'autre a modifié cette fiche depuis son ouverture. "
                "Rechargez la page et refaites votre modification."
            ),
            code="conflict",
        )


def locked(model: type[M], obj: M | int) -> M:
    """The row, locked until the end of the transaction (``select_for_update``)."""
    pk = obj.pk if isinstance(obj, models.Model) else obj
    found = model._default_manager.select_for_update().filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def version_check(stored: Any, version: int | None) -> None:
    """``version``: the one the form was loaded at (None: the caller has just read it)."""
    if version is not None and stored.version != version:
        raise Conflict


def versioned_update(
    *,
    actor: Any,
    model: type[M],
    obj: M | int,
    version: int | None,
    changes: dict[str, Any],
    editable: Sequence[str],
    service: str,
    allowed: Callable[[M], bool],
    check: Callable[[M], None] | None = None,
) -> M:
    """The edit of a versioned row shared by the services (call it inside their
    transaction): refuse a field outside ``editable``, lock the row, ask ``allowed``
    (``PermissionDenied`` otherwise), refuse a stale ``version`` (:class:`Conflict`), apply
    and validate the changes (``full_clean``, then ``check`` for the service's own rules),
    and, when something changed, bump the version, save those fields and audit old → new."""
    unknown = set(changes) - set(editable)
    if unknown:
        raise TypeError(f"{service} cannot change {', '.join(sorted(unknown))}")
    stored = locked(model, obj)
    if not allowed(stored):
        raise PermissionDenied
    version_check(stored, version)
    before = snapshot(stored, editable)
    for name, value in changes.items():
        setattr(stored, name, value)
    stored.full_clean()
    if check is not None:
        check(stored)
    delta = diff(before, snapshot(stored, editable))
    if not delta:
        return stored
    stored.version += 1  # type: ignore[attr-defined]
    stored.save(update_fields=[*changes, "version"])
    audit_record(actor=actor, action=UPDATE, obj=stored, changes=delta)
    return stored
