"""The status rule of ``indicators/targets.py`` (each branch, both directions, the
boundaries), the gap's sign, disaggregations, and ``attach_targets`` in one query."""

from __future__ import annotations

import pytest

from pilotage.indicators.catalogue import builtin
from pilotage.indicators.engine import Value, compute
from pilotage.indicators.selectors.values import ValuesQuery, values_for
from pilotage.indicators.targets import (
    attach_targets,
    check_dims,
    dims_key,
    gap_of,
    parse_dims,
    status_of,
)
from pilotage.indicators.tests.steering import Steering, set_target, steering_setup


@pytest.fixture
def steering(personas) -> Steering:  # type: ignore[no-untyped-def]
    return steering_setup(personas)


H, L = "higher", "lower"


@pytest.mark.parametrize(
    ("value", "target", "tolerance", "direction", "expected"),
    [
        # higher is better: at or above the target, within the band below, beyond it
        (96, 95, 2, H, "on_track"),
        (95, 95, 2, H, "on_track"),  # exactly at the target
        (94.9, 95, 2, H, "at_risk"),
        (93, 95, 2, H, "at_risk"),  # exactly at the band's edge
        (92.99, 95, 2, H, "off_track"),
        (10, 95, 2, H, "off_track"),
        (94.9, 95, 0, H, "off_track"),  # no band: on or off track
        # lower is better: the mirror
        (4, 5, 1, L, "on_track"),
        (5, 5, 1, L, "on_track"),
        (5.1, 5, 1, L, "at_risk"),
        (6, 5, 1, L, "at_risk"),
        (6.01, 5, 1, L, "off_track"),
        (5.1, 5, 0, L, "off_track"),
        # no value, no status
        (None, 95, 2, H, None),
        (None, 5, 1, L, None),
    ],
)
def test_status_rule(value, target, tolerance, direction, expected) -> None:  # type: ignore[no-untyped-def]
    assert status_of(value, target, tolerance, direction) == expected


def test_status_is_exact_at_decimal_boundaries() -> None:
    # 0.1 + 0.2 is 0.30000000000000004 in floats: the rule compares decimals of the text.
    assert status_of(0.3, "0.3", 0, H) == "on_track"
    assert status_of(93.0, "95.0", "2.0", H) == "at_risk"


def test_gap_is_value_minus_target() -> None:
    assert gap_of(97.5, 95) == 2.5
    assert gap_of(4, 5) == -1
    assert gap_of(None, 5) is None


def test_disaggregation_text_and_checks() -> None:
    ner = builtin("ner")
    assert ner is not None
    assert parse_dims("") == {}
    assert parse_dims(" sex=F ; cycle=primaire ") == {"sex": "F", "cycle": "primaire"}
    assert dims_key({"sex": "F", "cycle": "primaire"}) == "sex=F;cycle=primaire"
    checked = check_dims(ner, {"cycle": "primaire", "sex": "F"}, set())
    assert list(checked.items()) == [("sex", "F"), ("cycle", "primaire")]
    with pytest.raises(ValueError, match="dimension=valeur"):
        parse_dims("sexe")
    with pytest.raises(ValueError, match="ne se ventile pas par grade"):
        check_dims(ner, {"cycle": "primaire", "grade": "5AP"}, {"5AP"})
    with pytest.raises(ValueError, match="valeur inconnue pour sex"):
        check_dims(ner, {"cycle": "primaire", "sex": "X"}, set())
    with pytest.raises(ValueError, match="par cycle"):
        check_dims(ner, {"sex": "F"}, set())
    with pytest.raises(ValueError, match="dimension inconnue"):
        check_dims(ner, {"region": "x"}, set())


def test_attach_targets_in_one_query(steering, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    s = steering
    set_target(s, indicator="pass_rate", target="80", tolerance="5")
    set_target(s, indicator="pass_rate", dims={"sex": "F"}, target="75")
    set_target(s, indicator="pass_rate", dims={"sex": "M"}, target="90", tolerance="10")
    set_target(s, indicator="pass_rate", unit=s.p.province_a, target="70")
    units = [s.p.school_a, s.p.province_a]
    values = compute("pass_rate", units=units, years=[s.year]) + compute(
        "pass_rate", units=units, years=[s.year], by="sex"
    )
    with django_assert_num_queries(1):  # the targets of every value, joined to unit and year
        attach_targets("pass_rate", values)
    got = {(v.unit, dims_key(v.dims)): (v.target, v.status) for v in values}
    assert got == {
        ("04101A", ""): (80.0, "at_risk"),  # 75 % vs 80 ± 5
        ("04101A", "sex=F"): (75.0, "on_track"),
        ("04101A", "sex=M"): (90.0, "off_track"),  # 75 < 90 − 10
        ("MA-TNG", ""): (70.0, "on_track"),
        ("MA-TNG", "sex=F"): (None, None),  # no target for the province's girls
        ("MA-TNG", "sex=M"): (None, None),
    }


def test_attach_targets_asks_nothing_for_no_values(db, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(0):
        attach_targets("pass_rate", [])


def test_a_value_without_data_has_a_target_but_no_status(steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    set_target(s, indicator="pass_rate", target="80")
    value = Value("04101A", s.year.code, {}, None, 0, None)
    attach_targets("pass_rate", [value])
    assert (value.target, value.status) == (80.0, None)


def test_lower_is_better_by_default_for_such_indicators(steering) -> None:  # type: ignore[no-untyped-def]
    target = set_target(steering, indicator="dropout_rate", target="5", tolerance="1")
    assert target.direction == "lower"
    assert set_target(steering, indicator="pass_rate", target="5").direction == "higher"


def test_values_for_attaches_targets(steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    set_target(s, indicator="enrolment", target="120", tolerance="30")
    query = ValuesQuery("enrolment", [s.p.school_a], [s.year])
    [value] = values_for(s.p.head_a, query)
    assert (value.value, value.target, value.status) == (100.0, 120.0, "at_risk")
