"""Validation rules: the safe evaluator, each operator and missing-value strategy, the run
over a subtree, the violations page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from pilotage.core.models import AuditEntry
from pilotage.core.tests.support import unchanged
from pilotage.indicators.models import (
    MissingValues,
    Operator,
    ValidationRule,
    ValidationViolation,
)
from pilotage.indicators.quality.rules import (
    ExpressionError,
    Operand,
    check,
    parse_expression,
    rules_run,
    validation_rule_create,
    validation_rule_update,
    validation_run,
    violations_for,
)
from pilotage.indicators.tests.quality_factories import make_aggregates, put, rule
from pilotage.orgunits.models import OrgUnitLevel
from pilotage.orgunits.tests.factories import make_school

A, B = Operand("a"), Operand("b")
LEFT, RIGHT = parse_expression("#{a}"), parse_expression("#{b}")


def D(x: object) -> Decimal:
    return Decimal(str(x))


# --- The evaluator ----------------------------------------------------------------------


def test_arithmetic_over_operands_and_options() -> None:
    """#{pupils.f} + #{pupils.g} − 2 × #{rooms} ÷ 4 with f=12, g=10, rooms=6 is
    12 + 10 − 2 × 6 ÷ 4 = 22 − 3 = 19."""
    expr = parse_expression("#{pupils.f} + #{pupils.g} − 2 × #{rooms} ÷ 4")
    values = {Operand("pupils", "f"): D(12), Operand("pupils", "g"): D(10), Operand("rooms"): D(6)}
    assert expr.evaluate(values) == D(19)
    assert set(expr.operands) == set(values)
    assert parse_expression("-(#{a} - 3) * 2").evaluate({A: D(5)}) == D(-4)


def test_division_by_zero_is_no_value() -> None:
    assert parse_expression("#{a} / #{b}").evaluate({A: D(1), B: D(0)}) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("__import__('os').system('true')", "appels"),
        ("open('/etc/passwd')", "appels"),
        ("#{a}.real", "attributs"),
        ("(1).__class__", "attributs"),
        ("x + 1", "Nom"),
        ("_op0_", "#{code}"),
        ("2 ** 100000", "Seuls"),
        ("#{a} if 1 else 2", "IfExp"),
        ("[1][0]", "n'est pas permis"),
        ("'text'", "nombres"),
        ("True", "nombres"),
        ("#{a", "mal écrit"),
        ("(1 +", "ne se lit pas"),
        ("", "vide"),
        ("lambda: 1", "Lambda"),
    ],
)
def test_the_evaluator_refuses_what_is_not_arithmetic(text: str, reason: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text)
    assert reason in str(caught.value)


# --- Operators (missing values never skip: each example has both sides) ----------------


@pytest.mark.parametrize(
    ("operator", "a", "b", "violated"),
    [
        # a == b: 5 == 5 holds, 5 == 6 is broken.
        (Operator.EQUAL, 5, 5, False),
        (Operator.EQUAL, 5, 6, True),
        (Operator.NOT_EQUAL, 5, 6, False),
        (Operator.NOT_EQUAL, 5, 5, True),
        (Operator.LESS, 4, 5, False),
        (Operator.LESS, 5, 5, True),
        (Operator.LESS_EQUAL, 5, 5, False),
        (Operator.LESS_EQUAL, 6, 5, True),
        (Operator.GREATER, 6, 5, False),
        (Operator.GREATER, 5, 5, True),
        (Operator.GREATER_EQUAL, 5, 5, False),
        (Operator.GREATER_EQUAL, 4, 5, True),
    ],
)
def test_comparison_operators(operator: str, a: int, b: int, violated: bool) -> None:
    outcome = check(LEFT, operator, RIGHT, MissingValues.NEVER_SKIP, {A: D(a), B: D(b)})
    assert outcome.violated is violated
    assert (outcome.left, outcome.right) == (D(a), D(b))


@pytest.mark.parametrize(
    ("a", "b", "violated"),
    [
        # Compulsory pair: both present (3, 0) or both absent holds; one without the
        # other is broken, whatever the amounts.
        (3, 0, False),
        (None, None, False),
        (3, None, True),
        (None, 0, True),
    ],
)
def test_compulsory_pair(a: int | None, b: int | None, violated: bool) -> None:
    values = {A: None if a is None else D(a), B: None if b is None else D(b)}
    for strategy in MissingValues.values:  # the strategy does not apply to pairs
        assert check(LEFT, Operator.COMPULSORY_PAIR, RIGHT, strategy, values).violated is violated


@pytest.mark.parametrize(
    ("a", "b", "violated"),
    [
        # Exclusive pair: never both; one, the other, or none holds.
        (3, 4, True),
        (3, None, False),
        (None, 4, False),
        (None, None, False),
    ],
)
def test_exclusive_pair(a: int | None, b: int | None, violated: bool) -> None:
    values = {A: None if a is None else D(a), B: None if b is None else D(b)}
    assert (
        check(LEFT, Operator.EXCLUSIVE_PAIR, RIGHT, MissingValues.SKIP_IF_ANY, values).violated
        is violated
    )


# --- Missing-value strategies on ``#{a} + #{b} == #{c}`` --------------------------------

SUM = parse_expression("#{a} + #{b}")
C = Operand("c")
TOTAL = parse_expression("#{c}")


@pytest.mark.parametrize(
    ("strategy", "values", "violated"),
    [
        # Skip if any missing: a=2, b missing, c=5 → not checked.
        (MissingValues.SKIP_IF_ANY, {A: D(2), C: D(5)}, None),
        # All present 2 + 3 == 5 → holds; 2 + 2 == 5 → broken.
        (MissingValues.SKIP_IF_ANY, {A: D(2), B: D(3), C: D(5)}, False),
        (MissingValues.SKIP_IF_ANY, {A: D(2), B: D(2), C: D(5)}, True),
        # Skip if all missing: a=2, b missing (0), c=5 → 2 + 0 ≠ 5, broken.
        (MissingValues.SKIP_IF_ALL, {A: D(2), C: D(5)}, True),
        # … and nothing at all → not checked.
        (MissingValues.SKIP_IF_ALL, {}, None),
        # Never skip: nothing at all → 0 + 0 == 0 holds; c=5 alone → 0 ≠ 5, broken.
        (MissingValues.NEVER_SKIP, {}, False),
        (MissingValues.NEVER_SKIP, {C: D(5)}, True),
    ],
)
def test_missing_value_strategies(strategy: str, values: dict, violated: bool | None) -> None:
    assert check(SUM, Operator.EQUAL, TOTAL, strategy, values).violated is violated


def test_a_side_dividing_by_zero_is_not_checked() -> None:
    ratio = parse_expression("#{a} / #{b}")
    outcome = check(ratio, Operator.LESS, TOTAL, MissingValues.NEVER_SKIP, {A: D(1)})
    assert outcome.violated is None


# --- Running over the tree --------------------------------------------------------------


@pytest.fixture
def agg(personas):  # type: ignore[no-untyped-def]
    return make_aggregates()


def _teachers_rule():  # type: ignore[no-untyped-def]
    # Fewer teachers than pupils, summed over sexes: #{profs} < #{eleves}, a missing
    # count being 0.
    return rule(
        "profs-eleves",
        "#{profs}",
        Operator.LESS,
        "#{eleves}",
        missing_values=MissingValues.NEVER_SKIP,
    )


def test_rules_run_finds_and_replaces_violations(personas, agg) -> None:  # type: ignore[no-untyped-def]
    _teachers_rule()
    girls = rule("filles", "#{eleves.f}", Operator.LESS_EQUAL, "#{eleves}", importance="high")
    put(agg, agg.pupils, "f", personas.school_a, 10)
    put(agg, agg.pupils, "g", personas.school_a, 12)
    put(agg, agg.teachers, "f", personas.school_a, 30)  # 30 teachers, 22 pupils: broken
    put(agg, agg.pupils, "f", personas.school_b, 10)
    put(agg, agg.teachers, "g", personas.school_b, 2)  # holds
    found = rules_run(org_unit=personas.country, period=agg.period)
    assert [(v.rule.code, v.org_unit_id, v.left_value, v.right_value) for v in found] == [
        ("profs-eleves", personas.school_a.pk, D(30), D(22))
    ]
    assert ValidationViolation.objects.count() == 1
    assert girls.violations.count() == 0
    entry = AuditEntry.objects.get(action="validation_run")
    assert entry.changes["violations"] == [None, 1]

    # Fixed data: the next run over the school's province removes the violation.
    agg.teachers.values.filter(org_unit=personas.school_a).update(value=5)
    assert rules_run(org_unit=personas.province_a, period=agg.period) == []
    assert ValidationViolation.objects.count() == 0


def test_a_run_keeps_the_violations_outside_its_subtree(personas, agg) -> None:  # type: ignore[no-untyped-def]
    _teachers_rule()
    put(agg, agg.teachers, "f", personas.school_a, 30)
    put(agg, agg.teachers, "f", personas.school_b, 30)
    rules_run(org_unit=personas.country, period=agg.period)
    assert ValidationViolation.objects.count() == 2
    rules_run(org_unit=personas.province_a, period=agg.period)
    assert ValidationViolation.objects.count() == 2


def test_a_rule_with_a_level_is_checked_on_the_subtree_sums(personas, agg) -> None:  # type: ignore[no-untyped-def]
    """At province level: the province's schools together have 3 classrooms and 200
    pupils; the rule #{eleves} <= 40 × #{salles} (200 <= 120) is broken for the province,
    whatever each school says."""
    rule(
        "taille",
        "#{eleves}",
        Operator.LESS_EQUAL,
        "40 * #{salles}",
        level=OrgUnitLevel.objects.get(code="direction-provinciale"),
    )
    second = make_school(personas.commune_a, code="04102B").org_unit
    put(agg, agg.classrooms, "total", personas.school_a, 2)
    put(agg, agg.pupils, "f", personas.school_a, 60)
    put(agg, agg.classrooms, "total", second, 1)
    put(agg, agg.pupils, "g", second, 140)
    found = rules_run(org_unit=personas.country, period=agg.period)
    assert [(v.org_unit_id, v.left_value, v.right_value) for v in found] == [
        (personas.province_a.pk, D(200), D(120))
    ]


def test_rules_of_another_period_type_are_not_run(personas, agg) -> None:  # type: ignore[no-untyped-def]
    rule("mensuelle", "#{profs}", Operator.LESS, "#{eleves}", period_type="month")
    put(agg, agg.teachers, "f", personas.school_a, 30)
    assert rules_run(org_unit=personas.country, period=agg.period) == []


def test_validation_run_is_refused_to_those_who_neither_enter_nor_approve(personas, agg) -> None:  # type: ignore[no-untyped-def]
    _teachers_rule()
    put(agg, agg.teachers, "f", personas.school_a, 30)
    for outsider in (personas.head_b, personas.teacher_a1, personas.agent):
        with unchanged(ValidationViolation), pytest.raises(PermissionDenied):
            validation_run(actor=outsider, org_unit=personas.school_a, period=agg.period)
    assert validation_run(actor=personas.head_a, org_unit=personas.school_a, period=agg.period)


# --- Rules themselves -------------------------------------------------------------------


def test_a_rule_with_a_bad_expression_is_refused_naming_the_side(personas) -> None:  # type: ignore[no-untyped-def]
    with unchanged(ValidationRule), pytest.raises(ValidationError) as caught:
        validation_rule_create(
            actor=personas.national_admin,
            code="r1",
            name_fr="R1",
            left="__import__('os')",
            operator=Operator.EQUAL,
            right="#{a}",
            period_type="year",
        )
    assert "left" in caught.value.message_dict
    assert "__import__" in caught.value.message_dict["left"][0]


def test_rules_are_the_national_catalogue(personas) -> None:  # type: ignore[no-untyped-def]
    fields = {
        "code": "r1",
        "name_fr": "R1",
        "left": "#{a}",
        "operator": "==",
        "right": "#{b}",
        "period_type": "year",
    }
    with unchanged(ValidationRule), pytest.raises(PermissionDenied):
        validation_rule_create(actor=personas.regional_officer, **fields)
    created = validation_rule_create(actor=personas.national_admin, **fields)
    with unchanged(ValidationRule), pytest.raises(PermissionDenied):
        validation_rule_update(actor=personas.provincial_a, rule=created, right="#{c}")
    validation_rule_update(actor=personas.national_admin, rule=created, right="#{c}")
    created.refresh_from_db()
    assert created.right == "#{c}"
    assert AuditEntry.objects.filter(object_type="indicators.validationrule").count() == 2


# --- The page ---------------------------------------------------------------------------


def _page(agg, unit) -> str:  # type: ignore[no-untyped-def]
    return f"{reverse('indicators:quality-validation')}?unit={unit.code}&period={agg.period.code}"


def test_the_page_lists_violations_in_a_fixed_number_of_queries(
    client, personas, agg, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    _teachers_rule()
    schools = [make_school(personas.commune_a).org_unit for _ in range(4)]
    # The new schools sort before school A: its path moved.
    for school in [personas.fresh(personas.school_a), *schools]:
        put(agg, agg.teachers, "f", school, 30)
    rules_run(org_unit=personas.country, period=agg.period)
    client.force_login(personas.provincial_a)
    client.get(_page(agg, personas.province_a))  # warm the session
    # session, user, role assignments (scope), unit, periods, violations count,
    # violations page (rule, unit, period joined).
    with django_assert_num_queries(7):
        response = client.get(_page(agg, personas.province_a))
    body = response.content.decode()
    assert body.count("profs-eleves") == 10  # name and code of each of 5 rows
    assert "30" in body
    assert body.count("/indicators/data/?unit=") == 5  # each violation links to its form


def test_violations_come_most_important_first(personas, agg) -> None:  # type: ignore[no-untyped-def]
    for code, importance in [("b-low", "low"), ("c-high", "high"), ("a-medium", "medium")]:
        rule(code, "#{profs}", Operator.LESS, "1", importance=importance)
    put(agg, agg.teachers, "f", personas.school_a, 30)
    rules_run(org_unit=personas.country, period=agg.period)
    listed = violations_for(personas.head_a, org_unit=personas.school_a, period=agg.period)
    assert [v.rule.code for v in listed] == ["c-high", "a-medium", "b-low"]
    assert list(violations_for(personas.head_b, org_unit=personas.country, period=agg.period)) == []


def test_outsiders_get_404(client, personas, agg) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.provincial_b)
    assert client.get(_page(agg, personas.province_a)).status_code == 404
    client.force_login(personas.teacher_a1)
    assert client.get(reverse("indicators:quality-validation")).status_code == 404
    client.force_login(personas.provincial_b)
    with unchanged(ValidationViolation):
        response = client.post(
            reverse("indicators:quality-validation-run"),
            {"unit": personas.province_a.code, "period": agg.period.code},
        )
    assert response.status_code == 404


def test_the_run_button(client, personas, agg) -> None:  # type: ignore[no-untyped-def]
    _teachers_rule()
    put(agg, agg.teachers, "f", personas.school_a, 30)
    client.force_login(personas.provincial_a)
    response = client.post(
        reverse("indicators:quality-validation-run"),
        {"unit": personas.province_a.code, "period": agg.period.code},
    )
    assert response.status_code == 302
    assert ValidationViolation.objects.filter(org_unit=personas.school_a).exists()


def test_a_large_scope_runs_as_a_job(client, personas, agg, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from pilotage.core.jobs import job_execute
    from pilotage.core.models import Job

    monkeypatch.setattr("pilotage.indicators.quality.rules.LARGE_SCOPE", 3)
    _teachers_rule()
    put(agg, agg.teachers, "f", personas.school_a, 30)
    client.force_login(personas.national_admin)
    response = client.post(
        reverse("indicators:quality-validation-run"),
        {"unit": personas.country.code, "period": agg.period.code},
    )
    job = Job.objects.get(kind="indicators.validate")
    assert response.url == reverse("core:job", args=[job.pk])
    assert not ValidationViolation.objects.exists()  # not run in the request
    job_execute(job)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.result == {"violations": 1}
    assert AuditEntry.objects.get(action="validation_run").actor_id == (personas.national_admin.pk)


def test_each_violation_links_to_the_data_entry_form_of_its_unit_and_period(personas, agg) -> None:  # type: ignore[no-untyped-def]
    from pilotage.indicators.views import quality as views

    assert views._entry_link(personas.school_a, agg.period) == (
        f"/indicators/data/?unit={personas.school_a.code}&period={agg.period.code}"
    )


def test_the_page_shows_by_default_the_latest_period_with_values(client, personas, agg) -> None:  # type: ignore[no-untyped-def]
    _teachers_rule()
    put(agg, agg.teachers, "f", personas.school_a, 30)
    rules_run(org_unit=personas.country, period=agg.period)
    client.force_login(personas.head_a)
    body = client.get(reverse("indicators:quality-validation")).content.decode()
    assert "profs-eleves" in body
    assert "Contrôler les règles maintenant" in body  # a school head checks their school


def test_the_quality_home_page(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.head_a)
    response = client.get(reverse("indicators:quality"))
    assert response.status_code == 200
    assert "Qualité des données" in response.content.decode()
    client.force_login(personas.parent_a)
    assert client.get(reverse("indicators:quality")).status_code == 404


def test_stored_amounts_are_cut_to_the_column(personas, agg) -> None:  # type: ignore[no-untyped-def]
    """1 ÷ 3 is stored with four decimals; an amount past the column shows as unknown."""
    rule("tiers", "#{profs} / 3", Operator.EQUAL, "#{eleves} * 10000000000000000")
    put(agg, agg.teachers, "f", personas.school_a, 1)
    put(agg, agg.pupils, "f", personas.school_a, 5)
    [found] = rules_run(org_unit=personas.country, period=agg.period)
    found.refresh_from_db()
    assert (found.left_value, found.right_value) == (D("0.3333"), None)
