"""Data entry and the aggregate import tell data quality what they wrote: the forms they
bring a value to are received (their first date kept, for timeliness), and the validation
rules run again once the write commits — once per period, at the deepest unit holding
every unit written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pilotage.core.tabular import ImportRejected
from pilotage.indicators.models import (
    DataApproval,
    DataSetReport,
    MissingValues,
    Operator,
    ValidationViolation,
)
from pilotage.indicators.quality import rules as rules_module
from pilotage.indicators.services.aggregates import DataLocked, data_values_save
from pilotage.indicators.tests.aggregates_support import catalogue_fixture  # noqa: F401 - fixture
from pilotage.indicators.tests.quality_factories import rule
from pilotage.indicators.tests.test_import_aggregates import GOOD, run
from pilotage.orgunits.models import PeriodType

pytestmark = pytest.mark.django_db


def save(personas, catalogue, values, *, unit=None, actor=None):  # type: ignore[no-untyped-def]
    unit = unit or personas.school_a
    return data_values_save(
        actor=actor or personas.head_a,
        data_set=catalogue.census,
        org_unit=unit,
        period=catalogue.year,
        values=values,
    )


def receipts() -> set[tuple[str, str, str]]:
    return set(
        DataSetReport.objects.values_list("data_set__code", "org_unit__code", "period__code")
    )


def classrooms_rule():  # type: ignore[no-untyped-def]
    return rule(
        "salles",
        "#{classrooms}",
        Operator.LESS_EQUAL,
        "10",
        missing_values=MissingValues.SKIP_IF_ANY,
    )


# -- receipts (quality.completeness.report_received) -----------------------------------------


def test_a_saved_form_is_received_once_at_its_first_save(personas, catalogue) -> None:  # type: ignore[no-untyped-def]
    save(personas, catalogue, {("classrooms", "total"): "12"})
    assert receipts() == {("census", "04101A", "2025-2026")}
    first = DataSetReport.objects.get().received_at
    assert abs(first - timezone.now()) < dt.timedelta(minutes=1)
    DataSetReport.objects.update(received_at=first - dt.timedelta(days=30))
    save(personas, catalogue, {("classrooms", "total"): "13"})
    assert DataSetReport.objects.get().received_at == first - dt.timedelta(days=30)


def test_a_form_saved_empty_or_refused_is_not_received(personas, catalogue) -> None:  # type: ignore[no-untyped-def]
    save(
        personas,
        catalogue,
        {("classrooms", "total"): ""},
        unit=personas.school_b,
        actor=personas.head_b,
    )
    assert receipts() == set()
    DataApproval.objects.create(
        data_set=catalogue.census,
        org_unit=personas.school_a,
        path=personas.school_a.path,
        period=catalogue.year,
        approved_by=personas.provincial_a,
    )
    with pytest.raises(DataLocked):
        save(personas, catalogue, {("classrooms", "total"): "12"})
    assert receipts() == set()


def test_an_import_receives_each_form_it_brings_a_value_to(personas, catalogue) -> None:  # type: ignore[no-untyped-def]
    run(personas.national_admin, GOOD)
    assert receipts() == {
        ("census", "04101A", "2025-2026"),
        ("census", "03201B", "2025-2026"),
        ("monthly", "04101A", "2025-11"),
    }
    DataSetReport.objects.update(received_at=timezone.now() - dt.timedelta(days=3))
    before = list(DataSetReport.objects.values_list("pk", "received_at").order_by("pk"))
    run(personas.national_admin, GOOD)  # the same file again: nothing new
    assert list(DataSetReport.objects.values_list("pk", "received_at").order_by("pk")) == before


def test_a_refused_import_receives_nothing(personas, catalogue) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ImportRejected):
        run(personas.national_admin, [*GOOD, ["2025-2026", "NOPE", "classrooms", "total", "1"]])
    assert receipts() == set()


# -- validation rules after the write commits (quality.rules.rules_run) ---------------------


def test_the_rules_run_after_a_save_commits(
    personas, catalogue, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    classrooms_rule()
    with django_capture_on_commit_callbacks(execute=False) as pending:
        save(personas, catalogue, {("classrooms", "total"): "12"})
    assert ValidationViolation.objects.count() == 0  # nothing before the commit
    for callback in pending:
        callback()
    [violation] = ValidationViolation.objects.all()
    assert violation.org_unit == personas.school_a and violation.rule.code == "salles"
    with django_capture_on_commit_callbacks(execute=True):
        save(personas, catalogue, {("classrooms", "total"): "9"})
    assert ValidationViolation.objects.count() == 0


def test_the_rules_run_after_an_import_once_per_period_at_the_common_unit(
    personas, catalogue, django_capture_on_commit_callbacks, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    classrooms_rule()
    rule("repas", "#{meals}", Operator.LESS_EQUAL, "100", period_type=PeriodType.MONTH)
    runs = []
    real = rules_module.rules_run

    def spy(*, org_unit, period, actor=None):  # type: ignore[no-untyped-def]
        runs.append((org_unit.code, period.code, actor))
        return real(org_unit=org_unit, period=period, actor=actor)

    monkeypatch.setattr(rules_module, "rules_run", spy)
    with django_capture_on_commit_callbacks(execute=True):
        run(personas.national_admin, GOOD)
    # Schools of two regions for the year: the country; one school for the month.
    assert sorted(runs) == [
        ("04101A", "2025-11", personas.national_admin),
        ("MA", "2025-2026", personas.national_admin),
    ]
    assert set(
        ValidationViolation.objects.values_list("rule__code", "org_unit__code", "period__code")
    ) == {("salles", "04101A", "2025-2026"), ("repas", "04101A", "2025-11")}

    runs.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run(personas.national_admin, [["2025-2026", "04101A", "classrooms", "total", "9"]])
    assert runs == [("04101A", "2025-2026", personas.national_admin)]
    assert set(ValidationViolation.objects.values_list("rule__code", flat=True)) == {"repas"}


def test_no_run_without_a_rule_nor_for_an_import_that_changes_nothing(
    personas, catalogue, django_capture_on_commit_callbacks, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    runs = []
    monkeypatch.setattr(rules_module, "rules_run", lambda **kw: runs.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        run(personas.national_admin, GOOD)  # no rule at all
    classrooms_rule()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run(personas.national_admin, GOOD)  # the same file: nothing written
    assert runs == [] and callbacks == []
