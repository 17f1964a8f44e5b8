"""Who reaches which programme and project (permissions.py), for every persona."""

from __future__ import annotations

import pytest

from pilotage.cooperation import permissions as perms
from pilotage.cooperation.selectors.programmes import programmes_visible, projects_visible

pytestmark = pytest.mark.django_db


def _codes(qs) -> set[str]:
    return set(qs.values_list("code", flat=True))


def test_head_and_finance_see_every_programme(coop):
    for who in (coop.head, coop.finance, coop.personas.national_admin):
        assert _codes(programmes_visible(who)) == {"imagine", "other"}
        assert len(_codes(projects_visible(who))) == 3


def test_manager_sees_only_the_programmes_of_their_team(coop):
    assert _codes(programmes_visible(coop.manager)) == {"imagine"}
    assert _codes(projects_visible(coop.manager)) == {"imagine-sn", "imagine-ml"}
    assert _codes(programmes_visible(coop.manager_b)) == {"other"}


def test_coordinator_sees_only_their_countrys_projects(coop):
    assert _codes(projects_visible(coop.coordinator_sn)) == {"imagine-sn", "other-sn"}
    assert _codes(projects_visible(coop.coordinator_ml)) == {"imagine-ml"}
    assert _codes(programmes_visible(coop.coordinator_ml)) == {"imagine"}


def test_school_staff_partners_and_consultants_see_no_programme(coop):
    for who in (
        coop.personas.head_a,
        coop.personas.regional_officer,
        coop.partner_user,
        coop.consultant,
        coop.personas.agent,
    ):
        assert not programmes_visible(who).exists()
        assert not projects_visible(who).exists()


def test_who_manages_and_edits(coop):
    assert perms.manages(coop.manager, coop.imagine)
    assert not perms.manages(coop.manager_b, coop.imagine)
    assert not perms.manages(coop.coordinator_sn, coop.imagine)
    assert perms.manages(coop.head, coop.imagine)
    assert perms.can_edit_project(coop.coordinator_sn, coop.project_sn)
    assert not perms.can_edit_project(coop.coordinator_sn, coop.project_ml)
    assert not perms.can_edit_project(coop.finance, coop.project_sn)
    assert perms.can_manage_finance(coop.finance, coop.imagine)
    assert not perms.can_manage_finance(coop.coordinator_sn, coop.imagine)
    assert not perms.can_manage_finance(coop.manager_b, coop.imagine)


def test_use_is_for_the_cooperation_roles_only(coop):
    assert perms.can_use(coop.partner_user) and perms.can_use(coop.consultant)
    assert not perms.can_use(coop.personas.head_a)
    assert not perms.can_use(coop.personas.anonymous)
