"""Custom indicators: a numerator and an optional denominator written as formulas.

A formula combines numbers, data elements and the parts of built-in indicators with
``+ - * /`` (``× ÷ −`` too) and parentheses:

* ``#{classrooms}`` — the data element summed over its category options;
* ``#{toilets.girls}`` — one option of it;
* ``ger.numerator``, ``ptr.denominator`` — a part of a built-in indicator (engine).

A formula is parsed by Python's ``ast`` and nothing else is allowed: no names but these
references, no attribute, call, subscript, comparison or power; it is never evaluated by
Python, only walked here, so ``__import__('os')`` is a refused call, not a risk.

A value is Σ numerator / Σ denominator × factor over the subtree of each unit: the data
values are summed first (by path prefix), then the formula is applied to the sums — never
an average of the units' ratios. With ``PILOTAGE_HIDE_UNAPPROVED_DATA``, only approved
data values count (``quality.approval.approved_values_q``).

A custom indicator has no disaggregation. Wherever a built-in indicator is read by its
code — the API, the DHIS2 export, targets and their gaps — :func:`indicator_values` reads
either kind.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation
from importlib import import_module
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from pilotage.indicators.catalogue import DIMENSIONS, Indicator, Unit, builtin
from pilotage.indicators.models import CategoryOption, CustomIndicator, DataElement, DataValue
from pilotage.indicators.quality.approval import approved_values_q
from pilotage.orgunits.models import AcademicYear, OrgUnit, Period, PeriodType

MAX_LENGTH = 500
PARTS = ("numerator", "denominator")
_ELEMENT = re.compile(r"#\{\s*([A-Za-z0-9_-]+)(?:\.([A-Za-z0-9_-]+))?\s*\}")
_PART = re.compile(r"(?<![\w.#{])([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)\b")
_SYMBOLS = {"×": "*", "÷": "/", "−": "-", "–": "-"}
_PLACEHOLDER = "ref__{}"
_OPERATORS: dict[type[ast.AST], Callable[[Decimal, Decimal], Decimal]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}


class FormulaError(ValueError):
    """A formula that cannot be used; the message names the problem for the form."""


@dataclass(frozen=True)
class Ref:
    """``kind`` "element": ``code`` a data element, ``part`` an option code or "" (all
    options); ``kind`` "builtin": ``code`` a built-in indicator, ``part`` its part."""

    kind: str
    code: str
    part: str = ""

    def __str__(self) -> str:
        if self.kind == "builtin":
            return f"{self.code}.{self.part}"
        return f"#{{{self.code}.{self.part}}}" if self.part else f"#{{{self.code}}}"


@dataclass(frozen=True)
class Formula:
    text: str
    tree: ast.Expression
    names: Mapping[str, Ref]

    @property
    def refs(self) -> set[Ref]:
        return set(self.names.values())

    def evaluate(self, values: Mapping[Ref, Decimal | None]) -> Decimal | None:
        """The formula's value; None when a reference has no value or a division is by
        zero. A data element without any value counts as 0 (nothing reported below)."""
        try:
            return _eval(self.tree.body, self.names, values)
        except (_Missing, DivisionByZero, ZeroDivisionError, InvalidOperation):
            return None


class _Missing(Exception):
    pass


def _eval(node: ast.AST, names: Mapping[str, Ref], values: Mapping[Ref, Decimal | None]) -> Decimal:
    if isinstance(node, ast.Constant):
        return Decimal(str(node.value))
    if isinstance(node, ast.Name):
        value = values.get(names[node.id])
        if value is None:
            raise _Missing
        return value
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, names, values)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left = _eval(node.left, names, values)
        right = _eval(node.right, names, values)
        if isinstance(node.op, ast.Div) and right == 0:
            raise DivisionByZero
        return _OPERATORS[type(node.op)](left, right)
    raise TypeError(type(node).__name__)  # unreachable: parse_formula allowed only these


def _check(node: ast.AST, names: Mapping[str, Ref]) -> None:
    """Only numbers, references, + - * /, unary signs and parentheses."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise FormulaError(_("valeur interdite : %(value)s") % {"value": repr(node.value)[:40]})
        return
    if isinstance(node, ast.Name):
        if node.id not in names:
            raise FormulaError(
                _(
                    "nom inconnu « %(name)s » : écrivez #{code} pour un élément de données, "
                    "#{code.option} pour une option, ou code.numerator / code.denominator "
                    "pour un indicateur intégré"
                )
                % {"name": node.id[:40]}
            )
        return
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        _check(node.operand, names)
        return
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        _check(node.left, names)
        _check(node.right, names)
        if isinstance(node.op, ast.Div) and _constant(node.right) == 0:
            raise FormulaError(_("division par zéro"))
        return
    if isinstance(node, ast.Call):
        raise FormulaError(_("appel de fonction interdit"))
    if isinstance(node, ast.Attribute):
        raise FormulaError(_("accès à un attribut interdit"))
    if isinstance(node, ast.BinOp):
        raise FormulaError(_("opérateur interdit : seuls + - * / sont permis"))
    raise FormulaError(
        _(
            "construction interdite (%(what)s) : seuls les nombres, les références, + - * / et "
            "les parenthèses sont permis"
        )
        % {"what": type(node).__name__}
    )


