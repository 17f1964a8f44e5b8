"""The surveys app's entry in the main menu (see :mod:`pilotage.core.navigation`)."""

from django.utils.translation import gettext_lazy as _

from pilotage.core.navigation import MenuEntry
from pilotage.surveys.permissions import can_use

ENTRIES = [
    MenuEntry("surveys:surveys", _("Enquêtes"), order=45, allowed=can_use),
]
