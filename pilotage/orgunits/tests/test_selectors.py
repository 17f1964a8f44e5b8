from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilotage.orgunits.selectors import (
    orgunit_ancestors,
    orgunit_breadcrumb,
    orgunit_descendants,
    orgunit_search,
    orgunit_tops,
    orgunits_visible,
)
from pilotage.orgunits.tests.factories import make_school, make_unit

pytestmark = pytest.mark.django_db


def codes(qs) -> set[str]:  # type: ignore[no-untyped-def]
    return {u.code for u in qs}


def test_descendants_and_ancestors_take_one_query_each(personas) -> None:  # type: ignore[no-untyped-def]
    deep = personas.school_a
    # Five more levels below the school would break a depth-walking implementation.
    extra = deep
    for _ in range(5):
        extra = make_unit(extra)
    country = personas.fresh(personas.country)
    with CaptureQueriesContext(connection) as ctx:
        below = list(orgunit_descendants(country))
    assert len(ctx.captured_queries) == 1
    assert len(below) == 8 + 5  # 2 regions, 2 provinces, 2 communes, 2 schools, 5 extra
    with CaptureQueriesContext(connection) as ctx:
        chain = [u.code for u in orgunit_ancestors(extra)]
    assert len(ctx.captured_queries) == 1
    assert chain[:5] == ["MA", "MA-01", "MA-TNG", "MA-TNG-C001", "04101A"]
    assert len(chain) == extra.depth - 1


def test_each_role_sees_only_its_subtree(personas) -> None:  # type: ignore[no-untyped-def]
    everything = codes(orgunits_visible(personas.national_admin))
    assert len(everything) == 9
    assert codes(orgunits_visible(personas.regional_officer)) == {
        "MA-01",
        "MA-TNG",
        "MA-TNG-C001",
        "04101A",
    }
    assert codes(orgunits_visible(personas.provincial_a)) == {"MA-TNG", "MA-TNG-C001", "04101A"}
    assert codes(orgunits_visible(personas.provincial_b)) == {"MA-FES", "MA-FES-C001", "03201B"}
    assert codes(orgunits_visible(personas.head_a)) == {"04101A"}
    assert codes(orgunits_visible(personas.teacher_a1)) == {"04101A"}
    # Denied: parents never browse the tree; anonymous visitors see nothing.
    assert codes(orgunits_visible(personas.parent_a)) == set()
    assert codes(orgunits_visible(personas.anonymous)) == set()


def test_tops_are_where_browsing_starts(personas) -> None:  # type: ignore[no-untyped-def]
    assert codes(orgunit_tops(personas.provincial_a)) == {"MA-TNG"}
    assert codes(orgunit_tops(personas.national_admin)) == {"MA"}


def test_breadcrumb_stops_at_the_top_of_the_scope(personas) -> None:  # type: ignore[no-untyped-def]
    school = personas.fresh(personas.school_a)
    assert [u.code for u in orgunit_breadcrumb(personas.provincial_a, school)] == [
        "MA-TNG",
        "MA-TNG-C001",
        "04101A",
    ]
    assert [u.code for u in orgunit_breadcrumb(personas.national_admin, school)][0] == "MA"


def test_search_is_scoped(personas) -> None:  # type: ignore[no-untyped-def]
    make_school(
        personas.fresh(personas.commune_b), code="03999F", name_fr="École Ibn Battouta de Fès"
    )
    assert codes(orgunit_search(personas.provincial_a, "ibn battouta")) == {"04101A"}
    assert codes(orgunit_search(personas.national_admin, "ibn battouta")) == {"04101A", "03999F"}
    assert codes(orgunit_search(personas.provincial_b, "طنجة")) == set()
    assert codes(orgunit_search(personas.national_admin, "طنجة")) == {"MA-01", "MA-TNG"}