def _constant(node: ast.AST) -> Decimal | None:
    """The value of a sub-expression made of numbers only, else None."""
    if any(isinstance(n, ast.Name) for n in ast.walk(node)):
        return None
    try:
        return _eval(node, {}, {})
    except (DivisionByZero, ZeroDivisionError, InvalidOperation, TypeError):
        return None


def parse_formula(
    text: str, *, elements: Mapping[str, set[str]] | None = None, required: bool = True
) -> Formula | None:
    """Parse ``text``; ``elements`` (element code → its option codes) checks the data
    element references against the catalogue. Returns None for an empty optional
    formula. Raises :class:`FormulaError`."""
    source = (text or "").strip()
    if not source:
        if required:
            raise FormulaError(_("formule obligatoire"))
        return None
    if len(source) > MAX_LENGTH:
        raise FormulaError(_("formule trop longue : %(n)s caractères au plus") % {"n": MAX_LENGTH})
    for symbol, ascii_op in _SYMBOLS.items():
        source = source.replace(symbol, ascii_op)
    names: dict[str, Ref] = {}
    by_ref: dict[Ref, str] = {}

    def placeholder(ref: Ref) -> str:
        if ref not in by_ref:
            by_ref[ref] = _PLACEHOLDER.format(len(by_ref))
            names[by_ref[ref]] = ref
        return by_ref[ref]

    def element(match: re.Match[str]) -> str:
        return placeholder(Ref("element", match.group(1), match.group(2) or ""))

    def part(match: re.Match[str]) -> str:
        code, name = match.group(1), match.group(2)
        if builtin(code) is None:
            raise FormulaError(_("indicateur intégré inconnu « %(code)s »") % {"code": code[:40]})
        if name not in PARTS:
            raise FormulaError(
                _("partie inconnue « %(part)s » : numerator ou denominator") % {"part": name[:40]}
            )
        return placeholder(Ref("builtin", code, name))

    if _PLACEHOLDER.format("") in source:
        raise FormulaError(_("nom réservé : %(name)s") % {"name": _PLACEHOLDER.format("")})
    source = _ELEMENT.sub(element, source)
    source = _PART.sub(part, source)
    if "#" in source or "{" in source or "}" in source:
        raise FormulaError(_("référence mal formée : écrivez #{code} ou #{code.option}"))
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise FormulaError(
            _("formule mal formée (colonne %(col)s)") % {"col": exc.offset or 1}
        ) from exc
    except (RecursionError, MemoryError, ValueError) as exc:
        raise FormulaError(_("formule trop imbriquée")) from exc
    _check(tree.body, names)
    for ref in names.values():
        if ref.kind == "builtin" and ref.part == "denominator":
            indicator = builtin(ref.code)
            if indicator is not None and not indicator.has_denominator:
                raise FormulaError(
                    _("l'indicateur %(code)s n'a pas de dénominateur") % {"code": ref.code}
                )
        if ref.kind == "element" and elements is not None:
            if ref.code not in elements:
                raise FormulaError(
                    _("élément de données inconnu « %(code)s »") % {"code": ref.code[:40]}
                )
            if ref.part and ref.part not in elements[ref.code]:
                raise FormulaError(
                    _("option « %(option)s » absente des catégories de l'élément %(code)s")
                    % {"option": ref.part[:40], "code": ref.code}
                )
    return Formula(text, tree, names)


