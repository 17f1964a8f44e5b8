"""Data quality, in the manner of DHIS2: validation rules over aggregate data and the
violations they found, and the date each data set's form was first received (for
timeliness). Approval itself is ``aggregates.DataApproval``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from pilotage.core.i18n import MultilingualName
from pilotage.indicators.models.aggregates import DataSet
from pilotage.orgunits.models import OrgUnit, OrgUnitLevel, Period, PeriodType


class Operator(models.TextChoices):
    EQUAL = "==", _("égal à")
    NOT_EQUAL = "!=", _("différent de")
    LESS = "<", _("inférieur à")
    LESS_EQUAL = "<=", _("inférieur ou égal à")
    GREATER = ">", _("supérieur à")
    GREATER_EQUAL = ">=", _("supérieur ou égal à")
    COMPULSORY_PAIR = "compulsory_pair", _("paire obligatoire")
    EXCLUSIVE_PAIR = "exclusive_pair", _("paire exclusive")


class Importance(models.TextChoices):
    HIGH = "high", _("Haute")
    MEDIUM = "medium", _("Moyenne")
    LOW = "low", _("Basse")


class MissingValues(models.TextChoices):
    SKIP_IF_ANY = "skip_if_any", _("Ignorer si une valeur manque")
    SKIP_IF_ALL = "skip_if_all", _("Ignorer si toutes les valeurs manquent")
    NEVER_SKIP = "never_skip", _("Ne jamais ignorer (valeur manquante = 0)")


class ValidationRule(MultilingualName):
    """``left operator right``, each side an expression over data elements (``#{code}``,
    ``#{code.option}``) summed over a unit's subtree for one period (see
    ``indicators/quality/rules.py``)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    description = models.TextField(_("description"), blank=True)
    left = models.CharField(_("côté gauche"), max_length=500)
    operator = models.CharField(_("opérateur"), max_length=16, choices=Operator.choices)
    right = models.CharField(_("côté droit"), max_length=500)
    importance = models.CharField(
        _("importance"), max_length=8, choices=Importance.choices, default=Importance.MEDIUM
    )
    missing_values = models.CharField(
        _("valeurs manquantes"),
        max_length=12,
        choices=MissingValues.choices,
        default=MissingValues.SKIP_IF_ANY,
    )
    period_type = models.CharField(_("périodicité"), max_length=16, choices=PeriodType.choices)
    # Where the rule is checked: every unit of this level (its subtree's sums); without a
    # level, every unit that holds a value of the rule's elements (where data is entered).
    level = models.ForeignKey(
        OrgUnitLevel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("niveau de contrôle"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("règle de validation")
        verbose_name_plural = _("règles de validation")


class ValidationViolation(models.Model):
    """One rule broken at one unit for one period, as the last run found it."""

    rule = models.ForeignKey(
        ValidationRule,
        on_delete=models.CASCADE,
        related_name="violations",
        verbose_name=_("règle"),
    )
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unité")
    )
    path = models.CharField(_("chemin"), max_length=255)
    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="+", verbose_name=_("période")
    )
    left_value = models.DecimalField(
        _("valeur gauche"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    right_value = models.DecimalField(
        _("valeur droite"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    found_at = models.DateTimeField(_("constatée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("violation de règle")
        verbose_name_plural = _("violations de règles")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "org_unit", "period"], name="validation_violation_once"
            )
        ]
        indexes = [models.Index(fields=["period", "path"], name="violation_period_path")]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.org_unit_id} {self.period_id}"

    @property
    def audit_path(self) -> str:
        return self.path


class DataSetReport(models.Model):
    """When a data set's form for a unit and period was first received: the first save of
    the data-entry form or the import that brought its first value."""

    data_set = models.ForeignKey(
        DataSet, on_delete=models.CASCADE, related_name="reports", verbose_name=_("ensemble")
    )
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unité")
    )
    path = models.CharField(_("chemin"), max_length=255)
    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="+", verbose_name=_("période")
    )
    received_at = models.DateTimeField(_("reçu le"))

    class Meta:
        verbose_name = _("formulaire reçu")
        verbose_name_plural = _("formulaires reçus")
        constraints = [
            models.UniqueConstraint(
                fields=["data_set", "org_unit", "period"], name="data_set_report_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.data_set_id} {self.org_unit_id} {self.period_id}"

    @property
    def audit_path(self) -> str:
        return self.path
