"""Money: budgets per period (IATI budget, periods of at most a year) and their lines,
planned disbursements (the cash-flow plan, kept revision by revision), transactions, and
the dated exchange-rate table. Every amount is a ``Decimal`` with its ISO 4217 currency and
its value date (the date whose rate converts it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pilotage.cooperation.models.partners import Partner
from pilotage.cooperation.models.programmes import CURRENCY, Project


def iso_currency(value: str) -> None:
    from pilotage.cooperation.money import currency_check

    currency_check(value)


class BudgetType(models.TextChoices):
    """IATI BudgetType."""

    ORIGINAL = "1", _("Initial")
    REVISED = "2", _("Révisé")


class BudgetStatus(models.TextChoices):
    """IATI BudgetStatus."""

    INDICATIVE = "1", _("Indicatif")
    COMMITTED = "2", _("Engagé")


class Budget(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="budgets", verbose_name=_("projet")
    )
    type = models.CharField(
        _("type"), max_length=1, choices=BudgetType.choices, default=BudgetType.ORIGINAL
    )
    status = models.CharField(
        _("statut"), max_length=1, choices=BudgetStatus.choices, default=BudgetStatus.INDICATIVE
    )
    period_start = models.DateField(_("début de période"))
    period_end = models.DateField(_("fin de période"))
    amount = models.DecimalField(_("montant"), max_digits=18, decimal_places=2)
    currency = models.CharField(_("devise"), max_length=3, validators=[CURRENCY, iso_currency])
    value_date = models.DateField(_("date de valeur"))
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["project", "period_start"]
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="budget_period_ends_after_start",
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="budget_not_negative"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.project_id} {self.period_start}–{self.period_end} {self.amount} {self.currency}"
        )

    @property
    def audit_path(self) -> str:
        return self.project.audit_path


class BudgetLine(models.Model):
    """A line of a budget (staff, training, printing, travel…)."""

    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="lines", verbose_name=_("budget")
    )
    code = models.CharField(_("code"), max_length=20)
    label = models.CharField(_("libellé"), max_length=200)
    amount = models.DecimalField(_("montant"), max_digits=18, decimal_places=2)

    class Meta:
        ordering = ["budget", "code"]
        verbose_name = _("ligne budgétaire")
        verbose_name_plural = _("lignes budgétaires")
        constraints = [
            models.UniqueConstraint(fields=["budget", "code"], name="budget_line_code_once"),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="budget_line_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def audit_path(self) -> str:
        return self.budget.audit_path


class TransactionType(models.TextChoices):
    """IATI TransactionType (the five the service records)."""

    INCOMING_FUNDS = "1", _("Fonds reçus")
    OUTGOING_COMMITMENT = "2", _("Engagement")
    DISBURSEMENT = "3", _("Décaissement")
    EXPENDITURE = "4", _("Dépense")
    INCOMING_COMMITMENT = "11", _("Engagement reçu")


class Transaction(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="transactions", verbose_name=_("projet")
    )
    type = models.CharField(_("type"), max_length=2, choices=TransactionType.choices)
    transaction_date = models.DateField(_("date"))
    value_date = models.DateField(_("date de valeur"))
    amount = models.DecimalField(_("montant"), max_digits=18, decimal_places=2)
    currency = models.CharField(_("devise"), max_length=3, validators=[CURRENCY, iso_currency])
    description = models.CharField(_("description"), max_length=300, blank=True)
    provider = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="provided_transactions",
        verbose_name=_("organisation qui verse"),
    )
    receiver = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="received_transactions",
        verbose_name=_("organisation qui reçoit"),
    )
    budget_line = models.ForeignKey(
        BudgetLine,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transactions",
        verbose_name=_("ligne budgétaire"),
    )
    # A reference in the accounting system or the donor's (kept for re-imports).
    reference = models.CharField(_("référence"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("saisie le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saisie par"),
    )

    class Meta:
        ordering = ["project", "transaction_date", "pk"]
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        indexes = [
            models.Index(fields=["project", "type", "value_date"], name="transaction_project_type")
        ]
        constraints = [
            # The reference keys a re-import: the same file twice changes nothing.
            models.UniqueConstraint(
                fields=["project", "reference"],
                condition=~models.Q(reference=""),
                name="transaction_reference_once",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="transaction_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.amount} {self.currency} {self.value_date}"

    @property
    def audit_path(self) -> str:
        return self.project.audit_path


class PlanRevision(models.Model):
    """One revision of a project's cash-flow plan (revised every two weeks); the earlier
    revisions stay, so two can be compared."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="plan_revisions", verbose_name=_("projet")
    )
    number = models.PositiveIntegerField(_("numéro"))
    note = models.TextField(_("motif"), blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créée par"),
    )

    class Meta:
        ordering = ["project", "-number"]
        verbose_name = _("révision du plan de trésorerie")
        verbose_name_plural = _("révisions du plan de trésorerie")
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="plan_revision_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.project_id} r{self.number}"

    @property
    def audit_path(self) -> str:
        return self.project.audit_path


