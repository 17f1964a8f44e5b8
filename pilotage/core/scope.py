"""What part of the org-unit tree a user's role assignments cover.

An assignment covers its org unit's whole subtree, and a unit's subtree is every unit whose
materialised path starts with the unit's path. So a user's reach is a handful of path
prefixes, computed once per request, and every scoped query is ``path LIKE 'prefix%'``.

The kernel does not know where assignments and units are stored: the settings
``PILOTAGE_GRANTS_LOADER`` and ``PILOTAGE_UNIT_PATH_LOADER`` name the functions that read
a user's grants (the accounts app's) and a unit's path (the org-unit app's).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.module_loading import import_string

from pilotage.core.roles import roles_with

ROOT_PATH = ""

# "Every row": a condition that stays true when combined with others, where an empty Q()
# would vanish from ``Q() | other`` and leave only ``other`` (the root scope would then
# see only what its other conditions select). Django compiles it to no WHERE clause.
EVERYTHING = ~Q(pk__in=[])
NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Grant:
    role: str
    path: str
    org_unit_id: int


@dataclass(frozen=True)
class Scope:
    grants: tuple[Grant, ...]

    def _grants(self, roles: Iterable[str] | None) -> list[Grant]:
        if roles is None:
            return list(self.grants)
        wanted = set(roles)
        return [g for g in self.grants if g.role in wanted]

    def has_role(self, *roles: str) -> bool:
        return bool(self._grants(roles))

    def allows(self, capability: str) -> bool:
        """Whether some assignment of the user carries ``capability`` (anywhere)."""
        return self.has_role(*roles_with(capability))

    @property
    def roles(self) -> set[str]:
        return {g.role for g in self.grants}

    def paths(self, roles: Iterable[str] | None = None) -> list[str]:
        """The smallest set of prefixes: a path under another kept path is dropped."""
        kept: list[str] = []
        for path in sorted({g.path for g in self._grants(roles)}):
            if not any(path.startswith(k) for k in kept):
                kept.append(path)
        return kept

    def covers(self, path: str, roles: Iterable[str] | None = None) -> bool:
        return any(path.startswith(p) for p in self.paths(roles))

    def covers_for(self, capability: str, path: str) -> bool:
        """Whether an assignment carrying ``capability`` covers the unit at ``path``."""
        return self.covers(path, roles_with(capability))

    def q(self, path_field: str = "path", roles: Iterable[str] | None = None) -> Q:
        """A filter keeping rows whose org unit lies under one of the covered paths:
        :data:`EVERYTHING` for the root, :data:`NOTHING` for no assignment, so that the
        result combines with ``&``, ``|`` and ``~`` as a real condition does."""
        paths = self.paths(roles)
        if not paths:
            return NOTHING
        if ROOT_PATH in paths:
            return EVERYTHING
        return reduce(or_, (Q(**{f"{path_field}__startswith": p}) for p in paths))

    def q_for(self, capability: str, path_field: str = "path") -> Q:
        return self.q(path_field, roles_with(capability))


@functools.cache
def _loader() -> Callable[[Any], list[Grant]]:
    return import_string(settings.PILOTAGE_GRANTS_LOADER)


def unit_path(code: str) -> str | None:
    """The tree path of the unit with ``code``, or ``None``: the kernel asks the function
    ``settings.PILOTAGE_UNIT_PATH_LOADER`` names (the org-unit app's)."""
    return _unit_path_loader()(code)


@functools.cache
def _unit_path_loader() -> Callable[[str], str | None]:
    return import_string(settings.PILOTAGE_UNIT_PATH_LOADER)


def scope_of(user: Any) -> Scope:
    """The user's scope, cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated:
        return Scope(grants=())
    cached = getattr(user, "_pilotage_scope", None)
    if cached is not None:
        return cached
    scope = Scope(grants=tuple(_loader()(user)))
    user._pilotage_scope = scope
    return scope


def forget_scope(user: Any) -> None:
    """After a change of the user's assignments: the next ``scope_of`` reads them again."""
    if hasattr(user, "_pilotage_scope"):
        del user._pilotage_scope
