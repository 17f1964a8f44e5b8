"""Aggregate data for the data-quality tests: a category combo, data elements, a data set
reported by the schools, and values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from pilotage.indicators.models import (
    CategoryCombo,
    CategoryOption,
    DataElement,
    DataSet,
    DataValue,
    ValidationRule,
)
from pilotage.orgunits.models import AcademicYear, OrgUnit, OrgUnitLevel, Period, PeriodType
from pilotage.orgunits.services import academic_year_create


@dataclass
class Aggregates:
    year: AcademicYear
    period: Period  # the academic year 2025-2026 as a reporting period
    sexes: CategoryCombo
    total: CategoryCombo
    classrooms: DataElement  # total only
    pupils: DataElement  # f / g
    teachers: DataElement  # f / g
    data_set: DataSet

    def option(self, element: DataElement, code: str) -> CategoryOption:
        return CategoryOption.objects.get(combo_id=element.combo_id, code=code)


def make_aggregates() -> Aggregates:
    year = academic_year_create(actor=None, first_year=2025, current=True)
    period = Period.objects.get(code=year.code)
    sexes = CategoryCombo.objects.create(code="sexe", name_fr="Sexe")
    for order, (code, name) in enumerate([("f", "Filles"), ("g", "Garçons")]):
        CategoryOption.objects.create(combo=sexes, code=code, name_fr=name, order=order)
    total = CategoryCombo.objects.create(code="total", name_fr="Total")
    CategoryOption.objects.create(combo=total, code="total", name_fr="Total")
    classrooms = DataElement.objects.create(code="salles", name_fr="Salles", combo=total)
    pupils = DataElement.objects.create(code="eleves", name_fr="Élèves", combo=sexes)
    teachers = DataElement.objects.create(code="profs", name_fr="Enseignants", combo=sexes)
    data_set = DataSet.objects.create(
        code="rentree",
        name_fr="Enquête de rentrée",
        period_type=PeriodType.ACADEMIC_YEAR,
        level=OrgUnitLevel.objects.get(code="etablissement"),
        timely_days=30,
    )
    data_set.elements.set([classrooms, pupils, teachers])
    return Aggregates(year, period, sexes, total, classrooms, pupils, teachers, data_set)


def put(
    agg: Aggregates,
    element: DataElement,
    option: str,
    unit: OrgUnit,
    value: Any,
    *,
    period: Period | None = None,
    updated_at: dt.datetime | None = None,
) -> DataValue:
    row = DataValue.objects.create(
        data_element=element,
        category_option=agg.option(element, option),
        org_unit=unit,
        path=unit.path,
        period=period or agg.period,
        value=Decimal(str(value)),
    )
    if updated_at is not None:
        DataValue.objects.filter(pk=row.pk).update(updated_at=updated_at)
    return row


def rule(code: str, left: str, operator: str, right: str, **kw: Any) -> ValidationRule:
    return ValidationRule.objects.create(
        code=code,
        name_fr=kw.pop("name_fr", code),
        left=left,
        operator=operator,
        right=right,
        period_type=kw.pop("period_type", PeriodType.ACADEMIC_YEAR),
        **kw,
    )


def aware(*args: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))
