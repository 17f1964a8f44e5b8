"""The main menu, put together from the entries each installed app declares.

An app lists its entries in ``<app>/menu.py`` as ``ENTRIES``; core finds those modules
through the app registry, so it never imports a domain app to draw the menu, and an app
removed from ``INSTALLED_APPS`` takes its entries with it. ``order`` places an entry
among those of every app; ``allowed`` is the same permission function as the page's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.utils.functional import Promise


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
    for config in apps.get_app_configs():
        name = f"{config.name}.menu"
        if find_spec(name) is None:
            continue
        entries += import_module(name).ENTRIES
    return tuple(sorted(entries, key=lambda e: e.order))
