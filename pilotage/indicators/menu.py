"""The indicators app's entry in the main menu (see :mod:`pilotage.core.navigation`): one,
to the dashboard; the app's pages are reached from its own tabs (``navigation.py``)."""

from django.utils.translation import gettext_lazy as _

from pilotage.core.navigation import MenuEntry
from pilotage.indicators.permissions import can_view_indicators

ENTRIES = [
    MenuEntry("indicators:dashboard", _("Indicateurs"), order=25, allowed=can_view_indicators),
]
