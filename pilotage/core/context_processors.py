from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pilotage.accounts.models import Role
from pilotage.accounts.permissions import can_view_people
from pilotage.accounts.scope import scope_of
from pilotage.core.permissions import can_view_audit
from pilotage.orgunits.permissions import can_browse_tree
from pilotage.schooling.permissions import SCHOOL_STAFF


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu a user sees follows the same permission rules as the pages it links to."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    scope = scope_of(user)
    items = [("core:home", _("Accueil"), True)]
    items += [
        ("orgunits:browse", _("Unités"), can_browse_tree(user)),
        ("schooling:classes", _("Classes"), scope.has_role(*SCHOOL_STAFF)),
        (
            "schooling:transfers",
            _("Transferts"),
            scope.has_role(Role.NATIONAL_ADMIN, Role.SCHOOL_HEAD),
        ),
        ("schooling:portal", _("Mes enfants"), scope.has_role(Role.PARENT)),
        ("accounts:people", _("Personnes"), can_view_people(user)),
        ("core:audit", _("Journal d'audit"), can_view_audit(user)),
        ("accounts:tokens", _("Jetons d'API"), True),
    ]
    nav = [
        {"url": reverse(name), "label": label, "active": request.path == reverse(name)}
        for name, label, allowed in items
        if allowed
    ]
    if user.is_staff:
        nav.append({"url": reverse("admin:index"), "label": _("Administration"), "active": False})
    return {"nav_items": nav}
