"""Validation rules: ``left operator right`` over the aggregate data of one unit and period.

An expression is arithmetic over data elements: ``#{code}`` is the element summed over
every option, ``#{code.option}`` one option, both summed over the unit's whole subtree for
the period. It is read with :mod:`ast` and evaluated by walking the tree with a whitelist
(numbers, the operands, ``+ - * /`` — also written ``− × ÷`` — unary signs and parentheses);
anything else (a name, an attribute, a call, a power, a subscript…) is refused before any
value is read. Nothing is ever passed to ``eval``.

Missing values (an operand without any value in the subtree) follow the rule's strategy:

- *skip if any value missing*: the rule is not checked unless every operand has a value;
- *skip if all values missing*: not checked when no operand has a value; a missing operand
  counts 0 otherwise;
- *never skip*: a missing operand counts 0.

The two pair operators look at presence, not amounts (a side is present when one of its
operands has a value), so the strategy does not apply to them: a *compulsory pair* is
broken when one side is present and the other is not; an *exclusive pair* when both are.
A side that divides by zero cannot be computed: the rule is not checked there.
"""

from __future__ import annotations

import ast
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, When
from django.utils.translation import gettext as _

from pilotage.core.audit import CREATE, DELETE, UPDATE, audit_record, diff, snapshot
from pilotage.core.scope import scope_of
from pilotage.indicators.audit import VALIDATION_RUN
from pilotage.indicators.models import (
    DataValue,
    Importance,
    MissingValues,
    Operator,
    ValidationRule,
    ValidationViolation,
)
from pilotage.indicators.permissions import can_manage_catalogue, can_run_validation
from pilotage.indicators.roles import VIEW_INDICATORS
from pilotage.orgunits.models import OrgUnit, Period

OPERAND = re.compile(r"#\{\s*([A-Za-z0-9_-]+)(?:\.([A-Za-z0-9_-]+))?\s*\}")
_PLACEHOLDER = "_op{}_"
_PLACEHOLDER_RE = re.compile(r"_op\d+_")
_SIGNS = str.maketrans({"×": "*", "÷": "/", "−": "-"})
_BINARY = (ast.Add, ast.Sub, ast.Mult, ast.Div)
_UNARY = (ast.UAdd, ast.USub)
# Above this many units, the page runs the rules as a background job.
LARGE_SCOPE = 500


class ExpressionError(ValueError):
    """An expression outside the whitelist, or one that does not parse."""


@dataclass(frozen=True)
class Operand:
    element: str
    option: str | None = None

    def __str__(self) -> str:
        return f"#{{{self.element}.{self.option}}}" if self.option else f"#{{{self.element}}}"


@dataclass(frozen=True)
class Expression:
    text: str
    tree: ast.expr
    names: Mapping[str, Operand]

    @property
    def operands(self) -> tuple[Operand, ...]:
        return tuple(dict.fromkeys(self.names.values()))

    def evaluate(self, values: Mapping[Operand, Decimal | None]) -> Decimal | None:
        """The side's amount, a missing operand counting 0; ``None`` when it divides by
        zero."""
        try:
            return _walk(self.tree, self.names, values)
        except ArithmeticError:
            return None


def _check(node: ast.AST, names: Mapping[str, Operand]) -> None:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise ExpressionError(
                _("Seuls des nombres sont permis, pas %(value)s.")
                % {"value": repr(node.value)[:40]}
            )
    elif isinstance(node, ast.Name):
        if node.id not in names:
            raise ExpressionError(
                _("Nom « %(name)s » refusé : écrivez les éléments de données #{code}.")
                % {"name": node.id[:40]}
            )
    elif isinstance(node, ast.BinOp):
        if not isinstance(node.op, _BINARY):
            raise ExpressionError(_("Seuls + − × ÷ sont permis."))
        _check(node.left, names)
        _check(node.right, names)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, _UNARY):
            raise ExpressionError(_("Seuls + − × ÷ sont permis."))
        _check(node.operand, names)
    elif isinstance(node, ast.Call):
        raise ExpressionError(_("Les appels de fonction ne sont pas permis."))
    elif isinstance(node, ast.Attribute):
        raise ExpressionError(_("Les attributs ne sont pas permis."))
    else:
        raise ExpressionError(
            _("« %(kind)s » n'est pas permis dans une expression.") % {"kind": type(node).__name__}
        )


