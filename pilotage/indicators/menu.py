"""The indicators app's entries in the main menu (see :mod:`pilotage.core.navigation`)."""

from django.utils.translation import gettext_lazy as _

from pilotage.core.navigation import MenuEntry
from pilotage.indicators.permissions import can_open_actions, can_open_targets

ENTRIES = [
    MenuEntry("indicators:targets", _("Cibles"), order=62, allowed=can_open_targets),
    MenuEntry("indicators:actions", _("Plans d'action"), order=64, allowed=can_open_actions),
]
