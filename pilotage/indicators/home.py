"""The indicators app's home-page cards (see :mod:`pilotage.core.home`)."""

from __future__ import annotations

from typing import Any

from pilotage.core.home import HomeCard
from pilotage.indicators.permissions import can_open_actions
from pilotage.indicators.selectors.actions import overdue_for


def _overdue(user: Any) -> dict[str, Any] | None:
    """Overdue actions the reader owns or supervises (rule in selectors/actions.py): two
    queries, the count and the ten most overdue; none for those without action plans."""
    if not can_open_actions(user):
        return None
    total, actions = overdue_for(user)
    return {"total": total, "actions": actions, "user": user}


CARDS = [HomeCard("indicators/actions/_home_overdue.html", order=35, context=_overdue)]
