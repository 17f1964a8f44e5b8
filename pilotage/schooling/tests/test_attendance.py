"""The roll of a half-day: what the teacher typed survives a refusal, the default day is a
school day, the page walks from school day to school day, and only the school's managers
and the class's teachers reach it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from pilotage.core.tests.support import unchanged
from pilotage.schooling.models import Absence
from pilotage.schooling.permissions import can_take_attendance
from pilotage.schooling.services.attendance import (
    AbsenceLine,
    absences_record,
    school_day_default,
    school_day_step,
)
from pilotage.schooling.tests.factories import enrol, make_class, make_pupil

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2025, 10, 6)
SUNDAY = dt.date(2025, 10, 12)


def _url(school_year) -> str:  # type: ignore[no-untyped-def]
    return f"/schooling/classes/{school_year.class_a1.pk}/attendance/"


def _roll(school_year, day: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Two pupils ticked absent with hours, one justified, both with a reason."""
    first, second = school_year.pupils_a1[1], school_year.pupils_a1[3]
    return {
        "date": day,
        "session": "pm",
        f"absent:{first.pk}": "on",
        f"hours:{first.pk}": "2",
        f"justified:{first.pk}": "on",
        f"reason:{first.pk}": "Rendez-vous médical",
        f"absent:{second.pk}": "on",
        f"hours:{second.pk}": "3",
        f"reason:{second.pk}": "موعد عائلي",
    }


def _assert_roll_kept(body: str, school_year, day: str) -> None:  # type: ignore[no-untyped-def]
    first, second = school_year.pupils_a1[1], school_year.pupils_a1[3]
    assert re.search(rf'name="absent:{first.pk}" checked', body)
    assert re.search(rf'name="absent:{second.pk}" checked', body)
    assert f'name="hours:{first.pk}" value="2"' in body
    assert f'name="hours:{second.pk}" value="3"' in body
    assert re.search(rf'name="justified:{first.pk}" checked', body)
    assert not re.search(rf'name="justified:{second.pk}" checked', body)
    assert 'value="Rendez-vous médical"' in body and 'value="موعد عائلي"' in body
    assert f'name="date" value="{day}"' in body
    assert '<option value="pm" selected>' in body
    other = school_year.pupils_a1[0]
    assert not re.search(rf'name="absent:{other.pk}" checked', body)


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2024-10-07", "dans l&#x27;année scolaire"),  # the year before the class's
        ("2026-10-05", "dans l&#x27;année scolaire"),  # after its end (and in the past)
        (SUNDAY.isoformat(), "dimanche"),
        ("", "Indiquez la date"),
        ("07/10/2025", "Indiquez la date"),  # not a date the picker sends
    ],
)
def test_a_refused_roll_keeps_every_tick_and_reason(
    client, personas, school_year, day, message
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.teacher_a1)
    with unchanged(Absence):
        response = client.post(_url(school_year), _roll(school_year, day))
    assert response.status_code == 422
    body = response.content.decode()
    assert "msg-error" in body and message in body
    _assert_roll_kept(body, school_year, day)


def test_hours_out_of_range_are_refused_and_kept(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.teacher_a1)
    roll = _roll(school_year, MONDAY.isoformat())
    roll[f"hours:{school_year.pupils_a1[3].pk}"] = "9"
    with unchanged(Absence):
        response = client.post(_url(school_year), roll)
    assert response.status_code == 422
    body = response.content.decode()
    assert "entre 1 et 5" in body
    assert f'name="hours:{school_year.pupils_a1[3].pk}" value="9"' in body


def test_a_saved_roll_shows_its_ticks_on_reload(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.teacher_a1)
    day = MONDAY.isoformat()
    response = client.post(_url(school_year), _roll(school_year, day))
    assert response.status_code == 302
    assert response["Location"] == f"{_url(school_year)}?date={day}&session=pm"
    assert Absence.objects.count() == 2
    body = client.get(response["Location"]).content.decode()
    assert "Appel enregistré : 2 absences." in body
    _assert_roll_kept(body, school_year, day)


def test_show_another_day_saves_nothing(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.teacher_a1)
    roll = {**_roll(school_year, "2025-10-07"), "show": "1"}
    with unchanged(Absence):
        response = client.post(_url(school_year), roll)
    assert response.status_code == 302
    assert response["Location"].endswith("?date=2025-10-07&session=pm")


