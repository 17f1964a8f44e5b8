"""Writing programmes, projects and shares: the rules, the audit, the refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilotage.cooperation.models import MemberRole, Programme, ProgrammeCountry, Project
from pilotage.cooperation.services.common import Conflict
from pilotage.cooperation.services.programmes import (
    programme_countries_set,
    programme_create,
    programme_member_remove,
    programme_sectors_set,
    programme_update,
    project_create,
    project_locations_set,
    project_update,
)
from pilotage.core.models import AuditEntry

pytestmark = pytest.mark.django_db

FIELDS = {
    "code": "pasec",
    "title_fr": "Appui au PASEC",
    "start_date": dt.date(2026, 1, 1),
    "end_date": dt.date(2027, 12, 31),
    "default_currency": "XOF",
}


def test_a_manager_creates_a_programme_and_joins_its_team(coop):
    programme = programme_create(actor=coop.manager, **FIELDS)
    assert programme.members.filter(user=coop.manager, role=MemberRole.MANAGER).exists()
    assert AuditEntry.objects.filter(object_id=str(programme.pk), action="create").exists()


def test_a_coordinator_cannot_create_a_programme(coop):
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        programme_create(actor=coop.coordinator_sn, **FIELDS)
    assert not Programme.objects.filter(code="pasec").exists()
    assert AuditEntry.objects.count() == before


def test_a_programme_ends_after_it_starts(coop):
    with pytest.raises(ValidationError):
        programme_create(actor=coop.manager, **{**FIELDS, "end_date": dt.date(2025, 1, 1)})


def test_update_refuses_a_stale_version(coop):
    programme_update(actor=coop.manager, programme=coop.imagine, version=1, title_en="Imagine")
    with pytest.raises(Conflict):
        programme_update(actor=coop.manager, programme=coop.imagine, version=1, title_en="X")
    coop.imagine.refresh_from_db()
    assert coop.imagine.title_en == "Imagine" and coop.imagine.version == 2


def test_another_manager_cannot_update(coop):
    with pytest.raises(PermissionDenied):
        programme_update(actor=coop.manager_b, programme=coop.imagine, version=1, title_en="X")
    coop.imagine.refresh_from_db()
    assert coop.imagine.title_en == "ImaginEcole" and coop.imagine.version == 1


def test_country_shares_must_add_up_to_100(coop):
    with pytest.raises(ValidationError) as exc:
        programme_countries_set(
            actor=coop.manager,
            programme=coop.imagine,
            shares=[(coop.senegal, Decimal(60)), (coop.mali, Decimal(30))],
        )
    assert "90" in str(exc.value)
    # Nothing half-written: the old shares are still there.
    assert sorted(
        ProgrammeCountry.objects.filter(programme=coop.imagine).values_list("percentage", flat=True)
    ) == [50, 50]
    programme_countries_set(
        actor=coop.manager,
        programme=coop.imagine,
        shares=[(coop.senegal, Decimal(60)), (coop.mali, Decimal(40))],
    )
    assert AuditEntry.objects.filter(action="shares_set").count() == 1


def test_only_countries_are_covered(coop):
    with pytest.raises(ValidationError):
        programme_countries_set(
            actor=coop.manager, programme=coop.imagine, shares=[(coop.dakar, Decimal(100))]
        )


def test_sectors_are_dac_codes_of_the_list(coop):
    with pytest.raises(ValidationError) as exc:
        programme_sectors_set(
            actor=coop.manager,
            programme=coop.imagine,
            shares=[("11220", Decimal(50)), ("99999", Decimal(50))],
        )
    assert "99999" in str(exc.value)
    programme_sectors_set(
        actor=coop.manager,
        programme=coop.imagine,
        shares=[("11220", Decimal("70")), ("11130", Decimal("30"))],
    )
    assert coop.imagine.sectors.count() == 2


def test_a_project_is_in_a_covered_country_and_within_the_programme(coop):
    with pytest.raises(ValidationError):
        project_create(
            actor=coop.manager_b,
            programme=coop.other,
            code="x",
            title_fr="X",
            country=coop.mali,
            start_date=dt.date(2025, 1, 1),
            end_date=dt.date(2026, 1, 1),
        )
    with pytest.raises(PermissionDenied):
        project_create(
            actor=coop.manager,
            programme=coop.other,
            code="x",
            title_fr="X",
            country=coop.senegal,
            start_date=dt.date(2025, 1, 1),
            end_date=dt.date(2026, 1, 1),
        )
    with pytest.raises(ValidationError):
        project_create(
            actor=coop.manager_b,
            programme=coop.other,
            code="x",
            title_fr="X",
            country=coop.senegal,
            start_date=dt.date(2020, 1, 1),
            end_date=dt.date(2026, 1, 1),
        )
    assert not Project.objects.filter(code="x").exists()


def test_the_coordinator_edits_their_countrys_project_only(coop):
    project_update(actor=coop.coordinator_sn, project=coop.project_sn, version=1, description="OK")
    with pytest.raises(PermissionDenied):
        project_update(
            actor=coop.coordinator_sn, project=coop.project_ml, version=1, description="no"
        )
    coop.project_ml.refresh_from_db()
    assert coop.project_ml.description == ""


def test_locations_lie_in_the_projects_country(coop):
    with pytest.raises(ValidationError):
        project_locations_set(
            actor=coop.coordinator_sn, project=coop.project_sn, shares=[(coop.bamako, Decimal(100))]
        )
    project_locations_set(
        actor=coop.coordinator_sn, project=coop.project_sn, shares=[(coop.dakar, Decimal(100))]
    )
    assert coop.project_sn.locations.count() == 1


def test_the_last_manager_stays(coop):
    member = coop.imagine.members.get(user=coop.manager)
    with pytest.raises(ValidationError):
        programme_member_remove(actor=coop.manager, member=member)
    assert coop.imagine.members.filter(pk=member.pk).exists()
