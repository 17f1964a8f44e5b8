"""Mark-entry deadlines: who sets them where, what they lock, and their page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from pilotage.core.models import AuditEntry
from pilotage.schooling.models import MarkDeadline
from pilotage.schooling.services.deadlines import deadline_remove, deadline_set
from pilotage.schooling.services.marks import sheet_is_locked

pytestmark = pytest.mark.django_db

JAN_31 = timezone.make_aware(dt.datetime(2026, 1, 31, 18))
FEB_7 = timezone.make_aware(dt.datetime(2026, 2, 7, 18))
URL = "/schooling/deadlines/"


def _state() -> tuple[list[tuple[int, int, dt.datetime]], int]:
    """Every deadline and the number of audit rows: a refused change leaves both as they
    were."""
    rows = list(
        MarkDeadline.objects.order_by("pk").values_list("semester_id", "org_unit_id", "closes_at")
    )
    return rows, AuditEntry.objects.count()


# --- services ------------------------------------------------------------------------------


def test_a_province_deadline_locks_the_sheets_of_its_schools(personas, school_year) -> None:
    deadline = deadline_set(
        actor=personas.provincial_a,
        semester=school_year.s1,
        org_unit=personas.province_a,
        closes_at=JAN_31,
    )
    entry = AuditEntry.objects.get(object_type="schooling.markdeadline", action="create")
    assert entry.actor == personas.provincial_a
    assert entry.changes["closes_at"] == [None, JAN_31.isoformat()]
    assert sheet_is_locked(school_year.sheet, now=JAN_31 + dt.timedelta(minutes=1))
    assert not sheet_is_locked(school_year.sheet, now=JAN_31 - dt.timedelta(minutes=1))
    assert deadline.org_unit == personas.province_a


def test_moving_a_deadline_updates_it_and_audits_old_and_new(personas, school_year) -> None:
    deadline_set(
        actor=personas.national_admin,
        semester=school_year.s1,
        org_unit=personas.country,
        closes_at=JAN_31,
    )
    deadline_set(
        actor=personas.national_admin,
        semester=school_year.s1,
        org_unit=personas.country,
        closes_at=FEB_7,
    )
    assert MarkDeadline.objects.get().closes_at == FEB_7
    entry = AuditEntry.objects.filter(object_type="schooling.markdeadline").order_by("pk").last()
    assert entry is not None and entry.action == "update"
    assert entry.changes == {"closes_at": [JAN_31.isoformat(), FEB_7.isoformat()]}


def test_setting_the_same_date_again_writes_nothing(personas, school_year) -> None:
    kwargs = {"semester": school_year.s1, "org_unit": personas.region_a, "closes_at": JAN_31}
    deadline_set(actor=personas.regional_officer, **kwargs)
    before = _state()
    deadline_set(actor=personas.regional_officer, **kwargs)
    assert _state() == before


def test_removing_a_deadline_unlocks_and_audits(personas, school_year) -> None:
    deadline = deadline_set(
        actor=personas.provincial_a,
        semester=school_year.s1,
        org_unit=personas.school_a,
        closes_at=JAN_31,
    )
    deadline_remove(actor=personas.provincial_a, deadline=deadline)
    assert not MarkDeadline.objects.exists()
    entry = AuditEntry.objects.filter(object_type="schooling.markdeadline").order_by("pk").last()
    assert entry is not None and entry.action == "delete"
    assert not sheet_is_locked(school_year.sheet, now=FEB_7)


@pytest.mark.parametrize(
    ("persona", "unit"),
    [
        ("provincial_b", "province_a"),  # another province
        ("provincial_a", "region_a"),  # above their own unit
        ("regional_officer", "region_b"),  # another region
        ("head_a", "school_a"),  # heads validate sheets, they do not set deadlines
        ("teacher_a1", "school_a"),
        ("parent_a", "school_a"),
        ("agent", "country"),
    ],
)
def test_setting_a_deadline_outside_ones_territory_is_refused(
    personas, school_year, persona, unit
) -> None:
    before = _state()
    with pytest.raises(PermissionDenied):
        deadline_set(
            actor=getattr(personas, persona),
            semester=school_year.s1,
            org_unit=getattr(personas, unit),
            closes_at=JAN_31,
        )
    assert _state() == before


@pytest.mark.parametrize("persona", ["provincial_b", "head_a", "teacher_a1", "agent"])
def test_removing_a_deadline_outside_ones_territory_is_refused(
    personas, school_year, persona
) -> None:
    deadline = deadline_set(
        actor=personas.national_admin,
        semester=school_year.s1,
        org_unit=personas.province_a,
        closes_at=JAN_31,
    )
    before = _state()
    with pytest.raises(PermissionDenied):
        deadline_remove(actor=getattr(personas, persona), deadline=deadline)
    assert _state() == before


# --- page ----------------------------------------------------------------------------------


def _post_set(client, semester, code: str, when: str = "2026-01-31T18:00"):  # type: ignore[no-untyped-def]
    return client.post(URL, {"semester": semester.pk, "org_unit": code, "closes_at": when})


def test_an_officer_sets_a_deadline_from_the_page(client, personas, school_year) -> None:
    client.force_login(personas.provincial_a)
    response = _post_set(client, school_year.s1, personas.school_a.code)
    assert response.status_code == 302
    deadline = MarkDeadline.objects.get()
    assert (deadline.org_unit, deadline.closes_at) == (personas.school_a, JAN_31)
    page = client.get(URL).content.decode()
    assert personas.school_a.code in page


def test_a_unit_outside_the_territory_is_a_form_error_and_changes_nothing(
    client, personas, school_year
) -> None:
    client.force_login(personas.provincial_a)
    before = _state()
    response = _post_set(client, school_year.s1, personas.school_b.code)
    assert response.status_code == 200
    assert "Aucune unité de votre territoire" in response.content.decode()
    assert _state() == before


@pytest.mark.parametrize("persona", ["head_a", "teacher_a1", "parent_a", "agent"])
def test_the_page_is_not_found_for_those_who_set_no_deadline(
    client, personas, school_year, persona
) -> None:
    client.force_login(getattr(personas, persona))
    before = _state()
    assert client.get(URL).status_code == 404
    assert _post_set(client, school_year.s1, personas.school_a.code).status_code == 404
    assert _state() == before


def test_removing_from_the_page_with_htmx_drops_the_row(client, personas, school_year) -> None:
    deadline = deadline_set(
        actor=personas.provincial_a,
        semester=school_year.s1,
        org_unit=personas.province_a,
        closes_at=JAN_31,
    )
    client.force_login(personas.provincial_a)
    response = client.post(
        reverse("schooling:deadline-remove", args=[deadline.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.content == b""
    assert not MarkDeadline.objects.exists()


def test_a_deadline_of_another_province_cannot_be_removed(client, personas, school_year) -> None:
    deadline = deadline_set(
        actor=personas.national_admin,
        semester=school_year.s1,
        org_unit=personas.province_b,
        closes_at=JAN_31,
    )
    client.force_login(personas.provincial_a)
    before = _state()
    response = client.post(reverse("schooling:deadline-remove", args=[deadline.pk]))
    assert response.status_code == 404
    assert _state() == before


def test_the_list_costs_the_same_whatever_the_number_of_deadlines(
    client, personas, school_year, django_assert_num_queries
) -> None:
    for semester in (school_year.s1, school_year.s2):
        for unit in (personas.region_a, personas.province_a, personas.school_a):
            deadline_set(
                actor=personas.national_admin, semester=semester, org_unit=unit, closes_at=JAN_31
            )
    client.force_login(personas.regional_officer)
    # 1 session, 2 user, 3 the user's role assignments (scope), 4 count of the deadlines,
    # 5 the page of deadlines with their semester, year and unit, 6 the semesters of the
    # form's list.
    with django_assert_num_queries(6):
        response = client.get(URL)
    assert response.status_code == 200
    assert response.content.decode().count('id="deadline-') == 6
