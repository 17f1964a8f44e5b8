"""Aggregate data: what schools and offices report as totals (classrooms, toilets, textbooks
received, trainings held…), in the manner of DHIS2.

A *data element* is one figure, broken down by the options of its *category combination*
(one list of options: "Total", or "Filles / Garçons", or "Bon / Moyen / Mauvais"). A *data
set* groups data elements that one level of the tree reports for one period type; its
form is filled per org unit and period. A *data value* is one cell. Approval works per data
set × org unit × period: approved data is locked for the unit and its subtree.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pilotage.core.i18n import MultilingualName
from pilotage.orgunits.models import OrgUnit, OrgUnitLevel, Period, PeriodType


class CategoryCombo(MultilingualName):
    code = models.SlugField(_("code"), max_length=40, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("combinaison de catégories")
        verbose_name_plural = _("combinaisons de catégories")


class CategoryOption(MultilingualName):
    combo = models.ForeignKey(
        CategoryCombo,
        on_delete=models.CASCADE,
        related_name="options",
        verbose_name=_("combinaison"),
    )
    code = models.SlugField(_("code"), max_length=40)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["combo", "order", "code"]
        verbose_name = _("option de catégorie")
        verbose_name_plural = _("options de catégorie")
        constraints = [
            models.UniqueConstraint(fields=["combo", "code"], name="category_option_code")
        ]


class ValueType(models.TextChoices):
    INTEGER = "integer", _("Nombre entier positif ou nul")
    NUMBER = "number", _("Nombre")
    PERCENTAGE = "percentage", _("Pourcentage")
    BOOLEAN = "boolean", _("Oui / non")


class DataElement(MultilingualName):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    value_type = models.CharField(
        _("type de valeur"), max_length=12, choices=ValueType.choices, default=ValueType.INTEGER
    )
    combo = models.ForeignKey(
        CategoryCombo, on_delete=models.PROTECT, related_name="+", verbose_name=_("catégories")
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("élément de données")
        verbose_name_plural = _("éléments de données")


class DataSet(MultilingualName):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    period_type = models.CharField(_("périodicité"), max_length=16, choices=PeriodType.choices)
    level = models.ForeignKey(
        OrgUnitLevel,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("niveau qui saisit"),
    )
    elements = models.ManyToManyField(
        DataElement, related_name="data_sets", verbose_name=_("éléments de données")
    )
    # A form received within this many days after the end of its period is on time.
    timely_days = models.PositiveSmallIntegerField(_("délai de saisie (jours)"), default=15)

    class Meta:
        ordering = ["code"]
        verbose_name = _("ensemble de données")
        verbose_name_plural = _("ensembles de données")


class DataValue(models.Model):
    data_element = models.ForeignKey(
        DataElement, on_delete=models.PROTECT, related_name="values", verbose_name=_("élément")
    )
    category_option = models.ForeignKey(
        CategoryOption, on_delete=models.PROTECT, related_name="+", verbose_name=_("option")
    )
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unité")
    )
    path = models.CharField(_("chemin"), max_length=255)
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="+", verbose_name=_("période")
    )
    value = models.DecimalField(_("valeur"), max_digits=16, decimal_places=4)
    comment = models.CharField(_("commentaire"), max_length=300, blank=True)
    stored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("saisie par"),
    )
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    # Concurrent edits of one cell: the form sends the version it read.
    version = models.PositiveIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("valeur de données")
        verbose_name_plural = _("valeurs de données")
        constraints = [
            models.UniqueConstraint(
                fields=["data_element", "category_option", "org_unit", "period"],
                name="data_value_cell",
            )
        ]
        indexes = [models.Index(fields=["period", "path"], name="data_value_period_path")]

    def __str__(self) -> str:
        return f"{self.data_element_id} {self.org_unit_id} {self.period_id} = {self.value}"

    @property
    def audit_path(self) -> str:
        return self.path


class DataApproval(models.Model):
    """The data of a data set for a unit's subtree and a period, approved at that unit's
    level. Approval goes bottom-up (school → province → region → country); un-approving a
    unit sends its data back to the level below."""

    data_set = models.ForeignKey(
        DataSet, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("ensemble")
    )
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unité")
    )
    path = models.CharField(_("chemin"), max_length=255)
    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="+", verbose_name=_("période")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approuvée par"),
    )
    approved_at = models.DateTimeField(_("approuvée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("approbation de données")
        verbose_name_plural = _("approbations de données")
        constraints = [
            models.UniqueConstraint(
                fields=["data_set", "org_unit", "period"], name="data_approval_once"
            ),
            models.CheckConstraint(condition=~Q(path=""), name="data_approval_path"),
        ]

    def __str__(self) -> str:
        return f"{self.data_set_id} {self.org_unit_id} {self.period_id}"

    @property
    def audit_path(self) -> str:
        return self.path