def catalogue_elements() -> dict[str, set[str]]:
    """Every data element's code with its option codes (two queries)."""
    options: dict[int, set[str]] = {}
    for combo_id, code in CategoryOption.objects.values_list("combo_id", "code"):
        options.setdefault(combo_id, set()).add(code)
    return {
        code: options.get(combo_id, set())
        for code, combo_id in DataElement.objects.values_list("code", "combo_id")
    }


# --- Values -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomValue:
    unit: str
    period: str
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None


def _periods(codes: Iterable[str | Period | AcademicYear]) -> list[Period]:
    wanted = [c if isinstance(c, str) else c.code for c in codes]
    found = {p.code: p for p in Period.objects.filter(code__in=wanted)}
    return [found[c] for c in wanted if c in found]


def _element_sums(
    unit: OrgUnit, codes: set[str], periods: Sequence[Period]
) -> dict[tuple[str, Ref], Decimal]:
    """{(period code, ref): Σ} for the element refs over the unit's subtree: one grouped
    query, values of every period lying within a requested period."""
    if not codes or not periods:
        return {}
    rows = (
        DataValue.objects.filter(
            approved_values_q(),
            path__startswith=unit.path,
            data_element__code__in=codes,
            period__start__gte=min(p.start for p in periods),
            period__end__lte=max(p.end for p in periods),
        )
        .values_list("data_element__code", "category_option__code", "period__start", "period__end")
        .annotate(total=Sum("value"))
        .order_by()
    )
    sums: dict[tuple[str, Ref], Decimal] = {}
    for element, option, start, end, total in rows:
        for period in periods:
            if period.start <= start and end <= period.end:
                for ref in (Ref("element", element, option), Ref("element", element, "")):
                    key = (period.code, ref)
                    sums[key] = sums.get(key, Decimal(0)) + total
    return sums


def _builtin_parts(
    refs: set[Ref], units: Sequence[OrgUnit], periods: Sequence[Period]
) -> dict[tuple[str, str, Ref], Decimal | None]:
    """{(unit code, period code, ref): value} from the engine, for the academic-year
    periods (the built-in indicators are computed per school year). Values split by
    cycle are summed: ``ger.numerator`` is then every cycle's pupils."""
    years_codes = [p.code for p in periods if p.type == PeriodType.ACADEMIC_YEAR]
    wanted = {r for r in refs if r.kind == "builtin"}
    if not wanted or not years_codes:
        return {}
    # Looked up when a formula needs a built-in part, through sys.modules (tests replace it).
    engine = import_module("pilotage.indicators.engine")
    years = list(AcademicYear.objects.filter(code__in=years_codes))
    parts: dict[tuple[str, str, Ref], Decimal | None] = {}
    for code in sorted({r.code for r in wanted}):
        for result in engine.compute(code, units=list(units), years=years, by=()):
            for part in PARTS:
                ref = Ref("builtin", code, part)
                if ref not in wanted:
                    continue
                key = (result.unit, result.period, ref)
                figure = getattr(result, part)
                if figure is None or (key in parts and parts[key] is None):
                    parts[key] = None
                else:
                    parts[key] = (parts.get(key) or Decimal(0)) + Decimal(str(figure))
    return parts


