"""What every cooperation service shares: refusals, row locks with a version check, the
edit of a versioned row, and shares (percentages) that must add up to 100."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _

from pilotage.core.audit import UPDATE, audit_record, diff, snapshot

M = TypeVar("M", bound=models.Model)

HUNDRED = Decimal("100")


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


def shares_check(field: str, shares: Iterable[tuple[str, Decimal]]) -> None:
    """Each share between 0 and 100, no label twice, and all adding up to exactly 100 (the
    IATI rule for recipient countries, regions, sectors and locations); an empty list is
    allowed (nothing declared yet)."""
    rows = list(shares)
    if not rows:
        return
    problems = []
    seen: set[str] = set()
    for label, value in rows:
        if label in seen:
            problems.append(_("« %(label)s » figure deux fois.") % {"label": label})
        seen.add(label)
        if not Decimal("0") <= value <= HUNDRED:
            problems.append(
                _("%(label)s : %(value)s %% n'est pas entre 0 et 100.")
                % {"label": label, "value": value}
            )
    total = sum((value for _label, value in rows), Decimal("0"))
    if total != HUNDRED:
        problems.append(
            _("Les pourcentages totalisent %(total)s %% au lieu de 100 %%.") % {"total": total}
        )
    if problems:
        raise ValidationError({field: problems})


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
