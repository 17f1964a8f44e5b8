"""The indicators app's entries in the main menu (see :mod:`pilotage.core.navigation`)."""

from django.utils.translation import gettext_lazy as _

from pilotage.core.navigation import MenuEntry
from pilotage.indicators.permissions import (
    can_enter_data_somewhere,
    can_manage_catalogue,
    can_open_actions,
    can_open_targets,
    can_view_indicators,
)

ENTRIES = [
    MenuEntry("indicators:dashboard", _("Tableau de bord"), order=10, allowed=can_view_indicators),
    MenuEntry("indicators:pivot", _("Tableau croisé"), order=46, allowed=can_view_indicators),
    MenuEntry("indicators:reports", _("Rapports"), order=47, allowed=can_view_indicators),
    MenuEntry(
        "indicators:quality", _("Qualité des données"), order=48, allowed=can_view_indicators
    ),
    MenuEntry(
        "indicators:data_entry", _("Saisie de données"), order=60, allowed=can_enter_data_somewhere
    ),
    MenuEntry(
        "indicators:custom_list",
        _("Indicateurs personnalisés"),
        order=65,
        allowed=can_manage_catalogue,
    ),
    MenuEntry("indicators:targets", _("Cibles"), order=62, allowed=can_open_targets),
    MenuEntry("indicators:actions", _("Plans d'action"), order=64, allowed=can_open_actions),
]