def parse_expression(text: str) -> Expression:
    """The expression checked against the whitelist, or :class:`ExpressionError`."""
    if not text.strip():
        raise ExpressionError(_("L'expression est vide."))
    if _PLACEHOLDER_RE.search(text):
        raise ExpressionError(_("Écrivez les éléments de données #{code}."))
    names: dict[str, Operand] = {}

    def name_for(match: re.Match[str]) -> str:
        name = _PLACEHOLDER.format(len(names))
        names[name] = Operand(match.group(1), match.group(2))
        return name

    source = OPERAND.sub(name_for, text.translate(_SIGNS))
    if "#" in source:
        raise ExpressionError(_("Opérande mal écrit : utilisez #{code} ou #{code.option}."))
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise ExpressionError(_("L'expression ne se lit pas (parenthèses, opérateurs).")) from exc
    _check(tree.body, names)
    return Expression(text=text, tree=tree.body, names=names)


def _walk(
    node: ast.expr, names: Mapping[str, Operand], values: Mapping[Operand, Decimal | None]
) -> Decimal:
    if isinstance(node, ast.Constant):
        return Decimal(str(node.value))
    if isinstance(node, ast.Name):
        return values.get(names[node.id]) or Decimal(0)
    if isinstance(node, ast.UnaryOp):
        inner = _walk(node.operand, names, values)
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp):
        left, right = _walk(node.left, names, values), _walk(node.right, names, values)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if right == 0:
            raise ZeroDivisionError
        return left / right
    raise ExpressionError(type(node).__name__)  # pragma: no cover - _check refused it


@dataclass(frozen=True)
class Outcome:
    """``violated`` is None when the rule was not checked (missing values, division by
    zero)."""

    violated: bool | None
    left: Decimal | None
    right: Decimal | None


_COMPARE = {
    Operator.EQUAL: lambda a, b: a == b,
    Operator.NOT_EQUAL: lambda a, b: a != b,
    Operator.LESS: lambda a, b: a < b,
    Operator.LESS_EQUAL: lambda a, b: a <= b,
    Operator.GREATER: lambda a, b: a > b,
    Operator.GREATER_EQUAL: lambda a, b: a >= b,
}


def check(
    left: Expression,
    operator: str,
    right: Expression,
    missing_values: str,
    values: Mapping[Operand, Decimal | None],
) -> Outcome:
    """One rule at one unit and period; ``values`` maps each operand to its amount, or to
    None (or nothing) when it has no value."""

    def present(side: Expression) -> bool:
        return any(values.get(op) is not None for op in side.operands)

    if operator in (Operator.COMPULSORY_PAIR, Operator.EXCLUSIVE_PAIR):
        has_left, has_right = present(left), present(right)
        shown_left = left.evaluate(values) if has_left else None
        shown_right = right.evaluate(values) if has_right else None
        if operator == Operator.COMPULSORY_PAIR:
            return Outcome(has_left != has_right, shown_left, shown_right)
        return Outcome(has_left and has_right, shown_left, shown_right)
    operands = left.operands + right.operands
    missing = [op for op in operands if values.get(op) is None]
    if missing_values == MissingValues.SKIP_IF_ANY and missing:
        return Outcome(None, None, None)
    if missing_values == MissingValues.SKIP_IF_ALL and operands and len(missing) == len(operands):
        return Outcome(None, None, None)
    a, b = left.evaluate(values), right.evaluate(values)
    if a is None or b is None:
        return Outcome(None, a, b)
    return Outcome(not _COMPARE[Operator(operator)](a, b), a, b)


# --- Running the rules ---------------------------------------------------------------


@dataclass(frozen=True)
class _Parsed:
    rule: ValidationRule
    left: Expression
    right: Expression

    @property
    def elements(self) -> set[str]:
        return {op.element for op in self.left.operands + self.right.operands}


def _parsed(rules: Iterable[ValidationRule]) -> list[_Parsed]:
    out = []
    for rule in rules:
        try:
            out.append(_Parsed(rule, parse_expression(rule.left), parse_expression(rule.right)))
        except ExpressionError:
            continue  # saved through the services, so parsed once already; never a 500
    return out


_STORED_MAX = Decimal(10) ** 16
_STORED_STEP = Decimal("0.0001")


