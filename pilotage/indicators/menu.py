"""Performance steering's entries in the main menu (see :mod:`pilotage.core.navigation`)."""

from django.utils.translation import gettext_lazy as _

from pilotage.core.navigation import MenuEntry
from pilotage.indicators.permissions import can_view_indicators

ENTRIES = [
    MenuEntry("indicators:pivot", _("Tableau croisé"), order=46, allowed=can_view_indicators),
    MenuEntry("indicators:reports", _("Rapports"), order=47, allowed=can_view_indicators),
]
