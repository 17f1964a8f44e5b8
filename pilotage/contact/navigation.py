"""The contact centre's own navigation: one entry in the main menu (``menu.py``) leads to the
tickets; every page of the app shows the sections below as tabs, each with the permission
function of the page it opens."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pilotage.contact import permissions as perms
from pilotage.core.navigation import MenuEntry, tabs_for

SECTIONS: tuple[MenuEntry, ...] = (
    MenuEntry("contact:tickets", _("Tickets"), order=10, allowed=perms.can_use),
    MenuEntry("contact:stats", _("Statistiques"), order=90, allowed=perms.reads_statistics),
    MenuEntry("contact:sla", _("Délais"), order=80, allowed=perms.can_use),
    MenuEntry("contact:board", _("Tableau SLA"), order=60, allowed=perms.supervises),
    MenuEntry("contact:queues", _("Files"), order=70, allowed=perms.supervises),
    MenuEntry("contact:canned_list", _("Réponses types"), order=80, allowed=perms.supervises),
    MenuEntry("contact:associations", _("Associations"), order=30, allowed=perms.can_use),
    MenuEntry(
        "contact:intake", pgettext_lazy("contact", "Appel"), order=5, allowed=perms.handles_tickets
    ),
    MenuEntry(
        "contact:visits",
        pgettext_lazy("contact", "Accueil"),
        order=6,
        allowed=perms.receives_visitors,
    ),
    MenuEntry("contact:kb", _("Base de connaissances"), order=40, allowed=perms.can_use),
)

# Pages living outside their tab's URL (URL prefix → the tab's URL name).
SECTION_ALIASES: dict[str, str] = {}


def sections_for(user: Any, path: str) -> list[dict[str, Any]]:
    return tabs_for(SECTIONS, user, path, SECTION_ALIASES)
