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
