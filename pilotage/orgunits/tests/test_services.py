from __future__ import annotations

import datetime as dt

import pytest

from pilotage.core.tests.support import unchanged
from pilotage.orgunits.countries import country_load_morocco
from pilotage.orgunits.models import AcademicYear, OrgUnit, OrgUnitGroup, Period, School
from pilotage.orgunits.services import (
    OrgUnitError,
    academic_year_create,
    orgunit_create,
    school_save,
)
from pilotage.orgunits.tests.factories import levels

pytestmark = pytest.mark.django_db


def test_academic_year_with_semesters_and_periods() -> None:
    year = academic_year_create(actor=None, first_year=2025, current=True)
    assert (year.code, year.start, year.end) == (
        "2025-2026",
        dt.date(2025, 9, 1),
        dt.date(2026, 8, 31),
    )
    assert [(s.number, s.start, s.end) for s in year.semesters.all()] == [
        (1, dt.date(2025, 9, 1), dt.date(2026, 1, 31)),
        (2, dt.date(2026, 2, 1), dt.date(2026, 8, 31)),
    ]
    months = Period.objects.filter(type="month")
    assert [p.code for p in months][:2] == ["2025-09", "2025-10"] and months.count() == 12
    assert Period.objects.get(code="2026-02").end == dt.date(2026, 2, 28)
    quarters = [p.code for p in Period.objects.filter(type="quarter")]
    assert quarters == ["2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    assert Period.objects.get(code="2025Q4").end == dt.date(2025, 12, 31)
    assert {p.code for p in Period.objects.filter(type="year")} == {"2025", "2026"}
    assert Period.objects.get(code="2025-2026").type == "academic_year"


def test_only_one_current_year() -> None:
    academic_year_create(actor=None, first_year=2024, current=True)
    academic_year_create(actor=None, first_year=2025, current=True)
    assert list(AcademicYear.objects.filter(is_current=True).values_list("code", flat=True)) == [
        "2025-2026"
    ]
    # Creating the same year again is harmless (periods are not duplicated).
    academic_year_create(actor=None, first_year=2025, current=True)
    assert Period.objects.filter(code="2025-09").count() == 1


def test_level_must_match_depth() -> None:
    lv = levels()
    country = orgunit_create(actor=None, parent=None, level=lv["pays"], code="MA", name_fr="Maroc")
    with unchanged(OrgUnit), pytest.raises(OrgUnitError):
        orgunit_create(
            actor=None, parent=country, level=lv["commune"], code="C1", name_fr="Commune"
        )


def test_school_groups_follow_the_school_record(personas) -> None:  # type: ignore[no-untyped-def]
    unit = personas.fresh(personas.school_a)
    school_save(
        actor=None,
        org_unit=unit,
        school_code="04101A",
        cycles=["primaire"],
        sector="prive",
        milieu="rural",
    )
    assert set(unit.groups.values_list("code", flat=True)) == {"sector-prive", "milieu-rural"}
    assert not OrgUnitGroup.objects.get(code="sector-public").members.filter(pk=unit.pk).exists()
    assert School.objects.get(pk=unit.pk).sector == "prive"


def test_school_must_teach_a_cycle(personas) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import ValidationError

    with unchanged(School, OrgUnitGroup.members.through), pytest.raises(ValidationError):
        school_save(
            actor=None,
            org_unit=personas.fresh(personas.commune_a),
            school_code="X",
            cycles=[],
            sector="public",
            milieu="rural",
        )


def test_morocco_configuration_is_complete_and_idempotent() -> None:
    country_load_morocco()
    country_load_morocco()
    assert OrgUnit.objects.filter(depth=2).count() == 12
    assert OrgUnit.objects.filter(depth=3).count() == 75
    tanger = OrgUnit.objects.get(code="MA-TNG")
    assert OrgUnit.objects.get_parent(tanger).code == "MA-01"
    assert tanger.name_ar == "عمالة طنجة-أصيلة"
    assert OrgUnit.objects.find_problems() == ([], [], [], [], [])
