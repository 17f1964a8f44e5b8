"""The contact centre's home-page card (see :mod:`pilotage.core.home`): the reader's open
tickets, the unassigned ones in their queues, and the overdue ones they see."""

from __future__ import annotations

from typing import Any

from pilotage.contact import permissions as perms
from pilotage.core.home import HomeCard


def _tickets_card(user: Any) -> dict[str, Any] | None:
    """Three counts for whoever handles tickets, no query for anyone else; no card when
    all three are zero."""
    from pilotage.contact.selectors.tickets import tickets_counts

    if not perms.handles_tickets(user):
        return None
    counts = tickets_counts(user)
    if not any(counts.values()):
        return None
    return counts


CARDS = [HomeCard("contact/tickets/_home.html", order=20, context=_tickets_card)]