def test_the_default_day_is_a_school_day_of_the_year(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    a1 = school_year.class_a1  # year 2025-09-01 … 2026-08-31
    assert school_day_default(a1, today=MONDAY) == MONDAY
    assert school_day_default(a1, today=SUNDAY) == dt.date(2025, 10, 11)  # the Saturday
    # After the year: its last school day (2026-08-31 is a Monday; 2026-08-30 a Sunday).
    assert school_day_default(a1, today=dt.date(2026, 12, 3)) == dt.date(2026, 8, 31)
    # The first day of the year, 2025-09-01, is a Monday; nothing before it.
    assert school_day_step(a1, dt.date(2025, 9, 1), -1, today=MONDAY) is None
    assert school_day_step(a1, dt.date(2025, 10, 11), 1, today=dt.date(2026, 1, 1)) == dt.date(
        2025, 10, 13
    )  # Saturday → Monday, over the Sunday
    assert school_day_step(a1, MONDAY, 1, today=MONDAY) is None  # not into the future


def test_the_page_opens_on_a_school_day_with_the_year_as_bounds(
    client, personas, school_year
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.teacher_a1)
    body = client.get(_url(school_year)).content.decode()
    expected = school_day_default(school_year.class_a1)
    assert expected.weekday() != 6 and school_year.year.contains(expected)
    assert f'name="date" value="{expected.isoformat()}"' in body
    assert (
        'min="2025-09-01"' in body
        and f'max="{min(school_year.year.end, timezone.localdate()).isoformat()}"' in body
    )
    # A Sunday asked for in the address: said so, and the default day shown instead.
    body = client.get(_url(school_year), {"date": SUNDAY.isoformat()}).content.decode()
    assert "n&#x27;est pas un jour de classe" in body
    assert f'name="date" value="{expected.isoformat()}"' in body


def test_previous_and_next_school_day_links(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.teacher_a1)
    body = client.get(_url(school_year), {"date": "2025-10-11", "session": "pm"}).content.decode()
    assert 'rel="prev" href="?date=2025-10-10&amp;session=pm"' in body
    assert 'rel="next" href="?date=2025-10-13&amp;session=pm"' in body  # over the Sunday
    body = client.get(_url(school_year), {"date": "2025-09-01"}).content.decode()
    assert 'rel="prev"' not in body and 'rel="next" href="?date=2025-09-02&amp;session=am"' in body


def test_who_takes_the_roll(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    a1 = school_year.class_a1
    assert can_take_attendance(personas.teacher_a1, a1)
    assert can_take_attendance(personas.head_a, a1)
    for outsider in ("provincial_a", "head_b", "parent_a", "agent"):
        assert not can_take_attendance(getattr(personas, outsider), a1), outsider
    untaught = make_class(personas.school_a, school_year.year, "6AP", "6AP-1")
    assert not can_take_attendance(personas.teacher_a1, untaught)
    roll = _roll(school_year, MONDAY.isoformat())
    for outsider in ("provincial_a", "head_b", "parent_a"):
        client.force_login(getattr(personas, outsider))
        with unchanged(Absence):
            assert client.get(_url(school_year)).status_code == 404
            assert client.post(_url(school_year), roll).status_code == 404
    client.force_login(personas.teacher_a1)
    with unchanged(Absence):
        url = f"/schooling/classes/{untaught.pk}/attendance/"
        assert client.post(url, {"date": MONDAY.isoformat(), "session": "am"}).status_code == 404


def test_the_service_refuses_a_sunday(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    with unchanged(Absence), pytest.raises(Exception, match="dimanche"):
        absences_record(
            actor=personas.teacher_a1,
            school_class=school_year.class_a1,
            date=SUNDAY,
            session="am",
            lines=[AbsenceLine(school_year.pupils_a1[0].pk)],
        )


def test_the_roll_page_query_count_does_not_grow(
    client, personas, school_year, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.teacher_a1)
    absences_record(
        actor=personas.teacher_a1,
        school_class=school_year.class_a1,
        date=MONDAY,
        session="am",
        lines=[AbsenceLine(p.pk) for p in school_year.pupils_a1[:2]],
    )
    url = f"{_url(school_year)}?date={MONDAY.isoformat()}"
    # session, user, the actor's role assignments (scope), the class, whether the teacher
    # teaches it, the roster, the day's absences, the year's totals: none per pupil.
    with django_assert_max_num_queries(8) as first:
        client.get(url)
    for _ in range(20):
        enrol(make_pupil(), school_year.class_a1)
    with django_assert_max_num_queries(len(first.captured_queries)):
        body = client.get(url).content.decode()
    assert body.count('class="roll-row"') == 25
