"""Reading the money, scoped to the reader (``permissions.finance_projects_q``): the rate
table, budgets, plan revisions and their comparison, transactions, and the reports, which
read the aggregate (``FinanceFact``) and convert it with one ``Rates`` load.

Burn rate and forecast (said in the report page too):

- burn rate = expenditure / budget (both to date, in the reporting currency);
- monthly burn = expenditure / months elapsed since the start (at least one);
- forecast to end = expenditure + monthly burn × months remaining until the end (a
  straight line: the pace so far, kept up).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from pilotage.cooperation.models import (
    BUDGET_KIND,
    Budget,
    ExchangeRate,
    FinanceCountryFact,
    FinanceFact,
    FinanceVersion,
    PlanRevision,
    Programme,
    Project,
    Transaction,
    TransactionType,
)
from pilotage.cooperation.money import Rates, RateUsed, round_money
from pilotage.cooperation.permissions import (
    finance_projects_q,
    is_finance,
    programmes_q,
    runs_all,
)

KINDS = (
    BUDGET_KIND,
    TransactionType.INCOMING_COMMITMENT.value,
    TransactionType.INCOMING_FUNDS.value,
    TransactionType.OUTGOING_COMMITMENT.value,
    TransactionType.DISBURSEMENT.value,
    TransactionType.EXPENDITURE.value,
)
GROUP_BY = ("project", "partner", "country", "year")
ZERO = Decimal(0)


def finance_projects(actor: Any) -> QuerySet[Project]:
    return Project.objects.filter(finance_projects_q(actor)).distinct()


def finance_programmes(actor: Any) -> QuerySet[Programme]:
    """Programmes with at least one project whose money the reader sees."""
    return Programme.objects.filter(
        programmes_q(actor), pk__in=finance_projects(actor).values("programme")
    ).distinct()


def finance_project_get(actor: Any, pk: int) -> Project:
    project = finance_projects(actor).select_related("programme", "country").filter(pk=pk).first()
    if project is None:
        raise Http404
    return project


def rates_list() -> QuerySet[ExchangeRate]:
    return ExchangeRate.objects.order_by("currency", "-valid_from")


def project_budgets(project: Project) -> QuerySet[Budget]:
    return project.budgets.prefetch_related("lines").order_by("period_start", "type")


def project_revisions(project: Project) -> QuerySet[PlanRevision]:
    return project.plan_revisions.select_related("created_by").order_by("-number")


@dataclass
class ComparedPeriod:
    period_start: dt.date
    currency: str
    before: Decimal
    after: Decimal

    @property
    def difference(self) -> Decimal:
        return self.after - self.before


def revisions_compare(before: PlanRevision, after: PlanRevision) -> list[ComparedPeriod]:
    """Per period (start × currency): the amount planned in each revision and the change.
    Two queries."""
    rows: dict[tuple[dt.date, str], ComparedPeriod] = {}
    for side, revision in (("before", before), ("after", after)):
        for period, currency, amount in (
            revision.disbursements.order_by()
            .values_list("period_start", "currency")
            .annotate(total=Sum("amount"))
        ):
            row = rows.setdefault((period, currency), ComparedPeriod(period, currency, ZERO, ZERO))
            setattr(row, side, getattr(row, side) + amount)
    return [rows[k] for k in sorted(rows)]


def transactions_list(
    actor: Any,
    *,
    project: Project | None = None,
    programme: Programme | None = None,
    type: str = "",
    currency: str = "",
    year: int | None = None,
) -> QuerySet[Transaction]:
    qs = Transaction.objects.filter(project__in=finance_projects(actor).values("pk"))
    if project is not None:
        qs = qs.filter(project=project)
    if programme is not None:
        qs = qs.filter(project__programme=programme)
    if type:
        qs = qs.filter(type=type)
    if currency:
        qs = qs.filter(currency=currency)
    if year:
        qs = qs.filter(value_date__year=year)
    return qs.select_related("project", "provider", "receiver", "budget_line").order_by(
        "-value_date", "-pk"
    )


# --- Reports ----------------------------------------------------------------------------------


def _months_between(start: dt.date, end: dt.date) -> int:
    return max(0, (end.year - start.year) * 12 + end.month - start.month + 1)


@dataclass
class ReportRow:
    key: Any
    label: str
    amounts: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(KINDS, ZERO))
    start: dt.date | None = None
    end: dt.date | None = None
    today: dt.date | None = None

    def __getattr__(self, name: str) -> Any:
        names = {
            "budget": BUDGET_KIND,
            "incoming_commitment": TransactionType.INCOMING_COMMITMENT.value,
            "incoming_funds": TransactionType.INCOMING_FUNDS.value,
            "commitment": TransactionType.OUTGOING_COMMITMENT.value,
            "disbursement": TransactionType.DISBURSEMENT.value,
            "expenditure": TransactionType.EXPENDITURE.value,
        }
        if name in names:
            return self.amounts[names[name]]
        raise AttributeError(name)

    @property
    def burn_rate(self) -> Decimal | None:
        """Expenditure / budget, as a percentage (None without a budget)."""
        budget = self.amounts[BUDGET_KIND]
        if not budget:
            return None
        return (self.amounts[TransactionType.EXPENDITURE.value] * 100 / budget).quantize(
            Decimal("0.1")
        )

    @property
    def months_elapsed(self) -> int:
        if self.start is None or self.today is None:
            return 0
        return max(1, _months_between(self.start, min(self.today, self.end or self.today)))

    @property
    def months_remaining(self) -> int:
        if self.end is None or self.today is None or self.today >= self.end:
            return 0
        return _months_between(self.today, self.end) - 1

    @property
    def monthly_burn(self) -> Decimal:
        months = self.months_elapsed
        spent = self.amounts[TransactionType.EXPENDITURE.value]
        return round_money(spent / months) if months else ZERO

    @property
    def forecast(self) -> Decimal:
        return round_money(
            self.amounts[TransactionType.EXPENDITURE.value]
            + self.monthly_burn * self.months_remaining
        )


@dataclass
class Report:
    currency: str
    group_by: str
    rows: list[ReportRow]
    total: ReportRow
    rates_used: list[RateUsed]
    today: dt.date


def _convert_facts(
    facts: Iterable[tuple[Any, int, int, str, str, Decimal]], currency: str, rates: Rates
) -> dict[Any, dict[str, Decimal]]:
    """``(key, year, month, kind, fact currency, amount)`` → per key and kind, the sum in
    ``currency`` at the rates of each month's first day (unrounded)."""
    factors: dict[tuple[str, int, int], Decimal] = {}
    out: dict[Any, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(KINDS, ZERO))
    for key, year, month, kind, fact_currency, amount in facts:
        f = factors.get((fact_currency, year, month))
        if f is None:
            f = factors[(fact_currency, year, month)] = rates.factor(
                fact_currency, currency, dt.date(year, month, 1)
            )
        out[key][kind] += amount * f
    return out


