"""The scope algebra: the filter a scope builds keeps exactly the rows its ``covers`` says,
alone and combined with other conditions, for the root, several assignments, teachers
only and parents only. Runs on SQLite here and on PostgreSQL in CI."""

from __future__ import annotations

import pytest
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilotage.core.scope import EVERYTHING, NOTHING, ROOT_PATH, Grant, Scope
from pilotage.orgunits.models import OrgUnit
from pilotage.orgunits.tests.factories import make_unit

pytestmark = pytest.mark.django_db

ROLES = ["national_admin", "regional_officer", "teacher", "parent"]


@pytest.fixture
def tree(db: None) -> list[OrgUnit]:
    """Two regions of two provinces each under one country."""
    country = make_unit(None, code="MA", name_fr="Maroc")
    units = [country]
    for r in range(2):
        region = make_unit(country, code=f"R{r}", name_fr=f"Région {r}")
        units.append(region)
        for p in range(2):
            units.append(make_unit(region, code=f"R{r}P{p}", name_fr=f"Province {r}.{p}"))
    return units


def _grants(tree: list[OrgUnit], picks: list[tuple[int, int]], root: bool) -> Scope:
    grants = [Grant(ROLES[r], tree[u].path, tree[u].pk) for r, u in picks]
    if root:
        grants.append(Grant("national_admin", ROOT_PATH, 0))
    return Scope(grants=tuple(grants))


def _rows(condition: Q) -> set[str]:
    return set(OrgUnit.objects.filter(condition).values_list("code", flat=True))


def test_everything_and_nothing_are_real_conditions(tree) -> None:
    all_codes = {u.code for u in tree}
    other = Q(code="R0")
    assert _rows(EVERYTHING) == all_codes
    assert _rows(EVERYTHING | other) == all_codes  # Q() | other would keep only R0
    assert _rows(EVERYTHING & other) == {"R0"}
    assert _rows(NOTHING | other) == {"R0"}
    assert _rows(NOTHING & other) == set()
    assert _rows(~NOTHING) == all_codes


def test_the_root_sees_every_row_even_combined_with_a_narrower_role(tree) -> None:
    """The class list's ``managed | taught``: a root administrator who also teaches."""
    scope = Scope(grants=(Grant("national_admin", ROOT_PATH, 0), Grant("teacher", tree[3].path, 0)))
    managed = scope.q("path", ["national_admin"])
    taught = scope.q("path", ["teacher"]) & Q(code=tree[3].code)
    assert _rows(managed | taught) == {u.code for u in tree}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    picks=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 6)), max_size=4),
    root=st.booleans(),
    roles=st.sets(st.sampled_from(ROLES)),
    extra=st.sampled_from(["R0", "R1P1", "MA"]),
)
def test_the_filter_agrees_with_covers(tree, picks, root, roles, extra) -> None:
    scope = _grants(tree, picks, root)
    wanted = sorted(roles)
    expected = {u.code for u in tree if scope.covers(u.path, wanted)}
    condition = scope.q("path", wanted)
    assert _rows(condition) == expected
    assert _rows(condition | Q(code=extra)) == expected | {extra}
    assert _rows(condition & Q(code=extra)) == expected & {extra}
    assert _rows(~condition) == {u.code for u in tree} - expected


@pytest.mark.parametrize(
    ("grants", "visible"),
    [
        # tree: 0 MA, 1 R0, 2 R0P0, 3 R0P1, 4 R1, 5 R1P0, 6 R1P1
        ([("teacher", 2)], {"R0P0"}),  # a teacher only: their unit's subtree
        ([("parent", 2)], set()),  # a parent only: nothing of the tree
        ([("regional_officer", 1), ("teacher", 5)], {"R0", "R0P0", "R0P1", "R1P0"}),
        ([("regional_officer", 1), ("regional_officer", 2)], {"R0", "R0P0", "R0P1"}),
    ],
)
def test_typical_scopes(tree, grants, visible) -> None:
    scope = Scope(grants=tuple(Grant(r, tree[i].path, tree[i].pk) for r, i in grants))
    # The officer's view of the tree (the roles that browse it).
    roles = ["regional_officer", "teacher"]
    assert _rows(scope.q("path", roles)) == visible
