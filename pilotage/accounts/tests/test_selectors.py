"""People pages show only the people a role manages or works with (role registry)."""

from __future__ import annotations

import types

import pytest

from pilotage.accounts.models import RoleAssignment
from pilotage.accounts.selectors import people_visible
from pilotage.accounts.tests.factories import UserFactory
from pilotage.core import roles as registry_module
from pilotage.core.plugins import app_modules
from pilotage.core.roles import RoleDef, registry

pytestmark = pytest.mark.django_db


def _seen(actor) -> set[str]:
    return set(people_visible(actor).values_list("username", flat=True))


def test_a_school_head_sees_the_teachers_and_parents_of_the_school(personas) -> None:
    assert _seen(personas.head_a) == {"teacher.a1", "parent.a"}


def test_a_regional_officer_sees_the_ranks_below_in_the_region(personas) -> None:
    assert _seen(personas.regional_officer) == {"dp.a", "head.a", "teacher.a1", "parent.a"}


def test_the_national_administrator_sees_everyone_with_a_role(personas) -> None:
    assert _seen(personas.national_admin) >= {"region.a", "dp.b", "head.b", "admin.national"}


@pytest.mark.parametrize("persona", ["head_a", "regional_officer", "provincial_a"])
def test_nobody_below_opens_the_national_administrators_page(client, personas, persona) -> None:
    client.force_login(getattr(personas, persona))
    assert client.get(f"/accounts/people/{personas.national_admin.pk}/").status_code == 404


@pytest.fixture
def supervisor_role(monkeypatch):
    """A domain whose supervisor hands out the agent role at the country level, as the
    contact centre will: the supervisor sees agents only, not the 400 other people."""
    extra = types.SimpleNamespace(
        ROLES=[
            RoleDef("test_supervisor", "Superviseur", order=60),
            RoleDef("test_agent", "Agent", order=61, granted_by=("test_supervisor",)),
        ]
    )
    real = app_modules

    monkeypatch.setattr(
        registry_module,
        "app_modules",
        lambda name: [*real(name), extra] if name == "roles" else real(name),
    )
    registry.cache_clear()
    yield
    registry.cache_clear()


def test_a_supervisor_at_the_top_sees_only_its_agents(personas, supervisor_role) -> None:
    supervisor, agent = UserFactory(username="sup"), UserFactory(username="ag")
    RoleAssignment.objects.create(
        user=supervisor, role="test_supervisor", org_unit=personas.country
    )
    RoleAssignment.objects.create(user=agent, role="test_agent", org_unit=personas.country)
    assert _seen(supervisor) == {"ag"}


def test_a_role_that_hands_out_nothing_sees_nobody(personas) -> None:
    assert _seen(personas.teacher_a1) == set()
    assert _seen(personas.agent) == set()
