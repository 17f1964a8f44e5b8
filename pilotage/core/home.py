"""The home page, put together from the cards each installed app declares.

An app lists its cards in ``<app>/home.py`` as ``CARDS``. A card is a template fragment
and a function that returns its context (its figures, its links) for the reader, or
``None`` when the card is not for them: the same permission functions as the pages the
card links to decide it, so a card never offers a link that answers 404. Each card costs
a fixed number of queries, whatever the size of the reader's scope.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pilotage.core.permissions import can_view_audit
from pilotage.core.plugins import app_modules


@dataclass(frozen=True)
class HomeCard:
    template: str
    order: int
    context: Callable[[Any], dict[str, Any] | None]


@functools.cache
def home_cards() -> tuple[HomeCard, ...]:
    """Every app's cards, in page order (read once per process)."""
    cards: list[HomeCard] = []
    for module in app_modules("home"):
        cards += module.CARDS
    return tuple(sorted(cards, key=lambda c: c.order))


def home_cards_for(user: Any) -> list[dict[str, Any]]:
    """The cards ``user`` sees, each with its own context."""
    shown = []
    for card in home_cards():
        context = card.context(user)
        if context is not None:
            shown.append({"template": card.template, "context": context})
    return shown


def _audit_card(user: Any) -> dict[str, Any] | None:
    return {} if can_view_audit(user) else None


# The kernel's own card: the audit log, for those who may read it.
CARDS = [HomeCard("core/_home_audit.html", order=80, context=_audit_card)]
