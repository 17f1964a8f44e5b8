"""Completeness and timeliness of a data set's forms, per child unit.

*Expected* forms are the active units of the data set's level in the subtree × the periods
asked. A form is *received* when at least one value of the data set's elements exists for
that unit and period; it is *on time* when it was received within ``data_set.timely_days``
days after the end of the period. The date of receipt is the one
:func:`report_received` stored (the data-entry form and the import call it), or, for a
form that never went through them, the earliest ``updated_at`` of its values.

The school records have their own gaps: classes without any mark this year and schools
without any enrolment this year (read through ``pilotage.schooling.selectors``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Min
from django.utils import timezone

from pilotage.core.scope import scope_of
from pilotage.indicators.models import DataSet, DataSetReport, DataValue
from pilotage.indicators.roles import VIEW_INDICATORS
from pilotage.orgunits.models import AcademicYear, OrgUnit, Period
from pilotage.schooling.selectors import classes_without_marks, schools_without_enrolments


def report_received(
    data_set: DataSet, org_unit: OrgUnit, period: Period, at: dt.datetime | None = None
) -> DataSetReport:
    """Record that the form of ``data_set`` for ``org_unit`` and ``period`` was received,
    the first time only (a later save changes nothing): the data-entry save and the
    import call it inside their transaction."""
    report, _created = DataSetReport.objects.get_or_create(
        data_set=data_set,
        org_unit=org_unit,
        period=period,
        defaults={"path": org_unit.path, "received_at": at or timezone.now()},
    )
    return report


def reports_received(
    forms: Iterable[tuple[DataSet, OrgUnit, Period]], at: dt.datetime | None = None
) -> None:
    """:func:`report_received` for many forms at once (an import): the forms not yet
    received are recorded, the others left as they are. One statement per 1000 forms."""
    at = at or timezone.now()
    rows = {
        (data_set.pk, unit.pk, period.pk): DataSetReport(
            data_set=data_set, org_unit=unit, path=unit.path, period=period, received_at=at
        )
        for data_set, unit, period in forms
    }
    DataSetReport.objects.bulk_create(list(rows.values()), batch_size=1000, ignore_conflicts=True)


def is_timely(data_set: DataSet, period: Period, received_at: dt.datetime) -> bool:
    deadline = period.end + dt.timedelta(days=data_set.timely_days)
    return timezone.localtime(received_at).date() <= deadline


@dataclass
class CompletenessRow:
    unit: OrgUnit
    expected: int = 0
    received: int = 0
    on_time: int = 0

    @property
    def late(self) -> int:
        return self.received - self.on_time

    @property
    def completeness(self) -> float | None:
        return 100 * self.received / self.expected if self.expected else None

    @property
    def timeliness(self) -> float | None:
        """On-time forms as a share of the expected ones (DHIS2's "reporting rate on
        time")."""
        return 100 * self.on_time / self.expected if self.expected else None


@dataclass
class Completeness:
    total: CompletenessRow
    children: list[CompletenessRow] = field(default_factory=list)


def completeness_for(
    actor: Any, *, data_set: DataSet, unit: OrgUnit, periods: Sequence[Period]
) -> Completeness:
    """Counts for ``unit`` and each of its children. Queries: children, reporting units,
    received values, receipts — whatever the number of units."""
    scope = scope_of(actor).q_for(VIEW_INDICATORS)
    children = list(
        OrgUnit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1, is_active=True)
        .select_related("level")
        .order_by("path")
    )
    reporting = dict(
        OrgUnit.objects.filter(
            scope, path__startswith=unit.path, level_id=data_set.level_id, is_active=True
        ).values_list("pk", "path")
    )
    period_ids = [p.pk for p in periods]
    by_period = {p.pk: p for p in periods}
    received = {
        (row["org_unit_id"], row["period_id"]): row["first"]
        for row in DataValue.objects.filter(
            scope,
            path__startswith=unit.path,
            period_id__in=period_ids,
            data_element__in=data_set.elements.all(),
            org_unit_id__in=list(reporting),
        )
        .values("org_unit_id", "period_id")
        .annotate(first=Min("updated_at"))
        .order_by()
    }
    for org_unit_id, period_id, received_at in DataSetReport.objects.filter(
        data_set=data_set, period_id__in=period_ids, path__startswith=unit.path
    ).values_list("org_unit_id", "period_id", "received_at"):
        if (org_unit_id, period_id) in received:
            received[(org_unit_id, period_id)] = received_at
    total = CompletenessRow(unit)
    rows = [CompletenessRow(child) for child in children]

    def rows_of(path: str) -> list[CompletenessRow]:
        return [total, *(r for r in rows if path.startswith(r.unit.path))]

    for pk, path in reporting.items():
        for period in periods:
            at = received.get((pk, period.pk))
            for row in rows_of(path):
                row.expected += 1
                if at is not None:
                    row.received += 1
                    if is_timely(data_set, by_period[period.pk], at):
                        row.on_time += 1
    return Completeness(total, rows)


@dataclass
class SchoolGaps:
    classes_without_marks: int
    schools_without_enrolments: int
    classes: list[Any]
    schools: list[OrgUnit]


def school_gaps(unit: OrgUnit, year: AcademicYear, limit: int = 50) -> SchoolGaps:
    """What the school records lack this year under ``unit`` (the caller has checked the
    actor sees it): the counts and the first ``limit`` of each. Four queries."""
    classes = classes_without_marks(unit, year)
    schools = schools_without_enrolments(unit, year)
    return SchoolGaps(
        classes_without_marks=classes.count(),
        schools_without_enrolments=schools.count(),
        classes=list(classes[:limit]),
        schools=list(schools[:limit]),
    )