def _storable(value: Decimal | None) -> Decimal | None:
    """A side's amount as the violation's column holds it (four decimals, sixteen
    digits before the point); an amount beyond is shown as unknown rather than refused."""
    if value is None or not value.is_finite() or abs(value) >= _STORED_MAX:
        return None
    return value.quantize(_STORED_STEP)


def rules_run(*, org_unit: OrgUnit, period: Period, actor: Any = None) -> list[ValidationViolation]:
    """Check every active rule of the period's type at the units of ``org_unit``'s subtree
    and store what they find, replacing the last run's violations there. The aggregate
    import and the data-entry form call it after their transaction commits; the quality
    page calls it through :func:`validation_run`. Queries: rules, values, units of the
    rules' levels, then the writes."""
    rules = _parsed(
        ValidationRule.objects.filter(is_active=True, period_type=period.type).select_related(
            "level"
        )
    )
    codes = set().union(*(p.elements for p in rules)) if rules else set()
    rows = list(
        DataValue.objects.filter(
            period=period, path__startswith=org_unit.path, data_element__code__in=codes
        ).values_list("path", "data_element__code", "category_option__code", "value")
    )
    level_ids = {p.rule.level_id for p in rules if p.rule.level_id}
    units_by_level: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if level_ids:
        for pk, path, level_id in OrgUnit.objects.filter(
            path__startswith=org_unit.path, level_id__in=level_ids, is_active=True
        ).values_list("pk", "path", "level_id"):
            units_by_level[level_id].append((pk, path))
    at_values = set()
    for path, *_rest in rows:
        at_values.add(path)
    ids = dict(OrgUnit.objects.filter(path__in=at_values).values_list("path", "pk"))

    # Σ per (unit prefix, element) and (unit prefix, element, option).
    wanted = {path for units in units_by_level.values() for _pk, path in units} | at_values
    lengths = {len(p) for p in wanted}
    totals: dict[tuple[str, str, str | None], Decimal] = defaultdict(Decimal)
    for path, element, option, value in rows:
        for length in lengths:
            prefix = path[:length]
            if len(path) >= length and prefix in wanted:
                totals[(prefix, element, None)] += value
                totals[(prefix, element, option)] += value

    found: list[ValidationViolation] = []
    for parsed in rules:
        if parsed.rule.level_id:
            targets = units_by_level.get(parsed.rule.level_id, [])
        else:
            targets = [
                (ids[p], p)
                for p in sorted(at_values)
                if any((p, code, None) in totals for code in parsed.elements)
            ]
        for pk, path in targets:
            values = {
                op: totals.get((path, op.element, op.option))
                for op in parsed.left.operands + parsed.right.operands
            }
            outcome = check(
                parsed.left,
                parsed.rule.operator,
                parsed.right,
                parsed.rule.missing_values,
                values,
            )
            if outcome.violated:
                found.append(
                    ValidationViolation(
                        rule=parsed.rule,
                        org_unit_id=pk,
                        path=path,
                        period=period,
                        left_value=_storable(outcome.left),
                        right_value=_storable(outcome.right),
                    )
                )
    with transaction.atomic():
        ValidationViolation.objects.filter(
            period=period,
            path__startswith=org_unit.path,
            rule__period_type=period.type,
        ).delete()
        ValidationViolation.objects.bulk_create(found, batch_size=1000)
        audit_record(
            actor=actor,
            action=VALIDATION_RUN,
            obj=org_unit,
            changes={"period": [None, period.code], "violations": [None, len(found)]},
        )
    return found


