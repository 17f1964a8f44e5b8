"""The role registry: every role and what it may do, declared by the app it belongs to.

An app lists its roles and capabilities in ``<app>/roles.py``::

    ROLES = [RoleDef(TEACHER, _("Enseignant"), order=50, granted_by=(SCHOOL_HEAD,))]
    CAPABILITIES = [Capability(ENTER_MARKS, roles=(SCHOOL_HEAD, TEACHER))]

The kernel finds those modules through the app registry (as it finds menus and home
cards), so it names no role itself, and an app removed from ``INSTALLED_APPS`` takes its
roles with it. Access is denied unless granted: a capability belongs to the roles that
list it in ``RoleDef.may`` and to those its ``Capability`` names; nothing else has it.
A capability is a string ``"<app>.<verb>"``; the app that checks it declares it, and may
hand it to another app's roles by their code (checked when the registry is read).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from pilotage.core.plugins import app_modules


@dataclass(frozen=True)
class RoleDef:
    """A role a person holds over an org unit and its subtree.

    ``order`` ranks roles from the most senior (home page, lists); ``granted_by`` names
    the roles that may hand this one out inside their own subtree; ``may`` is what the
    role may do; ``works_with`` the other roles whose holders it sees on the people pages
    (besides those it may hand out)."""

    code: str
    label: str | Promise
    order: int
    granted_by: tuple[str, ...] = ()
    may: frozenset[str] = field(default_factory=frozenset)
    works_with: tuple[str, ...] = ()


@dataclass(frozen=True)
class Capability:
    """Something an app lets some roles do; ``roles`` may belong to any app."""

    code: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Registry:
    roles: dict[str, RoleDef]
    holders: dict[str, frozenset[str]]  # capability → roles that have it


@functools.cache
def registry() -> Registry:
    """Read once per process from every installed app's ``roles.py``."""
    roles: dict[str, RoleDef] = {}
    declared: list[Capability] = []
    for module in app_modules("roles"):
        for role in getattr(module, "ROLES", ()):
            if role.code in roles:
                raise ImproperlyConfigured(f"Role {role.code!r} is declared twice.")
            roles[role.code] = role
        declared += getattr(module, "CAPABILITIES", ())
    holders: dict[str, set[str]] = {}
    for role in roles.values():
        for unknown in set(role.granted_by) | set(role.works_with):
            if unknown not in roles:
                raise ImproperlyConfigured(f"Role {role.code!r} names unknown role {unknown!r}.")
        for code in role.may:
            holders.setdefault(code, set()).add(role.code)
    for capability in declared:
        for code in capability.roles:
            if code not in roles:
                raise ImproperlyConfigured(
                    f"Capability {capability.code!r} names unknown role {code!r}."
                )
        holders.setdefault(capability.code, set()).update(capability.roles)
    ordered = dict(sorted(roles.items(), key=lambda item: (item[1].order, item[0])))
    return Registry(ordered, {cap: frozenset(codes) for cap, codes in holders.items()})


def roles_with(capability: str) -> frozenset[str]:
    """The roles that have ``capability``; none for a capability nobody was given."""
    return registry().holders.get(capability, frozenset())


def role_defs() -> list[RoleDef]:
    """Every installed role, most senior first."""
    return list(registry().roles.values())


def role_choices() -> list[tuple[str, str | Promise]]:
    """For the role column and the forms (Django accepts a callable as ``choices``)."""
    return [(role.code, role.label) for role in role_defs()]


def role_label(code: str) -> str:
    """A role's name; one no installed app declares (its app was removed) says so."""
    role = registry().roles.get(code)
    if role is None:
        return _("%(code)s (rôle d'une application absente)") % {"code": code}
    return str(role.label)


def role_order(code: str) -> int:
    role = registry().roles.get(code)
    return role.order if role is not None else 10_000
