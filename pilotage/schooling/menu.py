"""The school records' entries in the main menu (see :mod:`pilotage.core.navigation`)."""

from django.utils.translation import gettext_lazy as _

from pilotage.core.navigation import MenuEntry
from pilotage.schooling.permissions import (
    can_follow_children,
    can_list_schools,
    can_manage_deadlines,
    can_view_classes,
    can_view_transfers,
)

ENTRIES = [
    MenuEntry("schooling:schools", _("Établissements"), order=15, allowed=can_list_schools),
    MenuEntry("schooling:classes", _("Classes"), order=20, allowed=can_view_classes),
    MenuEntry("schooling:transfers", _("Transferts"), order=30, allowed=can_view_transfers),
    MenuEntry(
        "schooling:deadlines", _("Dates limites de saisie"), order=35, allowed=can_manage_deadlines
    ),
    MenuEntry("schooling:portal", _("Mes enfants"), order=40, allowed=can_follow_children),
]
