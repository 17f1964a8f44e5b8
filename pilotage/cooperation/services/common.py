"""What every cooperation service shares: the kernel's row locks with a version check and
the edit of a versioned row (``core/versioning.py``), and shares (percentages) that must add
up to 100."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from pilotage.core.versioning import Conflict, locked, version_check, versioned_update

__all__ = ["HUNDRED", "Conflict", "locked", "shares_check", "version_check", "versioned_update"]

HUNDRED = Decimal("100")


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
