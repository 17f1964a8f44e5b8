"""The contact centre's entry in the main menu (see :mod:`pilotage.core.navigation`)."""

from django.utils.translation import gettext_lazy as _

from pilotage.contact.permissions import can_use
from pilotage.core.navigation import MenuEntry

ENTRIES = [
    MenuEntry("contact:tickets", _("Centre de contact"), order=35, allowed=can_use),
]
