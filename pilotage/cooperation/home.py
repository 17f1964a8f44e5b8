"""The cooperation app's home-page cards (see :mod:`pilotage.core.home`): the reader's own
overdue follow-up actions from the meeting log, a consultant's deliverables due, and what
waits for a programme manager's review."""

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


def _deliverables_due_card(user: Any) -> dict[str, Any] | None:
    """A consultant's deliverables still to hand in (one query, the first five)."""
    from pilotage.cooperation.permissions import is_consultant
    from pilotage.cooperation.selectors.consultants import my_deliverables_due

    if not is_consultant(user):
        return None
    return {"due": list(my_deliverables_due(user)[:5])}


def _to_review_card(user: Any) -> dict[str, Any] | None:
    """For the managers: how many deliverables and reports wait for them (two counts)."""
    from pilotage.cooperation.permissions import can_manage_consultants
    from pilotage.cooperation.selectors.consultants import (
        deliverables_to_review,
        reports_to_review,
    )

    if not can_manage_consultants(user):
        return None
    count = deliverables_to_review(user).count() + reports_to_review(user).count()
    if not count:
        return None
    return {"count": count}


def workplan_cards() -> list[HomeCard]:
    return [
        HomeCard(
            "cooperation/consultants/_home_due.html", order=30, context=_deliverables_due_card
        ),
        HomeCard("cooperation/consultants/_home_to_review.html", order=31, context=_to_review_card),
    ]


CARDS = [
    HomeCard("cooperation/meetings/_home_overdue.html", order=36, context=_overdue_followups),
    *workplan_cards(),
]
