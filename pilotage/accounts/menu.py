"""The accounts' entries in the main menu (see :mod:`pilotage.core.navigation`)."""

from django.utils.translation import gettext_lazy as _

from pilotage.accounts.permissions import can_view_people
from pilotage.core.navigation import MenuEntry

ENTRIES = [
    MenuEntry("accounts:people", _("Personnes"), order=50, allowed=can_view_people),
    MenuEntry("accounts:tokens", _("Jetons d'API"), order=70),
]
