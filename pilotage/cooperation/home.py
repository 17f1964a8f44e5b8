"""The cooperation app's home-page cards (see :mod:`pilotage.core.home`): the reader's own
overdue follow-up actions from the meeting log."""

from __future__ import annotations

from typing import Any

from pilotage.cooperation.permissions import can_see_followups, staff_sees_partners
from pilotage.cooperation.selectors.meetings import followups_overdue_for
from pilotage.core.home import HomeCard


def _overdue_followups(user: Any) -> dict[str, Any] | None:
    """Two queries (the count and the ten most overdue) for a cooperation user, none for
    anyone else; no card when nothing of theirs is overdue."""
    if not can_see_followups(user):
        return None
    total, actions = followups_overdue_for(user)
    if not total:
        return None
    return {"total": total, "actions": actions, "staff": staff_sees_partners(user)}


CARDS = [
    HomeCard("cooperation/meetings/_home_overdue.html", order=36, context=_overdue_followups),
]
