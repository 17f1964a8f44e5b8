"""The cooperation app's own navigation: one entry in the main menu (``menu.py``) leads to
the programmes; every page of the app shows the sections below as tabs, and a programme's
pages show its own tabs (``PROGRAMME_TABS``), each with the permission function of the page
it opens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from pilotage.cooperation import permissions as perms
from pilotage.core.navigation import MenuEntry, tabs_for

SECTIONS: tuple[MenuEntry, ...] = (
    MenuEntry("cooperation:programmes", _("Programmes"), order=10, allowed=perms.can_use),
)


def sections_for(user: Any, path: str) -> list[dict[str, Any]]:
    return tabs_for(SECTIONS, user, path)


@dataclass(frozen=True)
class ProgrammeTab:
    """A tab of a programme's pages: ``url_name`` takes the programme's pk."""

    url_name: str
    label: str | Promise
    order: int
    allowed: Callable[[Any, Any], bool] = lambda user, programme: True


PROGRAMME_TABS: tuple[ProgrammeTab, ...] = (
    ProgrammeTab("cooperation:programme", _("Vue d'ensemble"), order=10),
    ProgrammeTab("cooperation:programme-iati", _("IATI"), order=90, allowed=perms.can_export_iati),
)


def programme_tabs(user: Any, programme: Any, path: str) -> list[dict[str, Any]]:
    """The programme's tabs the user may open; the current one is the longest tab URL the
    path starts with (the overview's URL is the programme's root)."""
    tabs: list[dict[str, Any]] = []
    urls: list[str] = []
    for tab in sorted(PROGRAMME_TABS, key=lambda t: t.order):
        if tab.allowed(user, programme):
            urls.append(reverse(tab.url_name, args=[programme.pk]))
            tabs.append({"url": urls[-1], "label": tab.label, "active": False})
    matches = [i for i, url in enumerate(urls) if path.startswith(url)]
    if matches:
        tabs[max(matches, key=lambda i: len(urls[i]))]["active"] = True
    return tabs
