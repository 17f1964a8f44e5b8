"""The org-unit tree's entry in the main menu (see :mod:`pilotage.core.navigation`)."""

from django.utils.translation import gettext_lazy as _

from pilotage.core.navigation import MenuEntry
from pilotage.orgunits.permissions import can_browse_tree

ENTRIES = [MenuEntry("orgunits:browse", _("Unités"), order=10, allowed=can_browse_tree)]
