"""Core's entries in the main menu (see :mod:`pilotage.core.navigation`)."""

from django.utils.translation import gettext_lazy as _

from pilotage.core.navigation import MenuEntry
from pilotage.core.permissions import can_view_audit

ENTRIES = [
    MenuEntry("core:home", _("Accueil"), order=0),
    MenuEntry("core:audit", _("Journal d'audit"), order=60, allowed=can_view_audit),
]
