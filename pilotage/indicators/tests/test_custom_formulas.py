"""The custom indicators' formulas: parsed with a whitelist of ast nodes, never evaluated
by Python; every refused construct named in the message."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pilotage.indicators.custom import FormulaError, Ref, parse_formula

ELEMENTS = {"toilets": {"girls", "boys"}, "classrooms": {"total"}, "pupils-2": {"total"}}


def ok(text: str):
    formula = parse_formula(text, elements=ELEMENTS)
    assert formula is not None
    return formula


def refused(text: str, **kw: object) -> str:
    with pytest.raises(FormulaError) as error:
        parse_formula(text, elements=ELEMENTS, **kw)  # type: ignore[arg-type]
    return str(error.value)


def test_references_numbers_and_the_four_operations() -> None:
    formula = ok("(#{toilets.girls} + #{toilets}) × 2 − ger.numerator ÷ 4 + #{pupils-2} * 1.5")
    assert formula.refs == {
        Ref("element", "toilets", "girls"),
        Ref("element", "toilets", ""),
        Ref("builtin", "ger", "numerator"),
        Ref("element", "pupils-2", ""),
    }
    values = {
        Ref("element", "toilets", "girls"): Decimal(3),
        Ref("element", "toilets", ""): Decimal(7),
        Ref("builtin", "ger", "numerator"): Decimal(8),
        Ref("element", "pupils-2", ""): Decimal(2),
    }
    assert formula.evaluate(values) == Decimal(21)
    assert ok("-#{classrooms} + 3").evaluate({Ref("element", "classrooms", ""): Decimal(1)}) == 2


def test_a_division_by_zero_in_the_data_gives_no_value() -> None:
    formula = ok("#{classrooms} / (#{toilets.girls} - #{toilets.boys})")
    values = {
        Ref("element", "classrooms", ""): Decimal(5),
        Ref("element", "toilets", "girls"): Decimal(2),
        Ref("element", "toilets", "boys"): Decimal(2),
    }
    assert formula.evaluate(values) is None


def test_an_empty_denominator_is_allowed_when_optional() -> None:
    assert parse_formula("  ", required=False) is None
    assert "obligatoire" in refused("")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("#{desks}", "élément de données inconnu « desks »"),
        ("#{toilets.total}", "option « total » absente des catégories de l'élément toilets"),
        ("classrooms + 1", "nom inconnu « classrooms »"),
        ("nope.numerator", "indicateur intégré inconnu « nope »"),
        ("ger.value", "partie inconnue « value »"),
        ("enrolment.denominator", "n'a pas de dénominateur"),
        ("#{toilets.girls} +", "formule mal formée"),
        ("(#{classrooms}", "formule mal formée"),
        ("#classrooms", "référence mal formée"),
        ("#{classrooms} / 0", "division par zéro"),
        ("#{classrooms} / (2 - 2)", "division par zéro"),
        ("__import__('os')", "appel de fonction interdit"),
        ("__import__('os').system('true')", "interdit"),
        ("(1).real", "accès à un attribut interdit"),
        ("().__class__", "accès à un attribut interdit"),
        ("os.system", "indicateur intégré inconnu « os »"),
        ("abs(-1)", "appel de fonction interdit"),
        ("2 ** 10", "opérateur interdit"),
        ("7 % 2", "opérateur interdit"),
        ("#{classrooms} > 1", "construction interdite"),
        ("[1, 2]", "construction interdite"),
        ("'texte'", "valeur interdite"),
        ("True", "valeur interdite"),
        ("1j", "valeur interdite"),
        ("lambda: 1", "construction interdite"),
        ("x if 1 else 2", "construction interdite"),
        ("ref__0", "nom réservé"),
        ("1 + " * 300 + "1", "formule trop longue"),
    ],
)
def test_refused_formulas_name_their_problem(text: str, reason: str) -> None:
    assert reason in refused(text)


def test_deep_nesting_is_refused_not_a_crash() -> None:
    assert "formule" in refused("(" * 240 + "1" + ")" * 240)
