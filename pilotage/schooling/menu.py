"""The school records' entries in the main menu (see :mod:`pilotage.core.navigation`)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from pilotage.accounts.models import Role
from pilotage.accounts.scope import scope_of
from pilotage.core.navigation import MenuEntry
from pilotage.schooling.permissions import SCHOOL_STAFF, can_manage_deadlines


def _staff(user: Any) -> bool:
    return scope_of(user).has_role(*SCHOOL_STAFF)


def _transfers(user: Any) -> bool:
    return scope_of(user).has_role(Role.NATIONAL_ADMIN, Role.SCHOOL_HEAD)


def _parent(user: Any) -> bool:
    return scope_of(user).has_role(Role.PARENT)


ENTRIES = [
    MenuEntry("schooling:classes", _("Classes"), order=20, allowed=_staff),
    MenuEntry("schooling:transfers", _("Transferts"), order=30, allowed=_transfers),
    MenuEntry(
        "schooling:deadlines", _("Dates limites de saisie"), order=35, allowed=can_manage_deadlines
    ),
    MenuEntry("schooling:portal", _("Mes enfants"), order=40, allowed=_parent),
]
