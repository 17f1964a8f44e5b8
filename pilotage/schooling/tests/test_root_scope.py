"""The national administrator of the whole tree (a superuser: the root scope) sees every
school record. ``scope.q()`` used to be an empty ``Q()`` for the root, and
``Q() | taught`` collapsed to ``taught``: no class, enrolment or sheet, and a 404 on a class
page and when starting its bulletins."""

from __future__ import annotations

import pytest

from pilotage.accounts.tests.factories import UserFactory
from pilotage.core.models import Job
from pilotage.schooling.selectors import classes_visible, pupils_visible, sheets_visible

pytestmark = pytest.mark.django_db


@pytest.fixture
def root_admin():
    return UserFactory(username="root.admin", is_superuser=True, is_staff=True)


def test_the_root_sees_every_class_pupil_and_sheet(root_admin, school_year) -> None:
    assert set(classes_visible(root_admin)) == {school_year.class_a1, school_year.class_b1}
    pupils = {*school_year.pupils_a1, *school_year.pupils_b1}
    assert set(pupils_visible(root_admin)) == pupils
    assert school_year.sheet in set(sheets_visible(root_admin))


def test_the_root_opens_a_class_and_starts_its_bulletins(client, root_admin, school_year) -> None:
    client.force_login(root_admin)
    assert client.get(f"/schooling/classes/{school_year.class_b1.pk}/").status_code == 200
    response = client.post(
        f"/schooling/classes/{school_year.class_b1.pk}/bulletins/", {"semestre": "1"}
    )
    assert response.status_code in (200, 302)
    assert Job.objects.filter(kind="schooling.report_cards").count() == 1


def test_the_api_lists_the_roots_classes(client, root_admin, school_year) -> None:
    client.force_login(root_admin)
    body = client.get("/api/v1/schooling/classes").json()
    items = body["items"] if isinstance(body, dict) else body
    assert {c["id"] for c in items} >= {school_year.class_a1.pk, school_year.class_b1.pk}
