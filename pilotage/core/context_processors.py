from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pilotage.core.navigation import menu_entries


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu a user sees follows the same permission rules as the pages it links to;
    each app contributes its own entries (see :mod:`pilotage.core.navigation`)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    nav = []
    for entry in menu_entries():
        if entry.allowed(user):
            url = reverse(entry.url_name)
            nav.append({"url": url, "label": entry.label, "active": request.path == url})
    if user.is_staff:
        nav.append({"url": reverse("admin:index"), "label": _("Administration"), "active": False})
    return {"nav_items": nav}
