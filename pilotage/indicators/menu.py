"""Performance steering's entries in the main menu (see :mod:`pilotage.core.navigation`)."""

from django.utils.translation import gettext_lazy as _

from pilotage.core.navigation import MenuEntry
from pilotage.indicators.permissions import can_view_indicators

ENTRIES = [
    MenuEntry("indicators:dashboard", _("Tableau de bord"), order=10, allowed=can_view_indicators),
]