def _facts(projects: QuerySet[Project], *, year: int | None, until: dt.date | None) -> Any:
    qs = FinanceFact.objects.filter(project__in=projects.values("pk"))
    if year:
        qs = qs.filter(year=year)
    if until is not None:
        qs = qs.filter(Q(year__lt=until.year) | Q(year=until.year, month__lte=until.month))
    return qs


def finance_report(
    actor: Any,
    *,
    currency: str,
    group_by: str = "project",
    programme: Programme | None = None,
    year: int | None = None,
    today: dt.date | None = None,
) -> Report:
    """Budget, incoming commitment, incoming funds, commitment, disbursement, expenditure in
    ``currency`` per project, partner (the programme's lead partner), country or year, with
    the burn rate and a linear forecast to the end. Three queries: the projects, the rates,
    the facts grouped per project, month, kind and currency."""
    if group_by not in GROUP_BY:
        raise ValueError(group_by)
    today = today or timezone.localdate()
    projects = finance_projects(actor)
    if programme is not None:
        projects = projects.filter(programme=programme)
    info = {
        p.pk: p
        for p in projects.select_related("programme__lead_partner", "country").order_by("code")
    }
    rates = Rates.load()
    facts = (
        _facts(projects, year=year, until=None)
        .order_by()
        .values_list("project_id", "year", "month", "kind", "currency")
        .annotate(total=Sum("amount"))
    )
    per_project = _convert_facts(facts, currency, rates)

    def group_of(p: Project) -> tuple[Any, str]:
        if group_by == "project":
            return p.pk, f"{p.code} — {p.title}"
        if group_by == "country":
            return (p.country_id, p.country.name if p.country else "—")
        if group_by == "partner":
            lead = p.programme.lead_partner
            return (lead.pk if lead else None, lead.name if lead else "—")
        raise AssertionError

    rows: dict[Any, ReportRow] = {}
    total = ReportRow(key=None, label="", today=today)
    if group_by == "year":
        by_year: dict[Any, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(KINDS, ZERO))
        yearly = _convert_facts(
            (((pk, y), y, m, k, c, a) for pk, y, m, k, c, a in facts), currency, rates
        )
        for (_pk, y), amounts in yearly.items():
            for kind, value in amounts.items():
                by_year[y][kind] += value
        for y in sorted(by_year):
            rows[y] = ReportRow(
                key=y,
                label=str(y),
                amounts=by_year[y],
                start=dt.date(y, 1, 1),
                end=dt.date(y, 12, 31),
                today=today,
            )
    else:
        for pk, project in info.items():
            key, label = group_of(project)
            row = rows.setdefault(key, ReportRow(key=key, label=label, today=today))
            row.start = min(filter(None, [row.start, project.start_date]))
            row.end = max(filter(None, [row.end, project.end_date]))
            for kind, value in per_project.get(pk, {}).items():
                row.amounts[kind] += value
    for row in rows.values():
        for kind in KINDS:
            row.amounts[kind] = round_money(row.amounts[kind])
            total.amounts[kind] += row.amounts[kind]
    starts = [p.start_date for p in info.values()]
    ends = [p.end_date for p in info.values()]
    total.start = min(starts) if starts else None
    total.end = max(ends) if ends else None
    ordered = sorted(rows.values(), key=lambda r: str(r.key) if group_by == "year" else r.label)
    return Report(currency, group_by, ordered, total, rates.used, today)


