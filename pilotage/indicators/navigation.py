"""The indicators app's own navigation: one entry in the main menu (``menu.py``) leads to
the dashboard, and every page of the app shows the sections below as tabs, each with the
same permission function as the page it opens."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from pilotage.core.navigation import MenuEntry, tabs_for
from pilotage.indicators.permissions import (
    can_enter_data_somewhere,
    can_manage_catalogue,
    can_open_actions,
    can_open_targets,
    can_view_indicators,
)

SECTIONS = (
    MenuEntry("indicators:dashboard", _("Tableau de bord"), order=10, allowed=can_view_indicators),
    MenuEntry("indicators:pivot", _("Tableau croisé"), order=20, allowed=can_view_indicators),
    MenuEntry("indicators:targets", _("Cibles"), order=30, allowed=can_open_targets),
    MenuEntry("indicators:actions", _("Plans d'action"), order=40, allowed=can_open_actions),
    MenuEntry(
        "indicators:quality", _("Qualité des données"), order=50, allowed=can_view_indicators
    ),
    MenuEntry(
        "indicators:data_entry", _("Saisie de données"), order=60, allowed=can_enter_data_somewhere
    ),
    MenuEntry("indicators:reports", _("Rapports"), order=70, allowed=can_view_indicators),
    MenuEntry(
        "indicators:custom_list",
        _("Indicateurs personnalisés"),
        order=80,
        allowed=can_manage_catalogue,
    ),
)

# Pages of the dashboard section that are not under its own URL.
_ALIASES = {"/indicators/unit/": "indicators:dashboard"}


def sections_for(user: Any, path: str) -> list[dict[str, Any]]:
    """The tabs the user may open, the current one marked (the dashboard's URL is the
    app's root, so its unit pages are aliased to it)."""
    return tabs_for(SECTIONS, user, path, _ALIASES)
