"""Writing the money: exchange rates, budgets and their lines, plan revisions and their
planned disbursements, transactions. Each write checks the permission, runs in one
transaction, is audited, and keeps the aggregate table (``FinanceFact``) in step in the
same transaction, set-based for imports.

Rules chosen here:

- a budget covers at most a year (IATI: "budget periods should not exceed one year"), and
  two budgets of the same type of a project do not overlap;
- the lines of a budget add up to **at most** the budget's amount (a budget may keep an
  unallocated remainder while its lines are being written);
- only the latest plan revision is edited; a new revision starts as a copy of the latest.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils.translation import gettext as _

from pilotage.cooperation.models import (
    BUDGET_KIND,
    Budget,
    BudgetLine,
    ExchangeRate,
    FinanceCountryFact,
    FinanceFact,
    FinanceVersion,
    Partner,
    PlannedDisbursement,
    PlanRevision,
    Project,
    Transaction,
)
from pilotage.cooperation.money import currency_check
from pilotage.cooperation.permissions import can_manage_finance, can_manage_rates
from pilotage.cooperation.services.common import locked, version_check
from pilotage.core.audit import CREATE, IMPORT, UPDATE, audit_record, diff, snapshot

FactKey = tuple[int, int, int, str, str]

# --- The aggregate ----------------------------------------------------------------------------


def _fact_key(project_id: int, kind: str, currency: str, on: dt.date) -> FactKey:
    return (project_id, on.year, on.month, kind, currency)


def _upsert(table: str, key: str, items: list[tuple[FactKey, Decimal]]) -> None:
    with connection.cursor() as cursor:
        for start in range(0, len(items), 500):
            chunk = items[start : start + 500]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
            params: list[Any] = []
            for (first, year, month, kind, currency), amount in chunk:
                params += [first, year, month, kind, currency, str(amount)]
            cursor.execute(
                f"INSERT INTO {table} ({key}, year, month, kind, currency, amount) "  # noqa: S608 - names from the models
                f"VALUES {values} ON CONFLICT ({key}, year, month, kind, currency) "
                f"DO UPDATE SET amount = {table}.amount + excluded.amount",
                params,
            )


def finance_version_bump() -> None:
    """Raise the finance version (``FinanceVersion``), in the caller's transaction: the
    cached dashboards computed before are no longer read. The row is locked until the
    transaction ends, so finance writes follow one another (they already meet on the
    country facts)."""
    if not FinanceVersion.objects.filter(pk=1).update(number=F("number") + 1):
        FinanceVersion.objects.create(pk=1, number=1)


def facts_add(deltas: dict[FactKey, Decimal]) -> None:
    """Add each delta to its fact and to its country's (creating them), one statement per
    500 keys: ``INSERT … ON CONFLICT DO UPDATE SET amount = amount + excluded.amount``
    (PostgreSQL and SQLite both have it), so two writers on the same fact add up instead
    of overwriting."""
    items = [(k, v) for k, v in deltas.items() if v]
    if not items:
        return
    finance_version_bump()
    _upsert(FinanceFact._meta.db_table, "project_id", items)
    countries = dict(
        Project.objects.filter(pk__in={k[0] for k, _v in items}).values_list("pk", "country_id")
    )
    per_country: dict[FactKey, Decimal] = defaultdict(Decimal)
    for (project_id, year, month, kind, currency), amount in items:
        per_country[(countries.get(project_id) or 0, year, month, kind, currency)] += amount
    _upsert(FinanceCountryFact._meta.db_table, "country_key", list(per_country.items()))


def _budget_key(budget: Budget) -> FactKey:
    return (
        budget.project_id,
        budget.period_start.year,
        budget.value_date.month,
        BUDGET_KIND,
        budget.currency,
    )


@transaction.atomic
def finance_facts_rebuild() -> int:
    """Recompute the whole aggregate from the transactions and budgets in SQL (three
    ``INSERT … SELECT``: the project facts, then the country facts from them); for the
    demo, the bench and a repair. Returns the project facts count."""
    finance_version_bump()
    FinanceFact.objects.all().delete()
    table = FinanceFact._meta.db_table
    txs = (
        Transaction.objects.order_by()
        .values("project_id")
        .annotate(
            y=ExtractYear("value_date"),
            m=ExtractMonth("value_date"),
            k=F("type"),
            c=F("currency"),
        )
        .values("project_id", "y", "m", "k", "c")
        .annotate(total=Sum("amount"))
    )
    budgets = (
        Budget.objects.order_by()
        .values("project_id")
        .annotate(y=ExtractYear("period_start"), m=ExtractMonth("value_date"), c=F("currency"))
        .values("project_id", "y", "m", "c")
        .annotate(total=Sum("amount"))
    )
    with connection.cursor() as cursor:
        sql, params = txs.query.sql_with_params()
        cursor.execute(
            f"INSERT INTO {table} (project_id, year, month, kind, currency, amount) {sql}",  # noqa: S608 - SQL built by the ORM
            params,
        )
        sql, params = budgets.query.sql_with_params()
        cursor.execute(
            f"INSERT INTO {table} (project_id, year, month, currency, amount, kind) "  # noqa: S608 - SQL built by the ORM
            f"SELECT *, %s FROM ({sql}) AS b",
            [BUDGET_KIND, *params],
        )
    country_table = FinanceCountryFact._meta.db_table
    project_table = Project._meta.db_table
    with connection.cursor() as cursor:
        FinanceCountryFact.objects.all().delete()
        cursor.execute(
            f"INSERT INTO {country_table} (country_key, year, month, kind, currency, amount) "  # noqa: S608 - names from the models
            f"SELECT COALESCE(p.country_id, 0), f.year, f.month, f.kind, f.currency, "
            f"SUM(f.amount) FROM {table} f JOIN {project_table} p ON p.id = f.project_id "
            f"GROUP BY COALESCE(p.country_id, 0), f.year, f.month, f.kind, f.currency"
        )
    return FinanceFact.objects.count()


# --- Exchange rates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RateRow:
    currency: str
    valid_from: dt.date
    units_per_eur: Decimal
    source: str = ""


def _rate_check(row: RateRow) -> RateRow:
    currency = currency_check(row.currency)
    if currency in ("EUR", "XOF", "XAF"):
        raise ValidationError(
            {
                "currency": _("%(code)s a un taux fixe, intégré : pas de saisie.")
                % {"code": currency}
            }
        )
    if row.units_per_eur <= 0:
        raise ValidationError({"units_per_eur": _("Un taux est strictement positif.")})
    return RateRow(currency, row.valid_from, row.units_per_eur, row.source.strip()[:100])


@transaction.atomic
def rates_save(*, actor: Any, rows: Sequence[RateRow], action: str = CREATE) -> dict[str, int]:
    """Create or update the rates (currency × valid_from is the key); a row identical to the
    stored one changes nothing. Returns created / updated / unchanged."""
    if not can_manage_rates(actor):
        raise PermissionDenied
    checked = [_rate_check(r) for r in rows]
    stored = {
        (r.currency, r.valid_from): r
        for r in ExchangeRate.objects.select_for_update().filter(
            currency__in={r.currency for r in checked}
        )
    }
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    finance_version_bump()
    for row in checked:
        found = stored.get((row.currency, row.valid_from))
        if found is None:
            rate = ExchangeRate(
                currency=row.currency,
                valid_from=row.valid_from,
                units_per_eur=row.units_per_eur,
                source=row.source,
            )
            rate.full_clean()
            rate.save()
            stored[(row.currency, row.valid_from)] = rate
            counts["created"] += 1
            audit_record(
                actor=actor,
                action=action,
                obj=rate,
                changes=diff({}, snapshot(rate, ("currency", "valid_from", "units_per_eur"))),
            )
        elif found.units_per_eur != row.units_per_eur or found.source != row.source:
            before = snapshot(found, ("units_per_eur", "source"))
            found.units_per_eur = row.units_per_eur
            found.source = row.source
            found.save(update_fields=["units_per_eur", "source"])
            counts["updated"] += 1
            audit_record(
                actor=actor,
                action=UPDATE if action == CREATE else action,
                obj=found,
                changes=diff(before, snapshot(found, ("units_per_eur", "source"))),
            )
        else:
            counts["unchanged"] += 1
    return counts


# --- Budgets ----------------------------------------------------------------------------------

BUDGET_FIELDS = ("type", "status", "period_start", "period_end", "amount", "currency", "value_date")


def _one_year_at_most(start: dt.date, end: dt.date) -> None:
    try:
        limit = start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        limit = start.replace(year=start.year + 1, day=28)
    if end >= limit:
        raise ValidationError(
            {
                "period_end": _(
                    "La période du %(start)s au %(end)s dépasse un an : un budget couvre une "
                    "année au plus (découpez-le en budgets annuels)."
                )
                % {"start": start.strftime("%d/%m/%Y"), "end": end.strftime("%d/%m/%Y")}
            }
        )


def _budget_check(budget: Budget) -> None:
    budget.currency = currency_check(budget.currency)
    if budget.period_end < budget.period_start:
        raise ValidationError({"period_end": _("La fin précède le début.")})
    _one_year_at_most(budget.period_start, budget.period_end)
    overlap = (
        Budget.objects.filter(
            project_id=budget.project_id,
            type=budget.type,
            period_start__lte=budget.period_end,
            period_end__gte=budget.period_start,
        )
        .exclude(pk=budget.pk)
        .first()
    )
    if overlap is not None:
        raise ValidationError(
            {
                "period_start": _(
                    "Ce projet a déjà un budget %(type)s du %(start)s au %(end)s qui chevauche "
                    "cette période."
                )
                % {
                    "type": overlap.get_type_display().lower(),
                    "start": overlap.period_start.strftime("%d/%m/%Y"),
                    "end": overlap.period_end.strftime("%d/%m/%Y"),
                }
            }
        )
    budget.full_clean()


@transaction.atomic
def budget_create(*, actor: Any, project: Project, **fields: Any) -> Budget:
    unknown = set(fields) - set(BUDGET_FIELDS)
    if unknown:
        raise TypeError(f"budget_create cannot set {', '.join(sorted(unknown))}")
    project = locked(Project, project)
    if not can_manage_finance(actor, project.programme):
        raise PermissionDenied
    fields.setdefault("value_date", fields.get("period_start"))
    budget = Budget(project=project, **fields)
    _budget_check(budget)
    budget.save()
    facts_add({_budget_key(budget): budget.amount})
    audit_record(
        actor=actor, action=CREATE, obj=budget, changes=diff({}, snapshot(budget, BUDGET_FIELDS))
    )
    return budget


@transaction.atomic
def budget_update(
    *, actor: Any, budget: Budget | int, version: int | None, **changes: Any
) -> Budget:
    unknown = set(changes) - set(BUDGET_FIELDS)
    if unknown:
        raise TypeError(f"budget_update cannot change {', '.join(sorted(unknown))}")
    stored = locked(Budget, budget)
    if not can_manage_finance(actor, stored.project.programme):
        raise PermissionDenied
    version_check(stored, version)
    before = snapshot(stored, BUDGET_FIELDS)
    old_key, old_amount = _budget_key(stored), stored.amount
    for name, value in changes.items():
        setattr(stored, name, value)
    _budget_check(stored)
    lines = stored.lines.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    if lines > stored.amount:
        raise ValidationError(
            {
                "amount": _("Les lignes totalisent %(lines)s, plus que ce montant.")
                % {"lines": lines}
            }
        )
    delta = diff(before, snapshot(stored, BUDGET_FIELDS))
    if not delta:
        return stored
    stored.version += 1
    stored.save(update_fields=[*changes, "version"])
    deltas: dict[FactKey, Decimal] = defaultdict(Decimal)
    deltas[old_key] -= old_amount
    deltas[_budget_key(stored)] += stored.amount
    facts_add(deltas)
    audit_record(actor=actor, action=UPDATE, obj=stored, changes=delta)
    return stored


@transaction.atomic
def budget_line_save(
    *, actor: Any, budget: Budget | int, code: str, label: str, amount: Decimal
) -> BudgetLine:
    """Create or change the line ``code`` of the budget; the lines stay within the budget."""
    stored = locked(Budget, budget)
    if not can_manage_finance(actor, stored.project.programme):
        raise PermissionDenied
    line = stored.lines.filter(code=code).first() or BudgetLine(budget=stored, code=code)
    before = snapshot(line, ("label", "amount")) if line.pk else {}
    line.label = label
    line.amount = amount
    line.full_clean()
    others = stored.lines.exclude(pk=line.pk).aggregate(total=Sum("amount"))["total"] or 0
    if others + amount > stored.amount:
        raise ValidationError(
            {
                "amount": _(
                    "Les lignes totaliseraient %(total)s %(currency)s, plus que le budget "
                    "(%(budget)s %(currency)s)."
                )
                % {"total": others + amount, "budget": stored.amount, "currency": stored.currency}
            }
        )
    line.save()
    changes = diff(before, snapshot(line, ("label", "amount")))
    if changes:
        audit_record(actor=actor, action=UPDATE if before else CREATE, obj=line, changes=changes)
    return line


# --- The cash-flow plan -----------------------------------------------------------------------


@transaction.atomic
def plan_revision_create(*, actor: Any, project: Project, note: str = "") -> PlanRevision:
    """A new revision, starting as a copy of the latest one's planned disbursements."""
    project = locked(Project, project)
    if not can_manage_finance(actor, project.programme):
        raise PermissionDenied
    latest = project.plan_revisions.order_by("-number").first()
    revision = PlanRevision.objects.create(
        project=project,
        number=(latest.number + 1) if latest else 1,
        note=note,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if latest is not None:
        PlannedDisbursement.objects.bulk_create(
            PlannedDisbursement(
                revision=revision,
                period_start=d.period_start,
                period_end=d.period_end,
                amount=d.amount,
                currency=d.currency,
                value_date=d.value_date,
                budget_line_id=d.budget_line_id,
            )
            for d in latest.disbursements.all()
        )
    audit_record(
        actor=actor, action=CREATE, obj=revision, changes={"number": [None, revision.number]}
    )
    return revision


@dataclass(frozen=True)
class PlannedRow:
    period_start: dt.date
    period_end: dt.date
    amount: Decimal
    currency: str


@transaction.atomic
def planned_disbursements_set(
    *, actor: Any, revision: PlanRevision, rows: Sequence[PlannedRow]
) -> PlanRevision:
    """Replace the planned disbursements of the latest revision (earlier ones are kept as
    they were: they are the history the comparison reads)."""
    project = locked(Project, revision.project_id)
    if not can_manage_finance(actor, project.programme):
        raise PermissionDenied
    latest = project.plan_revisions.order_by("-number").first()
    if latest is None or latest.pk != revision.pk:
        raise ValidationError(
            _("La révision %(number)s est figée : seule la dernière se modifie.")
            % {"number": revision.number}
        )
    made = []
    for i, row in enumerate(rows, start=1):
        item = PlannedDisbursement(
            revision=revision,
            period_start=row.period_start,
            period_end=row.period_end,
            amount=row.amount,
            currency=currency_check(row.currency),
            value_date=row.period_start,
        )
        try:
            item.full_clean(exclude=["revision"])
        except ValidationError as exc:
            raise ValidationError(
                _("Ligne %(row)s : %(reason)s") % {"row": i, "reason": " ".join(exc.messages)}
            ) from exc
        made.append(item)
    before = [f"{d.period_start} {d.amount} {d.currency}" for d in revision.disbursements.all()]
    revision.disbursements.all().delete()
    PlannedDisbursement.objects.bulk_create(made)
    after = [f"{d.period_start} {d.amount} {d.currency}" for d in made]
    if before != after:
        audit_record(
            actor=actor, action=UPDATE, obj=revision, changes={"disbursements": [before, after]}
        )
    return revision


# --- Transactions -----------------------------------------------------------------------------

TRANSACTION_FIELDS = (
    "type",
    "transaction_date",
    "value_date",
    "amount",
    "currency",
    "description",
    "provider",
    "receiver",
    "budget_line",
    "reference",
)


def _transaction_check(tx: Transaction) -> None:
    tx.currency = currency_check(tx.currency)
    line = tx.budget_line
    if line is not None and line.budget.project_id != tx.project_id:
        raise ValidationError({"budget_line": _("Cette ligne est celle d'un autre projet.")})
    tx.full_clean(exclude=["created_by"])


@transaction.atomic
def transaction_create(*, actor: Any, project: Project, **fields: Any) -> Transaction:
    unknown = set(fields) - set(TRANSACTION_FIELDS)
    if unknown:
        raise TypeError(f"transaction_create cannot set {', '.join(sorted(unknown))}")
    if not can_manage_finance(actor, project.programme):
        raise PermissionDenied
    fields.setdefault("value_date", fields.get("transaction_date"))
    tx = Transaction(
        project=project,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )
    _transaction_check(tx)
    tx.save()
    facts_add({_fact_key(project.pk, tx.type, tx.currency, tx.value_date): tx.amount})
    audit_record(
        actor=actor,
        action=CREATE,
        obj=tx,
        changes=diff({}, snapshot(tx, ("type", "value_date", "amount", "currency"))),
    )
    return tx


@dataclass(frozen=True)
class TransactionRow:
    project: Project
    reference: str
    type: str
    transaction_date: dt.date
    value_date: dt.date
    amount: Decimal
    currency: str
    description: str = ""
    provider: Partner | None = None
    receiver: Partner | None = None


@transaction.atomic
def transactions_import_apply(
    *, actor: Any, rows: Iterable[TransactionRow], source: str = ""
) -> dict[str, int]:
    """Set-based: the rows whose (project, reference) is new are inserted in batches, the
    others left as they are (a re-import changes nothing); the aggregate gets one upsert
    per 500 keys; one audit entry per project."""
    rows = list(rows)
    programmes = {r.project.programme_id: r.project.programme for r in rows}
    if any(not can_manage_finance(actor, p) for p in programmes.values()):
        raise PermissionDenied
    existing = set(
        Transaction.objects.filter(
            project__in={r.project.pk for r in rows}, reference__in={r.reference for r in rows}
        ).values_list("project_id", "reference")
    )
    created_by = actor if getattr(actor, "is_authenticated", False) else None
    new = [r for r in rows if (r.project.pk, r.reference) not in existing]
    Transaction.objects.bulk_create(
        (
            Transaction(
                project=r.project,
                reference=r.reference,
                type=r.type,
                transaction_date=r.transaction_date,
                value_date=r.value_date,
                amount=r.amount,
                currency=r.currency,
                description=r.description,
                provider=r.provider,
                receiver=r.receiver,
                created_by=created_by,
            )
            for r in new
        ),
        batch_size=2000,
    )
    deltas: dict[FactKey, Decimal] = defaultdict(Decimal)
    per_project: dict[int, int] = defaultdict(int)
    for r in new:
        deltas[_fact_key(r.project.pk, r.type, r.currency, r.value_date)] += r.amount
        per_project[r.project.pk] += 1
    facts_add(deltas)
    projects = {r.project.pk: r.project for r in new}
    for pk, count in per_project.items():
        audit_record(
            actor=actor,
            action=IMPORT,
            obj=projects[pk],
            changes={"transactions_created": [None, count], "file": [None, source[:200]]},
        )
    return {"created": len(new), "updated": 0, "unchanged": len(rows) - len(new)}