@dataclass
class Dashboard:
    currency: str
    years: list[int]
    per_year: dict[int, dict[str, Decimal]]
    countries: list[tuple[str, dict[str, Decimal]]]
    total: dict[str, Decimal]
    rates_used: list[RateUsed]
    programmes: int


@dataclass
class DashboardSums:
    """What the cache keeps: the converted sums per (year, country key), unrounded, and the
    rates applied."""

    sums: dict[tuple[int, int], dict[str, Decimal]]
    rates_used: list[RateUsed]


def _dashboard_source(actor: Any, *, everything: bool) -> QuerySet[Any]:
    """The facts the reader's dashboard sums: for a reader who sees every programme the
    per-country facts (their size does not grow with the projects), else the project
    facts of their reach. Values: year, country key, month, kind, currency, amount."""
    if everything:
        return FinanceCountryFact.objects.order_by().annotate(c=F("country_key"))
    return (
        FinanceFact.objects.filter(project__in=finance_projects(actor).values("pk"))
        .order_by()
        .annotate(c=Coalesce(F("project__country_id"), Value(0)))
    )


def _dashboard_sums_python(source: QuerySet[Any], currency: str, rates: Rates) -> DashboardSums:
    """The reference conversion (and the one on SQLite, whose decimals are floats): the
    facts summed per year, month, country, kind and currency in the database, each sum
    multiplied by its month's factor in Python. One query."""
    facts = source.values_list("year", "c", "year", "month", "kind", "currency").annotate(
        total=Sum("amount")
    )
    converted = _convert_facts(
        (((y, c), y2, m, k, cur, a) for y, c, y2, m, k, cur, a in facts), currency, rates
    )
    return DashboardSums(dict(converted), rates.used)


def _dashboard_sums_sql(source: QuerySet[Any], currency: str, rates: Rates) -> DashboardSums:
    """The same sums converted in PostgreSQL. Two queries:

    1. the (currency, year, month) present in the facts (at most currencies × months
       rows), whose factors to ``currency`` Python computes with ``Rates.factor`` exactly
       as the reference does (so the rates used and a missing rate are the same);
    2. the facts joined with that factor table (passed as arrays, ``unnest``), summed per
       year, country and kind: ``SUM(amount × factor)`` in ``numeric``.

    Exactness: PostgreSQL's ``numeric`` product and sum are exact; Python's rounds each
    product and partial sum to 28 significant digits. Both are rounded once, at the end,
    half to even to the cent (``round_money``): they differ only if a sum falls within
    10⁻¹⁵ of a half cent (not seen; the tests compare them on a worked example)."""
    present = source.values_list("currency", "year", "month").distinct()
    curs: list[str] = []
    years: list[int] = []
    months: list[int] = []
    factors: list[Decimal] = []
    for cur, y, m in present:
        curs.append(cur)
        years.append(y)
        months.append(m)
        factors.append(rates.factor(cur, currency, dt.date(y, m, 1)))
    if not curs:
        return DashboardSums({}, rates.used)
    inner, params = source.values_list(
        "year", "c", "month", "kind", "currency", "amount"
    ).query.sql_with_params()
    sql = (
        "SELECT s.y, s.c, s.k, SUM(s.a * f.factor) "  # noqa: S608 - SQL built by the ORM
        f"FROM ({inner}) AS s (y, c, m, k, cur, a) "
        "JOIN unnest(%s::text[], %s::int[], %s::int[], %s::numeric[]) AS f (cur, y, m, factor) "
        "ON f.cur = s.cur AND f.y = s.y AND f.m = s.m "
        "GROUP BY s.y, s.c, s.k"
    )
    sums: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(
        lambda: dict.fromkeys(KINDS, ZERO)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, curs, years, months, factors])
        for y, c, k, total in cursor.fetchall():
            sums[(y, c)][k] += total
    return DashboardSums(dict(sums), rates.used)


