"""Performance steering's home-page cards (see :mod:`pilotage.core.home`): key figures of
the reader's scope, and the overdue actions they own or supervise."""

from __future__ import annotations

from typing import Any

from pilotage.core.home import HomeCard
from pilotage.indicators.permissions import can_open_actions, can_view_indicators
from pilotage.indicators.selectors.actions import overdue_for
from pilotage.indicators.selectors.dashboards import (
    academic_years,
    dashboard_tops,
    home_figures,
    year_chosen,
)


def _key_figures(user: Any) -> dict[str, Any] | None:
    """Five queries at most: the top unit of the reader's scope, the years, and one GROUP BY over
    each fact table (pupils, classes, teachers); none for those without indicators."""
    if not can_view_indicators(user):
        return None
    tops = dashboard_tops(user)
    years = academic_years()
    year = year_chosen(years, None)
    if not tops or year is None:
        return {"figures": None}
    return {"figures": home_figures(tops[0], year)}


def _overdue(user: Any) -> dict[str, Any] | None:
    """Overdue actions the reader owns or supervises (rule in selectors/actions.py): two
    queries, the count and the ten most overdue; none for those without action plans."""
    if not can_open_actions(user):
        return None
    total, actions = overdue_for(user)
    return {"total": total, "actions": actions, "user": user}


CARDS = [
    HomeCard("indicators/dashboards/_home_figures.html", order=33, context=_key_figures),
    HomeCard("indicators/actions/_home_overdue.html", order=35, context=_overdue),
]
