"""Saving aggregate data: a valid form, and every refusal with nothing written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilotage.core.models import AuditEntry
from pilotage.core.tests.support import unchanged
from pilotage.indicators.models import CategoryOption, DataApproval, DataValue
from pilotage.indicators.quality.approval import ApprovalLocks, approval_locks
from pilotage.indicators.services.aggregates import (
    DataConflict,
    DataLocked,
    DataValuesRejected,
    category_combo_save,
    data_element_save,
    data_set_save,
    data_values_save,
    value_parse,
)
from pilotage.indicators.tests.aggregates_support import catalogue_fixture  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def save(
    personas, catalogue, values, *, actor=None, unit=None, period=None, versions=None, data_set=None
):
    return data_values_save(
        actor=actor or personas.head_a,
        data_set=data_set or catalogue.census,
        org_unit=unit or personas.school_a,
        period=period or catalogue.year,
        values=values,
        versions=versions,
    )


def stored(catalogue, unit) -> dict[tuple[str, str], Decimal]:
    return {
        (v.data_element.code, v.category_option.code): v.value
        for v in DataValue.objects.filter(org_unit=unit).select_related(
            "data_element", "category_option"
        )
    }


def test_a_valid_form_is_saved_with_one_audit_row_per_cell(personas, catalogue) -> None:
    result = save(
        personas,
        catalogue,
        {
            ("classrooms", "total"): "12",
            ("toilets", "girls"): "3",
            ("toilets", "boys"): "",
            ("electricity", "total"): "1",
            ("attendance", "total"): "92,5",
            ("budget", "total"): "-1500.25",
        },
        versions={},
    )
    assert (result.created, result.updated, result.deleted) == (5, 0, 0)
    assert stored(catalogue, personas.school_a) == {
        ("classrooms", "total"): Decimal(12),
        ("toilets", "girls"): Decimal(3),
        ("electricity", "total"): Decimal(1),
        ("attendance", "total"): Decimal("92.5"),
        ("budget", "total"): Decimal("-1500.25"),
    }
    value = DataValue.objects.get(data_element=catalogue.classrooms)
    assert value.path == personas.school_a.path
    assert value.stored_by == personas.head_a and value.version == 1
    assert result.versions[("classrooms", "total")] == 1
    assert result.versions[("toilets", "boys")] == 0
    entries = AuditEntry.objects.filter(object_type="indicators.datavalue")
    assert entries.count() == 5
    assert entries.get(object_id=str(value.pk)).changes == {"value": [None, "12"]}
    assert entries.get(object_id=str(value.pk)).path == personas.school_a.path


def test_an_update_moves_the_version_and_an_empty_cell_deletes(personas, catalogue) -> None:
    save(personas, catalogue, {("classrooms", "total"): "12", ("toilets", "girls"): "3"})
    result = save(
        personas,
        catalogue,
        {("classrooms", "total"): "14", ("toilets", "girls"): "", ("toilets", "boys"): ""},
        versions={("classrooms", "total"): 1, ("toilets", "girls"): 1},
    )
    assert (result.created, result.updated, result.deleted) == (0, 1, 1)
    assert stored(catalogue, personas.school_a) == {("classrooms", "total"): Decimal(14)}
    assert result.versions[("classrooms", "total")] == 2
    assert result.versions[("toilets", "girls")] == 0
    changes = list(
        AuditEntry.objects.filter(
            object_type="indicators.datavalue", action__in=["update", "delete"]
        )
        .order_by("action")
        .values_list("action", "changes")
    )
    assert changes == [("delete", {"value": ["3", None]}), ("update", {"value": ["12", "14"]})]


def test_saving_the_same_values_again_writes_nothing(personas, catalogue) -> None:
    save(personas, catalogue, {("classrooms", "total"): "12"})
    with unchanged(DataValue):
        result = save(personas, catalogue, {("classrooms", "total"): "12.0"}, versions={})
    assert result.changed == 0


@pytest.mark.parametrize(
    ("key", "raw", "reason"),
    [
        (("classrooms", "total"), "-1", "positif ou nul"),
        (("classrooms", "total"), "1,5", "entier"),
        (("classrooms", "total"), "douze", "n'est pas un nombre"),
        (("attendance", "total"), "100.5", "de 0 à 100"),
        (("electricity", "total"), "2", "0 (non) ou 1 (oui)"),
        (("budget", "total"), "1.23456", "quatre décimales"),
        (("budget", "total"), "1e15", "trop grand"),
        (("meals", "girls"), "3", "absent de cet ensemble"),
        (("classrooms", "girls"), "3", "option absente"),
    ],
)
def test_a_bad_cell_refuses_the_whole_form(personas, catalogue, key, raw, reason) -> None:
    with unchanged(DataValue), pytest.raises(DataValuesRejected) as refused:
        save(personas, catalogue, {("toilets", "girls"): "4", key: raw})
    assert reason in refused.value.errors[key]
    assert ("toilets", "girls") not in refused.value.errors


def test_a_unit_outside_the_scope_is_refused(personas, catalogue) -> None:
    with unchanged(DataValue), pytest.raises(PermissionDenied):
        save(personas, catalogue, {("classrooms", "total"): "12"}, actor=personas.head_b)
    with unchanged(DataValue), pytest.raises(PermissionDenied):
        save(personas, catalogue, {("classrooms", "total"): "12"}, actor=personas.teacher_a1)


def test_a_unit_at_another_level_is_refused(personas, catalogue) -> None:
    with unchanged(DataValue), pytest.raises(DataValuesRejected) as refused:
        save(
            personas,
            catalogue,
            {("classrooms", "total"): "12"},
            actor=personas.provincial_a,
            unit=personas.commune_a,
        )
    assert "niveau" in refused.value.message


def test_a_period_of_another_type_is_refused(personas, catalogue) -> None:
    with unchanged(DataValue), pytest.raises(DataValuesRejected) as refused:
        save(personas, catalogue, {("classrooms", "total"): "12"}, period=catalogue.month)
    assert "2025-11" in refused.value.message


def _approve(catalogue, unit, period, by):
    return DataApproval.objects.create(
        data_set=catalogue.census, org_unit=unit, path=unit.path, period=period, approved_by=by
    )


def test_approved_data_is_locked_for_the_unit_and_its_subtree(personas, catalogue) -> None:
    save(personas, catalogue, {("classrooms", "total"): "12"})
    _approve(catalogue, personas.province_a, catalogue.year, personas.provincial_a)
    cases = [
        (catalogue.census, personas.school_a, True),
        (catalogue.census, personas.province_a, True),
        (catalogue.census, personas.school_b, False),
        (catalogue.census, personas.region_a, False),
        (catalogue.monthly, personas.school_a, False),
    ]
    # One rule: the form, its save and the import's batched check answer alike.
    import_locks = ApprovalLocks()
    for data_set, unit, locked in cases:
        assert approval_locks(data_set, unit, catalogue.year) is locked, unit
        assert import_locks(data_set, unit, catalogue.year) is locked, unit
    with unchanged(DataValue), pytest.raises(DataLocked):
        save(
            personas,
            catalogue,
            {("classrooms", "total"): "13"},
            versions={("classrooms", "total"): 1},
        )
    # The other province's schools are not locked.
    save(
        personas,
        catalogue,
        {("classrooms", "total"): "9"},
        actor=personas.head_b,
        unit=personas.school_b,
    )


def test_a_stale_version_is_a_conflict_naming_who_saved(personas, catalogue) -> None:
    personas.provincial_a.first_name, personas.provincial_a.last_name = "Samira", "Bennani"
    personas.provincial_a.save()
    save(personas, catalogue, {("classrooms", "total"): "12"}, actor=personas.provincial_a)
    with unchanged(DataValue), pytest.raises(DataConflict) as conflict:
        # The head's form was read before the officer's save: version 0 for that cell.
        save(
            personas,
            catalogue,
            {("classrooms", "total"): "10", ("toilets", "girls"): "2"},
            versions={("classrooms", "total"): 0},
        )
    assert "Samira Bennani" in conflict.value.errors[("classrooms", "total")]
    assert conflict.value.current == {("classrooms", "total"): Decimal(12)}
    assert conflict.value.versions == {("classrooms", "total"): 1}
    assert "rien n'a été enregistré" in conflict.value.message
    # A stale version on a cell the form leaves as it is now is no conflict.
    save(
        personas,
        catalogue,
        {("classrooms", "total"): "12", ("toilets", "girls"): "2"},
        versions={("classrooms", "total"): 0},
    )
    assert stored(catalogue, personas.school_a)[("toilets", "girls")] == 2


def test_value_parse_reads_typed_values() -> None:
    assert value_parse("integer", " 12 ") == Decimal(12)
    assert value_parse("integer", 12.0) == Decimal(12)
    assert value_parse("number", "12,75") == Decimal("12.75")
    assert value_parse("boolean", "0") == Decimal(0)
    assert value_parse("percentage", "") is None
    assert value_parse("percentage", None) is None


def test_catalogue_services_need_the_capability_and_audit(personas, catalogue) -> None:
    from pilotage.indicators.models import DataElement, DataSet

    with unchanged(DataElement), pytest.raises(PermissionDenied):
        data_element_save(
            actor=personas.provincial_a, code="desks", name_fr="Tables", combo=catalogue.total
        )
    desks = data_element_save(
        actor=personas.national_admin, code="desks", name_fr="Tables", combo=catalogue.total
    )
    assert AuditEntry.objects.filter(
        object_type="indicators.dataelement", object_id=str(desks.pk)
    ).exists()
    census = data_set_save(
        actor=personas.national_admin,
        code="census",
        name_fr="Recensement scolaire",
        period_type="academic_year",
        level=catalogue.census.level,
        elements=[*catalogue.census.elements.all(), desks],
    )
    assert census.elements.filter(code="desks").exists()
    assert AuditEntry.objects.filter(
        object_type="indicators.dataset", changes__has_key="elements"
    ).exists()
    with unchanged(DataSet), pytest.raises(PermissionDenied):
        data_set_save(
            actor=personas.head_a,
            code="census",
            name_fr="x",
            period_type="month",
            level=catalogue.census.level,
            elements=[],
        )


def test_an_element_with_values_keeps_its_categories(personas, catalogue) -> None:
    from pilotage.indicators.models import DataElement

    save(personas, catalogue, {("classrooms", "total"): "12"})
    with unchanged(DataElement), pytest.raises(ValidationError):
        data_element_save(actor=None, code="classrooms", name_fr="Salles", combo=catalogue.sex)


def test_an_option_in_use_is_not_removed(personas, catalogue) -> None:
    save(personas, catalogue, {("toilets", "girls"): "3"})
    with unchanged(CategoryOption), pytest.raises(ValidationError):
        category_combo_save(
            actor=None, code="sex", name_fr="Sexe", options=[{"code": "boys", "name_fr": "G"}]
        )