def _common_units(paths: set[str]) -> list[OrgUnit]:
    """The deepest unit whose subtree holds every path (one per root when the paths span
    several trees). One query."""
    step = OrgUnit.steplen
    prefix = os.path.commonprefix(sorted(paths))
    prefix = prefix[: len(prefix) // step * step]
    wanted = [prefix] if prefix else sorted({p[:step] for p in paths})
    return list(OrgUnit.objects.filter(path__in=wanted).order_by("path"))


def rules_after_write(*, actor: Any, touched: Iterable[tuple[OrgUnit, Period]]) -> None:
    """Check the rules again once the caller's transaction commits, over what a write
    touched (the data-entry save, the aggregate import): once per period, at the deepest
    unit holding every unit written for that period — a form's own unit, or a whole file's
    common ancestor. Nothing runs for a period type without an active rule (no audit row
    for nothing). A failing run is logged and leaves the committed write alone."""
    by_period: dict[int, tuple[Period, set[str]]] = {}
    for unit, period in touched:
        by_period.setdefault(period.pk, (period, set()))[1].add(unit.path)
    if not by_period:
        return

    def run() -> None:
        types = set(
            ValidationRule.objects.filter(
                is_active=True, period_type__in={p.type for p, _paths in by_period.values()}
            ).values_list("period_type", flat=True)
        )
        for period, paths in by_period.values():
            if period.type in types:
                for unit in _common_units(paths):
                    rules_run(org_unit=unit, period=period, actor=actor)

    transaction.on_commit(run, robust=True)


def validation_run(*, actor: Any, org_unit: OrgUnit, period: Period) -> list[ValidationViolation]:
    """The quality page's "check" button: the same run, for someone who may."""
    if not can_run_validation(actor, org_unit):
        raise PermissionDenied
    return rules_run(org_unit=org_unit, period=period, actor=actor)


# --- Reads ----------------------------------------------------------------------------


def violations_for(actor: Any, *, org_unit: OrgUnit, period: Period) -> Any:
    """The stored violations of the unit's subtree for the period, as the actor may see
    them: one query (rule, unit and period joined)."""
    return (
        ValidationViolation.objects.filter(
            scope_of(actor).q_for(VIEW_INDICATORS),
            period=period,
            path__startswith=org_unit.path,
        )
        .select_related("rule", "org_unit", "period")
        .annotate(
            rank=Case(
                When(rule__importance=Importance.HIGH, then=0),
                When(rule__importance=Importance.MEDIUM, then=1),
                default=2,
            )
        )
        .order_by("rank", "path", "rule__code")
    )


# --- Writes of the rules themselves (the admin calls them) -----------------------------

RULE_FIELDS = (
    "code",
    "name_fr",
    "name_ar",
    "name_en",
    "description",
    "left",
    "operator",
    "right",
    "importance",
    "missing_values",
    "period_type",
    "level",
    "is_active",
)


def _validate(rule: ValidationRule) -> None:
    problems: dict[str, list[str]] = {}
    for side in ("left", "right"):
        try:
            parse_expression(getattr(rule, side))
        except ExpressionError as exc:
            problems[side] = [
                _("« %(value)s » : %(reason)s")
                % {"value": getattr(rule, side)[:60], "reason": str(exc)}
            ]
    if problems:
        raise ValidationError(problems)
    rule.full_clean()


def validation_rule_create(*, actor: Any, **fields: Any) -> ValidationRule:
    if not can_manage_catalogue(actor):
        raise PermissionDenied
    rule = ValidationRule(**{k: v for k, v in fields.items() if k in RULE_FIELDS})
    _validate(rule)
    with transaction.atomic():
        rule.save()
        audit_record(
            actor=actor, action=CREATE, obj=rule, changes=diff({}, snapshot(rule, RULE_FIELDS))
        )
    return rule


def validation_rule_update(*, actor: Any, rule: ValidationRule, **fields: Any) -> ValidationRule:
    if not can_manage_catalogue(actor):
        raise PermissionDenied
    with transaction.atomic():
        rule = ValidationRule.objects.select_for_update().get(pk=rule.pk)
        before = snapshot(rule, RULE_FIELDS)
        changed = [k for k in fields if k in RULE_FIELDS]
        for key in changed:
            setattr(rule, key, fields[key])
        _validate(rule)
        rule.save(update_fields=changed or None)
        audit_record(
            actor=actor, action=UPDATE, obj=rule, changes=diff(before, snapshot(rule, RULE_FIELDS))
        )
    return rule


def validation_rule_delete(*, actor: Any, rule: ValidationRule) -> None:
    if not can_manage_catalogue(actor):
        raise PermissionDenied
    with transaction.atomic():
        audit_record(
            actor=actor, action=DELETE, obj=rule, changes=diff(snapshot(rule, RULE_FIELDS), {})
        )
        rule.delete()


def rules_job(progress: Any, *, unit: str, period: str, actor_id: int | None) -> dict[str, Any]:
    """The job of :func:`validation_run` for a large subtree: the same run, in the
    worker (the page checked the permission before starting it)."""
    from django.contrib.auth import get_user_model

    org_unit = OrgUnit.objects.get(code=unit)
    found_period = Period.objects.get(code=period)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    found = rules_run(org_unit=org_unit, period=found_period, actor=actor)
    progress.total(1)
    progress.advance(1)
    return {"violations": len(found)}
