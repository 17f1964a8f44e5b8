"""The cooperation app's entry in the main menu (see :mod:`pilotage.core.navigation`)."""

from django.utils.translation import gettext_lazy as _

from pilotage.cooperation.permissions import can_use
from pilotage.core.navigation import MenuEntry

ENTRIES = [
    MenuEntry("cooperation:programmes", _("Coopération"), order=40, allowed=can_use),
]