def custom_values(
    indicator: CustomIndicator,
    *,
    units: Sequence[OrgUnit],
    years_or_periods: Sequence[str | Period | AcademicYear],
) -> list[CustomValue]:
    """The indicator for each unit (its whole subtree) and period, in that order."""
    numerator = parse_formula(indicator.numerator)
    denominator = parse_formula(indicator.denominator, required=False)
    formulas = [f for f in (numerator, denominator) if f is not None]
    refs = {r for f in formulas for r in f.refs}
    element_codes = {r.code for r in refs if r.kind == "element"}
    periods = _periods(years_or_periods)
    parts = _builtin_parts(refs, units, periods)
    factor = Decimal(indicator.factor)
    results = []
    for unit in units:
        sums = _element_sums(unit, element_codes, periods)
        for period in periods:
            values: dict[Ref, Decimal | None] = {}
            for ref in refs:
                if ref.kind == "element":
                    values[ref] = sums.get((period.code, ref), Decimal(0))
                else:
                    values[ref] = parts.get((unit.code, period.code, ref))
            num = numerator.evaluate(values) if numerator else None
            den = denominator.evaluate(values) if denominator else None
            if denominator is None:
                value = None if num is None else num * factor
            elif num is None or den is None or den == 0:
                value = None
            else:
                value = num / den * factor
            results.append(CustomValue(unit.code, period.code, num, den, value))
    return results


def formula_problems(text: str, *, required: bool = True) -> str | None:
    """The reason a formula is refused, or None: for the form."""
    try:
        parse_formula(text, elements=catalogue_elements(), required=required)
    except FormulaError as exc:
        return str(exc)
    return None


# --- Custom indicators where built-in ones are -------------------------------------------------


def custom_indicator(code: str) -> CustomIndicator | None:
    """The custom indicator of that code; a built-in code is never a custom one."""
    if builtin(code) is not None:
        return None
    return CustomIndicator.objects.filter(code=code).first()


def as_indicator(custom: CustomIndicator) -> Indicator:
    """The custom indicator as the catalogue describes indicators: no disaggregation, its
    direction, a percentage when its factor is 100 or its unit "%"."""
    if custom.unit.strip() == "%" or Decimal(custom.factor) == 100:
        unit = Unit.PERCENT
    else:
        unit = Unit.RATIO if custom.denominator.strip() else Unit.COUNT
    formula = custom.numerator + (f" / ({custom.denominator})" if custom.denominator else "")
    return Indicator(
        code=custom.code,
        name=custom.name,
        unit=unit,
        formula=formula,
        source="",
        sources=frozenset(),
        higher_is_better=custom.higher_is_better,
        excluded=frozenset(DIMENSIONS),
    )


def indicator_of(code: str) -> Indicator | None:
    """A built-in indicator, else a custom one described as an :class:`Indicator`."""
    found = builtin(code)
    if found is not None:
        return found
    custom = custom_indicator(code)
    return as_indicator(custom) if custom is not None else None


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def custom_engine_values(
    custom: CustomIndicator, *, units: Sequence[OrgUnit], years: Sequence[AcademicYear]
) -> list[Any]:
    """:func:`custom_values` as the engine's ``Value`` rows (no dims), so that targets,
    the API and the exports treat them as any indicator's."""
    engine = import_module("pilotage.indicators.engine")
    return [
        engine.Value(
            unit=v.unit,
            period=v.period,
            dims={},
            numerator=_number(v.numerator),
            denominator=_number(v.denominator),
            value=None if v.value is None else float(v.value),
        )
        for v in custom_values(custom, units=units, years_or_periods=years)
    ]


def indicator_values(
    code: str, *, units: Sequence[OrgUnit], years: Sequence[AcademicYear], by: Sequence[str] = ()
) -> list[Any]:
    """The values of a built-in (the engine) or custom indicator. A custom indicator has
    no disaggregation: asking for one is an ``IndicatorError``, as is an unknown code."""
    engine = import_module("pilotage.indicators.engine")
    if builtin(code) is not None:
        return list(engine.compute(code, units=list(units), years=list(years), by=tuple(by)))
    custom = custom_indicator(code)
    if custom is None:
        raise engine.IndicatorError(f"Unknown indicator {code!r}")
    if by:
        raise engine.IndicatorError(
            f"Custom indicator {code!r} has no disaggregation (asked: {', '.join(by)})"
        )
    return custom_engine_values(custom, units=units, years=years)
