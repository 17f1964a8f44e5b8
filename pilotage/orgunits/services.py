"""Every write to the org-unit tree and the calendar. Each one is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from pilotage.core.audit import CREATE, UPDATE, audit_record, diff, snapshot
from pilotage.core.events import publish
from pilotage.orgunits.models import (
    AcademicYear,
    Milieu,
    OrgUnit,
    OrgUnitGroup,
    OrgUnitGroupSet,
    OrgUnitLevel,
    Period,
    PeriodType,
    School,
    Sector,
    Semester,
)

ORGUNIT_FIELDS = ("name_fr", "name_ar", "name_en", "is_active")
SCHOOL_FIELDS = ("school_code", "has_primaire", "has_college", "has_lycee", "sector", "milieu")


class OrgUnitError(ValueError):
    pass


# Topic published when the paths of units below ``under`` (a path, "" for the whole tree)
# may have changed; apps that copy paths into their own tables refresh them.
PATHS_CHANGED = "orgunits.paths_changed"


@transaction.atomic
def orgunit_create(
    *,
    actor: Any,
    parent: OrgUnit | None,
    level: OrgUnitLevel,
    code: str,
    name_fr: str,
    name_ar: str = "",
    name_en: str = "",
) -> OrgUnit:
    expected_depth = 1 if parent is None else parent.depth + 1
    if level.depth != expected_depth:
        raise OrgUnitError(
            f"level {level.code} is at depth {level.depth}, the unit would be at {expected_depth}"
        )
    fields = {
        "code": code,
        "level": level,
        "name_fr": name_fr,
        "name_ar": name_ar,
        "name_en": name_en,
    }
    unit = OrgUnit(**fields)
    unit.full_clean(exclude=["path", "depth", "numchild"], validate_unique=False)
    unit = (
        OrgUnit.objects.add_root(fields)
        if parent is None
        else OrgUnit.objects.add_child(parent, fields)
    )
    # Siblings are kept in code order: a new unit may shift the paths of the units after it.
    publish(PATHS_CHANGED, under=parent.path if parent is not None else "")
    audit_record(
        actor=actor,
        action=CREATE,
        obj=unit,
        changes=diff({}, snapshot(unit, ("code", "level", *ORGUNIT_FIELDS))),
    )
    return unit


@transaction.atomic
def orgunit_update(*, actor: Any, org_unit: OrgUnit, **values: Any) -> OrgUnit:
    unknown = set(values) - set(ORGUNIT_FIELDS)
    if unknown:
        raise OrgUnitError(f"not editable: {', '.join(sorted(unknown))}")
    before = snapshot(org_unit, ORGUNIT_FIELDS)
    for name, value in values.items():
        setattr(org_unit, name, value)
    org_unit.full_clean(exclude=["path", "depth", "numchild", "code", "level"])
    changes = diff(before, snapshot(org_unit, ORGUNIT_FIELDS))
    if changes:
        org_unit.save(update_fields=list(changes))
        audit_record(actor=actor, action=UPDATE, obj=org_unit, changes=changes)
    return org_unit


SYSTEM_GROUP_SETS = (("sector", Sector), ("milieu", Milieu))


def system_groups() -> dict[tuple[str, str], OrgUnitGroup]:
    """The sector and milieu groups, keyed by (set, value), created when missing. Schools
    are kept in them by ``school_save`` (and by the demo generator's bulk path)."""
    groups = {}
    for set_code, choices in SYSTEM_GROUP_SETS:
        group_set, _ = OrgUnitGroupSet.objects.get_or_create(
            code=set_code, defaults={"name_fr": set_code.capitalize(), "is_system": True}
        )
        for value, label in choices.choices:
            groups[(set_code, value)], _ = OrgUnitGroup.objects.get_or_create(
                code=f"{set_code}-{value}", defaults={"name_fr": str(label), "group_set": group_set}
            )
    return groups


@transaction.atomic
def school_save(
    *,
    actor: Any,
    org_unit: OrgUnit,
    school_code: str,
    cycles: list[str],
    sector: str,
    milieu: str,
) -> School:
    """Create or update the school record of an établissement and keep its membership of
    the sector and milieu groups in step with it."""
    school = School.objects.filter(org_unit=org_unit).first()
    creating = school is None
    if school is None:
        school = School(org_unit=org_unit)
    before = {} if creating else snapshot(school, SCHOOL_FIELDS)
    school.school_code = school_code
    school.sector = sector
    school.milieu = milieu
    for cycle in ("primaire", "college", "lycee"):
        setattr(school, f"has_{cycle}", cycle in cycles)
    school.full_clean()
    changes = diff(before, snapshot(school, SCHOOL_FIELDS))
    if not changes:
        return school
    school.save()
    current = {"sector": sector, "milieu": milieu}
    for (set_code, value), group in system_groups().items():
        if value == current[set_code]:
            group.members.add(org_unit)
        else:
            group.members.remove(org_unit)
    audit_record(
        actor=actor,
        action=CREATE if creating else UPDATE,
        obj=school,
        changes=changes,
        path=org_unit.path,
    )
    return school


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


@transaction.atomic
def academic_year_create(*, actor: Any, first_year: int, current: bool = False) -> AcademicYear:
    """The school year ``first_year``-``first_year+1`` (1 September to 31 August), its two
    semesters (September–January, February–August: the Moroccan split) and every reporting
    period it touches: months, quarters, calendar years and the academic year itself."""
    start, end = dt.date(first_year, 9, 1), dt.date(first_year + 1, 8, 31)
    if current:
        AcademicYear.objects.filter(is_current=True).update(is_current=False)
    year, created = AcademicYear.objects.update_or_create(
        code=f"{first_year}-{first_year + 1}",
        defaults={"start": start, "end": end, "is_current": current},
    )
    Semester.objects.get_or_create(
        academic_year=year,
        number=1,
        defaults={"start": start, "end": dt.date(first_year + 1, 1, 31)},
    )
    Semester.objects.get_or_create(
        academic_year=year, number=2, defaults={"start": dt.date(first_year + 1, 2, 1), "end": end}
    )
    periods: list[Period] = [
        Period(code=year.code, type=PeriodType.ACADEMIC_YEAR, start=start, end=end)
    ]
    month = start
    while month <= end:
        next_month = _add_months(month, 1)
        periods.append(
            Period(
                code=f"{month:%Y-%m}",
                type=PeriodType.MONTH,
                start=month,
                end=next_month - dt.timedelta(days=1),
            )
        )
        month = next_month
    quarter = dt.date(start.year, (start.month - 1) // 3 * 3 + 1, 1)
    while quarter <= end:
        next_quarter = _add_months(quarter, 3)
        periods.append(
            Period(
                code=f"{quarter.year}Q{(quarter.month + 2) // 3}",
                type=PeriodType.QUARTER,
                start=quarter,
                end=next_quarter - dt.timedelta(days=1),
            )
        )
        quarter = next_quarter
    for calendar_year in (first_year, first_year + 1):
        periods.append(
            Period(
                code=str(calendar_year),
                type=PeriodType.YEAR,
                start=dt.date(calendar_year, 1, 1),
                end=dt.date(calendar_year, 12, 31),
            )
        )
    Period.objects.bulk_create(periods, ignore_conflicts=True)
    if created:
        audit_record(actor=actor, action=CREATE, obj=year, changes={"code": [None, year.code]})
    return year
