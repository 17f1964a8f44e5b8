"""The role registry: roles and capabilities come from the apps, access only where granted."""

from __future__ import annotations

import types

import pytest
from django.core.exceptions import ImproperlyConfigured

from pilotage.core import roles as registry_module
from pilotage.core.roles import (
    Capability,
    RoleDef,
    registry,
    role_choices,
    role_label,
    roles_with,
)


@pytest.fixture
def fake_apps(monkeypatch):
    """Replace the installed apps' roles modules by the given fake ones."""

    def install(*modules: types.SimpleNamespace) -> None:
        monkeypatch.setattr(registry_module, "app_modules", lambda name: list(modules))
        registry.cache_clear()

    yield install
    registry.cache_clear()


def test_installed_roles_in_seniority_order() -> None:
    assert [code for code, _label in role_choices()] == [
        "national_admin",
        "regional_officer",
        "cooperation_head",
        "programme_manager",
        "finance_officer",
        "country_coordinator",
        "contact_supervisor",
        "contact_agent",
        "survey_manager",
        "provincial_officer",
        "school_head",
        "teacher",
        "parent",
        "enumerator",
        "consultant",
        "cooperation_partner",
    ]


def test_a_capability_belongs_only_to_the_roles_given_it() -> None:
    assert roles_with("orgunits.browse") == {
        "national_admin",
        "regional_officer",
        "provincial_officer",
        "school_head",
        "teacher",
    }
    assert "parent" not in roles_with("orgunits.browse")
    assert roles_with("nobody.declared.this") == frozenset()


def test_a_domain_may_hand_its_capability_to_a_role_of_another_app(fake_apps) -> None:
    base = types.SimpleNamespace(ROLES=[RoleDef("boss", "Boss", order=0, may=frozenset({"a.x"}))])
    domain = types.SimpleNamespace(
        ROLES=[RoleDef("clerk", "Clerk", order=5, granted_by=("boss",))],
        CAPABILITIES=[Capability("d.read", roles=("boss", "clerk"))],
    )
    fake_apps(base, domain)
    assert roles_with("d.read") == {"boss", "clerk"}
    assert roles_with("a.x") == {"boss"}


@pytest.mark.parametrize(
    "modules",
    [
        # the same code twice
        [types.SimpleNamespace(ROLES=[RoleDef("x", "X", 0), RoleDef("x", "X again", 1)])],
        # granted by a role nobody declares
        [types.SimpleNamespace(ROLES=[RoleDef("x", "X", 0, granted_by=("ghost",))])],
        # a capability for a role nobody declares
        [types.SimpleNamespace(CAPABILITIES=[Capability("a.b", roles=("ghost",))])],
    ],
)
def test_a_wrong_declaration_stops_the_start(fake_apps, modules) -> None:
    fake_apps(*modules)
    with pytest.raises(ImproperlyConfigured):
        registry()


def test_a_role_of_a_removed_app_is_named_as_such() -> None:
    assert role_label("teacher") == "Enseignant"
    assert "external_partner" in role_label("external_partner")
    assert role_label("external_partner") != "external_partner"