def dashboard_sums(actor: Any, *, currency: str, everything: bool) -> DashboardSums:
    """The converted sums (uncached): on PostgreSQL converted in SQL, elsewhere in
    Python. Three queries on PostgreSQL (rates, months present, sums), two elsewhere."""
    source = _dashboard_source(actor, everything=everything)
    rates = Rates.load()
    if connection.vendor == "postgresql":
        return _dashboard_sums_sql(source, currency, rates)
    return _dashboard_sums_python(source, currency, rates)


def finance_version() -> int:
    """The finance version (``FinanceVersion``, raised by every write to the facts or the
    rates). One query."""
    return FinanceVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 0


def portfolio_dashboard(actor: Any, *, currency: str) -> Dashboard:
    """Totals per year and per country of every programme the reader sees, in ``currency``.

    A reader who sees every programme (who runs all, the finance officers) reads the
    converted sums from the cache, under the key (reporting currency, finance version):
    three queries when cached (the version, the countries' names, the programmes count),
    five on PostgreSQL when not (plus the rates, the months present, the converted sums;
    four on SQLite). The cache is Django's (per process if the local-memory one): the
    version, read first and raised in the same transaction as every fact or rate write,
    makes a stale copy unreachable in every process. Other readers (their reach depends on
    their roles, which the version does not follow) are not cached: their project facts
    are converted the same way, five queries on PostgreSQL."""
    everything = runs_all(actor) or is_finance(actor)
    if everything:
        key = f"coop:portfolio:{finance_version()}:{currency}"
        data = cache.get(key)
        if data is None:
            data = dashboard_sums(actor, currency=currency, everything=True)
            cache.set(key, data, timeout=24 * 3600)
    else:
        data = dashboard_sums(actor, currency=currency, everything=False)
    per_year: dict[int, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(KINDS, ZERO))
    per_country: dict[Any, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(KINDS, ZERO))
    total = dict.fromkeys(KINDS, ZERO)
    for (y, country), amounts in data.sums.items():
        for kind, value in amounts.items():
            per_year[y][kind] += value
            per_country[country][kind] += value
            total[kind] += value

    def rounded(d: dict[str, Decimal]) -> dict[str, Decimal]:
        return {k: round_money(v) for k, v in d.items()}

    from pilotage.orgunits.models import OrgUnit

    names = dict(
        OrgUnit.objects.filter(pk__in=[c for c in per_country if c]).values_list("pk", "name_fr")
    )
    countries = sorted(
        ((names.get(c, "—"), rounded(v)) for c, v in per_country.items()), key=lambda t: t[0]
    )
    return Dashboard(
        currency=currency,
        years=sorted(per_year),
        per_year={y: rounded(per_year[y]) for y in sorted(per_year)},
        countries=countries,
        total=rounded(total),
        rates_used=data.rates_used,
        programmes=finance_programmes(actor).count(),
    )


@dataclass
class FinanceSummary:
    """A programme's money until a date, for the monthly report."""

    programme: Programme
    currency: str
    until: dt.date
    rows: list[ReportRow]
    total: ReportRow
    rates_used: list[RateUsed]


def programme_finance_summary(
    programme: Programme, *, currency: str, until: dt.date
) -> FinanceSummary:
    """Per project of the programme (and in total): budget, commitments, disbursements and
    expenditure in ``currency`` up to the month of ``until`` inclusive, burn rate and
    forecast as of ``until``. Not scoped to a reader: the caller (the monthly report) has
    checked who reads it. Three queries."""
    projects = Project.objects.filter(programme=programme).select_related("country")
    info = {p.pk: p for p in projects.order_by("code")}
    rates = Rates.load()
    facts = (
        _facts(projects, year=None, until=until)
        .order_by()
        .values_list("project_id", "year", "month", "kind", "currency")
        .annotate(total=Sum("amount"))
    )
    per_project = _convert_facts(facts, currency, rates)
    rows = []
    total = ReportRow(key=None, label="", today=until)
    for pk, project in info.items():
        row = ReportRow(
            key=pk,
            label=f"{project.code} — {project.title}",
            start=project.start_date,
            end=project.end_date,
            today=until,
        )
        for kind, value in per_project.get(pk, {}).items():
            row.amounts[kind] = round_money(value)
            total.amounts[kind] += row.amounts[kind]
        rows.append(row)
    total.start = programme.start_date
    total.end = programme.end_date
    return FinanceSummary(programme, currency, until, rows, total, rates.used)