class PlannedDisbursement(models.Model):
    revision = models.ForeignKey(
        PlanRevision,
        on_delete=models.CASCADE,
        related_name="disbursements",
        verbose_name=_("révision"),
    )
    period_start = models.DateField(_("début de période"))
    period_end = models.DateField(_("fin de période"))
    amount = models.DecimalField(_("montant"), max_digits=18, decimal_places=2)
    currency = models.CharField(_("devise"), max_length=3, validators=[CURRENCY, iso_currency])
    value_date = models.DateField(_("date de valeur"))
    budget_line = models.ForeignKey(
        BudgetLine,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="planned_disbursements",
        verbose_name=_("ligne budgétaire"),
    )

    class Meta:
        ordering = ["revision", "period_start"]
        verbose_name = _("décaissement prévu")
        verbose_name_plural = _("décaissements prévus")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="planned_disbursement_period_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_start} {self.amount} {self.currency}"

    @property
    def audit_path(self) -> str:
        return self.revision.audit_path


class ExchangeRate(models.Model):
    """How many units of ``currency`` one euro buys from ``valid_from`` on (until the next
    row of the same currency). The euro is the pivot; XOF and XAF have their fixed parity
    built in (``finance`` module), not rows."""

    currency = models.CharField(_("devise"), max_length=3, validators=[CURRENCY, iso_currency])
    valid_from = models.DateField(_("valable à partir du"))
    units_per_eur = models.DecimalField(_("unités pour 1 EUR"), max_digits=20, decimal_places=8)
    source = models.CharField(_("source"), max_length=100, blank=True)

    class Meta:
        ordering = ["currency", "-valid_from"]
        verbose_name = _("taux de change")
        verbose_name_plural = _("taux de change")
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="rate_once_per_day"),
            models.CheckConstraint(condition=models.Q(units_per_eur__gt=0), name="rate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 EUR = {self.units_per_eur} {self.currency} ({self.valid_from})"

    @property
    def audit_path(self) -> str:
        return ""


BUDGET_KIND = "budget"


class FinanceFact(models.Model):
    """The money of a project summed per month, kind (a transaction type, or ``budget``)
    and currency: kept up to date by the finance services in the same transaction as the
    rows they write, so the reports and the portfolio dashboard never scan transactions.

    ``year``/``month`` are those of the value date (a budget's: of its value date, its
    year being that of its period). A month's sum is converted at the rates in force on
    the first day of that month (a monthly accounting rate, as the European Commission's
    InforEuro): a rate valid from the 1st, as the rate tables of the service are, gives the
    same result as converting each transaction."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="finance_facts", verbose_name=_("projet")
    )
    year = models.PositiveSmallIntegerField(_("année"))
    month = models.PositiveSmallIntegerField(_("mois"))
    kind = models.CharField(_("nature"), max_length=6)
    currency = models.CharField(_("devise"), max_length=3)
    amount = models.DecimalField(_("montant"), max_digits=20, decimal_places=2)

    class Meta:
        verbose_name = _("agrégat financier")
        verbose_name_plural = _("agrégats financiers")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year", "month", "kind", "currency"], name="finance_fact_once"
            )
        ]
        indexes = [models.Index(fields=["year", "kind"], name="finance_fact_year_kind")]

    def __str__(self) -> str:
        return (
            f"{self.project_id} {self.year}-{self.month:02d} {self.kind} "
            f"{self.amount} {self.currency}"
        )


class FinanceCountryFact(models.Model):
    """The same sums without the project: per recipient country (a project's country does
    not change once created), month, kind and currency. The portfolio dashboard of a reader
    who sees every programme reads this table, whose size grows with the years and the
    countries, not with the number of projects. Kept by the same services as
    ``FinanceFact``; ``finance_facts_rebuild`` recomputes it."""

    # The country's OrgUnit pk, 0 for a project without one (a plain number, so that the
    # upsert's conflict target has no NULL).
    country_key = models.PositiveIntegerField(_("pays"))
    year = models.PositiveSmallIntegerField(_("année"))
    month = models.PositiveSmallIntegerField(_("mois"))
    kind = models.CharField(_("nature"), max_length=6)
    currency = models.CharField(_("devise"), max_length=3)
    amount = models.DecimalField(_("montant"), max_digits=22, decimal_places=2)

    class Meta:
        verbose_name = _("agrégat financier par pays")
        verbose_name_plural = _("agrégats financiers par pays")
        constraints = [
            models.UniqueConstraint(
                fields=["country_key", "year", "month", "kind", "currency"],
                name="finance_country_fact_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.country_key} {self.year}-{self.month:02d} {self.kind} {self.amount}"


class FinanceVersion(models.Model):
    """One row: a number the finance services raise in the same transaction as every write
    to the facts (``FinanceFact``, ``FinanceCountryFact``) and to the rates. The portfolio
    dashboard keeps its converted sums in the cache under this number: a write makes every
    process's cached copy unreachable at once (the cache may be per process)."""

    number = models.BigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("version des données financières")
        verbose_name_plural = _("versions des données financières")

    def __str__(self) -> str:
        return str(self.number)
