"""A small aggregate data catalogue for the tests: a school census (one form a school
year, entered by schools) and a monthly report, over two category combinations."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pilotage.indicators.models import CategoryCombo, DataElement, DataSet, ValueType
from pilotage.indicators.services.aggregates import (
    category_combo_save,
    data_element_save,
    data_set_save,
)
from pilotage.orgunits.models import OrgUnitLevel, Period
from pilotage.orgunits.services import academic_year_create

YEAR = "2025-2026"


@dataclass
class Catalogue:
    total: CategoryCombo
    sex: CategoryCombo
    census: DataSet
    monthly: DataSet
    classrooms: DataElement
    toilets: DataElement
    electricity: DataElement
    attendance: DataElement
    budget: DataElement
    meals: DataElement
    year: Period
    month: Period


def make_catalogue() -> Catalogue:
    academic_year_create(actor=None, first_year=2025, current=True)
    school = OrgUnitLevel.objects.get(code="etablissement")
    total = category_combo_save(
        actor=None, code="total", name_fr="Total", options=[{"code": "total", "name_fr": "Total"}]
    )
    sex = category_combo_save(
        actor=None,
        code="sex",
        name_fr="Sexe",
        options=[
            {"code": "girls", "name_fr": "Filles", "name_ar": "إناث"},
            {"code": "boys", "name_fr": "Garçons", "name_ar": "ذكور"},
        ],
    )

    def element(code: str, combo: CategoryCombo, kind: str = ValueType.INTEGER) -> DataElement:
        return data_element_save(
            actor=None, code=code, name_fr=code.capitalize(), combo=combo, value_type=kind
        )

    classrooms = element("classrooms", total)
    toilets = element("toilets", sex)
    electricity = element("electricity", total, ValueType.BOOLEAN)
    attendance = element("attendance", total, ValueType.PERCENTAGE)
    budget = element("budget", total, ValueType.NUMBER)
    meals = element("meals", sex)
    census = data_set_save(
        actor=None,
        code="census",
        name_fr="Recensement scolaire",
        period_type="academic_year",
        level=school,
        elements=[classrooms, toilets, electricity, attendance, budget],
    )
    monthly = data_set_save(
        actor=None,
        code="monthly",
        name_fr="Rapport mensuel",
        period_type="month",
        level=school,
        elements=[meals],
    )
    return Catalogue(
        total,
        sex,
        census,
        monthly,
        classrooms,
        toilets,
        electricity,
        attendance,
        budget,
        meals,
        Period.objects.get(code=YEAR),
        Period.objects.get(code="2025-11"),
    )


@pytest.fixture(name="catalogue")
def catalogue_fixture(personas) -> Catalogue:
    return make_catalogue()
