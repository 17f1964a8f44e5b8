"""Schools of the same name told apart in the school-records lists (issue #9, point 10):
name · commune · code, through the one include orgunits/_unit_label.html."""

from __future__ import annotations

import pytest

from pilotage.orgunits.tests.factories import make_school
from pilotage.schooling.tests.factories import make_class

pytestmark = pytest.mark.django_db


def test_class_list_tells_namesake_schools_apart(
    client, personas, school_year, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.national_admin)
    # session, user, scope, current year, count, page of classes with pupil counts, the
    # schools' communes (one query for the page), menu.
    with django_assert_max_num_queries(9) as first:
        client.get("/schooling/classes/")
    for i, commune in enumerate([personas.commune_a, personas.commune_b] * 5):
        school = make_school(personas.fresh(commune), code=f"0{i:02d}77N", name_fr="École Al Amal")
        make_class(school.org_unit, school_year.year, "5AP", f"5AP-{i}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        body = client.get("/schooling/classes/").content.decode()
    assert body.count("<bdi>École Al Amal</bdi>") == 10
    assert body.count("<bdi>Commune de Gueznaia</bdi>") >= 5
    assert body.count("<bdi>Commune de Fès-Médina</bdi>") >= 5
    assert '<bdi class="code">00077N</bdi>' in body
