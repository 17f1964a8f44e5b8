"""Where each role's tree starts (issue #9, point 1) and how namesakes are told apart in
the picker (point 10)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from pilotage.accounts.tests.factories import UserFactory
from pilotage.orgunits.models import OrgUnit
from pilotage.orgunits.selectors import orgunit_tree, parents_attach, with_parent_names
from pilotage.orgunits.tests.factories import make_school, make_unit

pytestmark = pytest.mark.django_db


def tree_links(body: str) -> set[str]:
    """The unit codes the browse page's tree links to."""
    tree = body[body.index('class="ou-tree"') :]
    return set(re.findall(r'href="/orgunits/([^/"]+)/"', tree))


def test_national_admin_tree_opens_on_the_regions(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.national_admin)
    body = client.get("/orgunits/").content.decode()
    assert '<details class="ou-tree" open>' in body
    assert tree_links(body) == {"MA", "MA-01", "MA-03"}
    assert 'aria-expanded="true"' in body  # the country is open, its regions closed
    assert 'hx-get="/orgunits/MA-01/children/"' in body


def test_provincial_officer_tree_is_their_province_only(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.provincial_a)
    body = client.get("/orgunits/").content.decode()
    assert tree_links(body) == {"MA-TNG", "MA-TNG-C001"}


def test_regional_officer_tree_starts_at_their_region(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.regional_officer)
    body = client.get("/orgunits/").content.decode()
    assert tree_links(body) == {"MA-01", "MA-TNG"}


def test_superuser_tree_shows_every_root(client, personas) -> None:  # type: ignore[no-untyped-def]
    other = make_unit(None, code="TN", name_fr="Tunisie")
    make_unit(other, code="TN-01", name_fr="Tunis")
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    body = client.get("/orgunits/").content.decode()
    assert tree_links(body) == {"MA", "MA-01", "MA-03", "TN", "TN-01"}


def test_browse_page_has_a_fixed_number_of_queries(
    client, personas, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.national_admin)
    # session, user, scope (assignments), the tops, their children, menu permissions and
    # home-card checks read the cached scope: none per unit.
    with django_assert_max_num_queries(6) as few:
        client.get("/orgunits/")
    baseline = len(few.captured_queries)
    country = personas.fresh(personas.country)
    for i in range(10):
        make_unit(personas.fresh(country), code=f"MA-9{i}", name_fr=f"Région {i}")
    with django_assert_max_num_queries(baseline):
        body = client.get("/orgunits/").content.decode()
    assert len(tree_links(body)) == 13


def test_a_picker_elsewhere_loads_the_same_tree(client, personas) -> None:  # type: ignore[no-untyped-def]
    """The role form of a person's page includes the picker without the tree: it loads it
    from /orgunits/tree/ when opened (it used to stay empty)."""
    client.force_login(personas.national_admin)
    body = client.get(f"/accounts/people/{personas.head_a.pk}/").content.decode()
    assert 'hx-get="/orgunits/tree/"' in body
    nodes = client.get("/orgunits/tree/").content.decode()
    assert 'href="/orgunits/MA/"' in nodes and 'href="/orgunits/MA-03/"' in nodes
    client.force_login(personas.provincial_b)
    nodes = client.get("/orgunits/tree/").content.decode()
    assert 'href="/orgunits/MA-FES/"' in nodes and "/orgunits/MA-TNG/" not in nodes
    client.force_login(personas.parent_a)
    assert client.get("/orgunits/tree/").status_code == 404


def test_tree_selector_takes_two_queries(personas) -> None:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        tops = orgunit_tree(personas.national_admin)
    # scope (assignments), tops, children
    assert len(ctx.captured_queries) == 3
    assert [t.code for t in tops] == ["MA"]
    assert [c.code for c in tops[0].tree_children] == ["MA-03", "MA-01"]  # by name


@pytest.fixture
def namesakes(personas):  # type: ignore[no-untyped-def]
    """Two 'École Al Amal', one in each province's commune."""
    a = make_school(personas.fresh(personas.commune_a), code="72026F", name_fr="École Al Amal")
    b = make_school(personas.fresh(personas.commune_b), code="72099K", name_fr="École Al Amal")
    return a.org_unit, b.org_unit


def test_namesakes_are_told_apart_in_the_picker(client, personas, namesakes) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.national_admin)
    body = client.get("/orgunits/search/?q=Al+Amal").content.decode()
    assert "<bdi>Commune de Gueznaia</bdi>" in body and "<bdi>Commune de Fès-Médina</bdi>" in body
    assert '<bdi class="code">72026F</bdi>' in body and '<bdi class="code">72099K</bdi>' in body
    assert 'data-pick-label="École Al Amal · Commune de Gueznaia · 72026F"' in body


def test_picker_search_has_a_fixed_number_of_queries(
    client, personas, namesakes, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.national_admin)
    # session, user, scope (assignments), the results with their levels, schools and
    # parents' names (subqueries): one query whatever the number of results.
    with django_assert_max_num_queries(4):
        body = client.get("/orgunits/search/?q=%C3%89cole").content.decode()
    assert body.count("<li>") == 3  # the two namesakes and Ibn Battouta


def test_picker_search_can_keep_schools_only(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.provincial_a)
    body = client.get("/orgunits/search/?q=MA-TNG").content.decode()
    assert "MA-TNG-C001" in body
    body = client.get("/orgunits/search/?q=Commune&kind=school").content.decode()
    assert "Gueznaia" not in body
    body = client.get("/orgunits/search/?q=Ibn&kind=school").content.decode()
    assert "Ibn Battouta" in body


def test_label_with_context_in_each_language(personas, namesakes) -> None:  # type: ignore[no-untyped-def]
    unit = with_parent_names(OrgUnit.objects.select_related("school")).get(code="72026F")
    assert unit.label_with_context == "École Al Amal · Commune de Gueznaia · 72026F"
    with translation.override("ar"):
        # no Arabic name: the French one stands in; the commune's Arabic name is used
        assert unit.label_with_context == "École Al Amal · جماعة اكزناية · 72026F"
    country = with_parent_names(OrgUnit.objects.all()).get(code="MA")
    assert country.label_with_context == "Maroc · MA"


def test_parents_attach_takes_one_query_for_a_page(personas, namesakes) -> None:  # type: ignore[no-untyped-def]
    units = list(OrgUnit.objects.filter(depth=5))
    with CaptureQueriesContext(connection) as ctx:
        parents_attach(units)
        labels = {u.label_with_context for u in units}
    assert len(ctx.captured_queries) == 1
    assert "École Al Amal · Commune de Fès-Médina · 72099K" in labels
    # a unit loaded alone still finds its parent, with one query of its own
    lone = OrgUnit.objects.get(code="04101A")
    assert lone.parent_name == "Commune de Gueznaia"
