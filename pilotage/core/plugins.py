"""How the kernel finds what each installed app contributes, without importing any app.

An app contributes by having a module of a known name: ``menu.py`` (menu entries),
``home.py`` (home-page cards), ``roles.py`` (roles and capabilities), ``tasks.py``
(background job kinds), ``audit.py`` (audit actions, read at start-up). The kernel
looks for those modules through Django's app registry, so an app removed from
``INSTALLED_APPS`` takes its contributions with it.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

from django.apps import apps


def app_modules(name: str) -> list[ModuleType]:
    """Every installed app's ``<app>.<name>`` module, in ``INSTALLED_APPS`` order."""
    found = []
    for config in apps.get_app_configs():
        dotted = f"{config.name}.{name}"
        if find_spec(dotted) is not None:
            found.append(import_module(dotted))
    return found
