"""What part of the org-unit tree a user's role assignments cover.

An assignment covers its org unit's whole subtree, and a unit's subtree is every unit whose
materialised path starts with the unit's path. So a user's reach is a handful of path
prefixes, computed once per request, and every scoped query is ``path LIKE 'prefix%'``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q

from pilotage.accounts.models import Role, RoleAssignment

ROOT_PATH = ""


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

    def q(self, path_field: str = "path", roles: Iterable[str] | None = None) -> Q:
        """A filter keeping rows whose org unit lies under one of the covered paths."""
        paths = self.paths(roles)
        if not paths:
            return Q(pk__in=[])
        if ROOT_PATH in paths:
            return Q()
        return reduce(or_, (Q(**{f"{path_field}__startswith": p}) for p in paths))


def scope_of(user: Any) -> Scope:
    """The user's scope, cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated:
        return Scope(grants=())
    cached = getattr(user, "_pilotage_scope", None)
    if cached is not None:
        return cached
    grants = [
        Grant(role=role, path=path, org_unit_id=ou_id)
        for role, path, ou_id in RoleAssignment.objects.filter(user=user).values_list(
            "role", "org_unit__path", "org_unit_id"
        )
    ]
    if user.is_superuser:
        grants.append(Grant(role=Role.NATIONAL_ADMIN, path=ROOT_PATH, org_unit_id=0))
    scope = Scope(grants=tuple(grants))
    user._pilotage_scope = scope
    return scope


def forget_scope(user: Any) -> None:
    if hasattr(user, "_pilotage_scope"):
        del user._pilotage_scope
