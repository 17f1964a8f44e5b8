"""The main menu, put together from the entries each installed app declares.

An app lists its entries in ``<app>/menu.py`` as ``ENTRIES``; core finds those modules
through :func:`pilotage.core.plugins.app_modules`, so it never imports a domain app to
draw the menu, and an app removed from ``INSTALLED_APPS`` takes its entries with it.
``order`` places an entry among those of every app; ``allowed`` is the same permission
function as the page's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

from pilotage.core.plugins import app_modules


@dataclass(frozen=True)
class MenuEntry:
    url_name: str
    label: str | Promise
    order: int
    allowed: Callable[[Any], bool] = lambda user: True


@functools.cache
def menu_entries() -> tuple[MenuEntry, ...]:
    """Every app's entries, in menu order (read once per process)."""
    entries: list[MenuEntry] = []
    for module in app_modules("menu"):
        entries += module.ENTRIES
    return tuple(sorted(entries, key=lambda e: e.order))


def tabs_for(
    sections: tuple[MenuEntry, ...],
    user: Any,
    path: str,
    aliases: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """An app's own tabs that ``user`` may open, the current one marked: the longest tab URL
    the path starts with, or the tab named in ``aliases`` (URL prefix → URL name) for pages
    that live outside their tab's URL."""
    from django.urls import reverse

    tabs: list[dict[str, Any]] = []
    for entry in sorted(sections, key=lambda e: e.order):
        if entry.allowed(user):
            tabs.append({"url": reverse(entry.url_name), "label": entry.label, "active": False})
    matches = [t for t in tabs if path.startswith(t["url"])]
    for prefix, url_name in (aliases or {}).items():
        if path.startswith(prefix):
            matches = [t for t in tabs if t["url"] == reverse(url_name)]
    if matches:
        max(matches, key=lambda t: len(t["url"]))["active"] = True
    return tabs
