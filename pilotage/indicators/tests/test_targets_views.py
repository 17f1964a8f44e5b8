"""The targets pages: the list of a unit's targets (value, target, gap, status), the form
with the current value, outsiders' 404."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilotage.core.tests.support import unchanged
from pilotage.indicators.models import Target
from pilotage.indicators.tests.steering import Steering, set_target, steering_setup


@pytest.fixture
def steering(personas) -> Steering:  # type: ignore[no-untyped-def]
    return steering_setup(personas)


LIST = "/indicators/targets/"


def test_the_list_shows_value_target_gap_and_status(client, steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    target = set_target(s, indicator="pass_rate", target="80", tolerance="5")
    set_target(s, indicator="pass_rate", dims={"sex": "F"}, target="70")
    client.force_login(s.p.provincial_a)
    page = client.get(LIST, {"unit": "04101A", "year": "2025-2026"}).content.decode()
    row = page[page.index(f'id="target-{target.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "75,00" in row and "80" in row and "-5,00" in row
    assert "status-at_risk" in row and "À risque" in row
    assert f"/indicators/actions/new/?target={target.pk}" in row  # a gap: corrective action
    assert "status-on_track" in page  # the girls' target is met


def test_a_school_head_sees_but_does_not_set(client, steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    target = set_target(s, indicator="pass_rate", target="80")
    client.force_login(s.p.head_a)
    page = client.get(LIST).content.decode()  # opens on the head's school
    assert f'id="target-{target.pk}"' in page
    assert "/indicators/targets/new/" not in page
    assert client.get(f"/indicators/targets/{target.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["provincial_b", "head_b", "teacher_a1", "agent", "parent_a"])
def test_outsiders_get_404(client, steering, who) -> None:  # type: ignore[no-untyped-def]
    s = steering
    target = set_target(s, indicator="pass_rate", target="80")
    client.force_login(getattr(s.p, who))
    assert client.get(LIST, {"unit": "04101A"}).status_code == 404
    assert client.get(f"/indicators/targets/{target.pk}/").status_code == 404
    with unchanged(Target):
        response = client.post(
            f"/indicators/targets/{target.pk}/", {"target": "1", "version": target.version}
        )
    assert response.status_code == 404
    with unchanged(Target):
        response = client.post(
            "/indicators/targets/new/?unit=04101A",
            {"indicator": "enrolment", "target": "1", "version": 0},
        )
    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, steering) -> None:  # type: ignore[no-untyped-def]
    assert client.get(LIST).status_code in (302, 404)


def _count(client, params) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(LIST, params).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_costs_a_fixed_number_of_queries(
    client, steering, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    s = steering
    set_target(s, indicator="pass_rate", target="80")
    client.force_login(s.p.provincial_a)
    params = {"unit": "04101A", "year": "2025-2026"}
    client.get(LIST, params)  # warm the per-process caches (roles, menu)
    # session, user, grants (scope), the unit, the year, the targets, the engine's grades,
    # cycle ages and one GROUP BY over the pupil facts, the years of the year picker.
    with django_assert_num_queries(10):
        client.get(LIST, params)
    one = _count(client, params)
    set_target(s, indicator="pass_rate", dims={"sex": "F"}, target="70")
    set_target(s, indicator="pass_rate", dims={"sex": "M"}, target="70")
    # one more engine call for the sex split (grades, ages, GROUP BY), not one per target
    assert _count(client, params) == one + 3
    for grade in ("5AP",):
        set_target(s, indicator="pass_rate", dims={"sex": "F", "grade": grade}, target="70")
    with_grade = _count(client, params)
    set_target(s, indicator="pass_rate", dims={"sex": "M", "grade": "5AP"}, target="70")
    assert _count(client, params) == with_grade


def test_the_form_shows_the_current_value_and_saves(client, steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    client.force_login(s.p.provincial_a)
    url = "/indicators/targets/new/?unit=04101A&year=2025-2026&indicator=pass_rate"
    page = client.get(url).content.decode()
    assert 'id="current-value">75,00<' in page
    response = client.post(
        url, {"indicator": "pass_rate", "target": "80", "tolerance": "5", "version": "0"}
    )
    target = Target.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#target-{target.pk}")
    edit = client.get(f"/indicators/targets/{target.pk}/").content.decode()
    assert "À risque" in edit and "-5,00" in edit
    # someone else saves meanwhile: the stale form is refused with a message
    client.post(
        f"/indicators/targets/{target.pk}/", {"target": "82", "tolerance": "5", "version": "1"}
    )
    with unchanged(Target):
        stale = client.post(
            f"/indicators/targets/{target.pk}/",
            {"target": "90", "tolerance": "5", "version": "1"},
        )
    assert stale.status_code == 200
    assert "modifiée entre-temps" in stale.content.decode()


def test_the_form_names_a_bad_disaggregation(client, steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    client.force_login(s.p.provincial_a)
    with unchanged(Target):
        page = client.post(
            "/indicators/targets/new/?unit=04101A",
            {"indicator": "ptr", "disaggregation": "sex=F", "target": "30", "version": "0"},
        )
    assert "ne se ventile pas par sex" in page.content.decode()


def test_the_list_opens_on_the_readers_highest_unit(client, steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    set_target(s, indicator="enrolment", unit=s.p.country, target="90")
    client.force_login(s.p.national_admin)
    page = client.get(LIST).content.decode()
    assert "<bdi>Maroc</bdi>" in page and "status-on_track" in page  # 100 pupils ≥ 90
    client.force_login(s.p.provincial_a)
    assert "Préfecture de Tanger-Assilah" in client.get(LIST).content.decode()
