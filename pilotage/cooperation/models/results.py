"""The results framework (logframe) of a programme: impact → outcome → output nodes. Its
indicators, targets and reported updates hang from these nodes (``results`` part)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pilotage.cooperation.models.programmes import Programme, Project, TitledModel
from pilotage.orgunits.models import OrgUnit


class ResultLevel(models.TextChoices):
    IMPACT = "impact", _("Impact")
    OUTCOME = "outcome", _("Effet")
    OUTPUT = "output", _("Produit")


# A node's parent is one level up: an outcome under an impact, an output under an outcome.
PARENT_LEVEL = {ResultLevel.OUTCOME: ResultLevel.IMPACT, ResultLevel.OUTPUT: ResultLevel.OUTCOME}


class ResultNode(TitledModel):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="results", verbose_name=_("programme")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("résultat parent"),
    )
    level = models.CharField(_("niveau"), max_length=10, choices=ResultLevel.choices)
    # "1", "1.2", "1.2.3": the logframe's own numbering, shown and sorted as such.
    code = models.CharField(_("numéro"), max_length=20)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["programme", "code"]
        verbose_name = _("résultat")
        verbose_name_plural = _("cadre de résultats")
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="result_code_once")
        ]

    @property
    def audit_path(self) -> str:
        return ""


class Measure(models.TextChoices):
    UNIT = "unit", _("Nombre (unités)")
    PERCENTAGE = "percentage", _("Pourcentage (numérateur / dénominateur)")
    QUALITATIVE = "qualitative", _("Qualitatif")


class Aggregation(models.TextChoices):
    """How an indicator's values combine across periods or across locations (see
    ``results_rollup.py``). A percentage always combines as Σ numerator / Σ denominator
    across locations, whatever is chosen: the mean of two rates is not the rate of the
    whole."""

    SUM = "sum", _("Somme")
    AVERAGE = "average", _("Moyenne")
    MAXIMUM = "maximum", _("Maximum")
    LATEST = "latest", _("Dernière valeur")


class Sex(models.TextChoices):
    FEMALE = "F", _("Filles / femmes")
    MALE = "M", _("Garçons / hommes")


class EducationLevel(models.TextChoices):
    PRESCHOOL = "preschool", _("Préscolaire")
    PRIMARY = "primary", _("Primaire")
    LOWER_SECONDARY = "lower_secondary", _("Secondaire collégial")
    UPPER_SECONDARY = "upper_secondary", _("Secondaire qualifiant")


class Dimension(models.TextChoices):
    SEX = "sex", _("Sexe")
    LEVEL = "level", _("Niveau")


CATEGORIES: dict[str, type[models.TextChoices]] = {
    Dimension.SEX: Sex,
    Dimension.LEVEL: EducationLevel,
}


def _decimal(label: Any) -> models.DecimalField:
    return models.DecimalField(label, max_digits=18, decimal_places=4, null=True, blank=True)


class ResultIndicator(TitledModel):
    """An indicator of a logframe node: what is measured, from which baseline, towards
    which end-of-programme target (entered on its own: never the sum of the period
    targets, which may overlap or be cumulative), and how its values roll up."""

    node = models.ForeignKey(
        ResultNode, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("résultat")
    )
    code = models.CharField(_("numéro"), max_length=30)
    measure = models.CharField(_("mesure"), max_length=12, choices=Measure.choices)
    unit_label = models.CharField(_("unité"), max_length=60, blank=True)
    baseline_value = _decimal(_("valeur de référence"))
    baseline_date = models.DateField(_("date de la référence"), null=True, blank=True)
    end_target = _decimal(_("cible de fin de programme"))
    end_target_text = models.TextField(_("cible de fin de programme (qualitative)"), blank=True)
    cumulative = models.BooleanField(
        _("cumulatif"),
        default=False,
        help_text=_(
            "Chaque valeur déclarée est déjà le total depuis le début : "
            "on retient la dernière, on ne les additionne pas."
        ),
    )
    period_aggregation = models.CharField(
        _("agrégation entre périodes"),
        max_length=8,
        choices=Aggregation.choices,
        default=Aggregation.SUM,
    )
    location_aggregation = models.CharField(
        _("agrégation entre pays"),
        max_length=8,
        choices=Aggregation.choices,
        default=Aggregation.SUM,
    )
    by_country = models.BooleanField(_("ventilé par pays"), default=True)
    by_sex = models.BooleanField(_("ventilé par sexe"), default=False)
    by_level = models.BooleanField(_("ventilé par niveau"), default=False)
    means_of_verification = models.TextField(_("moyens de vérification"), blank=True)
    catalogue_code = models.CharField(
        _("indicateur du catalogue"),
        max_length=60,
        blank=True,
        help_text=_("Code d'un indicateur du catalogue calculé à partir des données scolaires."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["node__code", "code"]
        verbose_name = _("indicateur de résultat")
        verbose_name_plural = _("indicateurs de résultat")
        constraints = [
            models.UniqueConstraint(fields=["node", "code"], name="result_indicator_code_once"),
            # Σ numerator / Σ denominator is the only roll-up of a percentage across places.
            models.CheckConstraint(
                condition=~models.Q(measure="percentage") | models.Q(location_aggregation="sum"),
                name="result_indicator_percentage_ratio_of_sums",
            ),
        ]

    @property
    def audit_path(self) -> str:
        return ""

    @property
    def programme_id(self) -> int:
        return self.node.programme_id

    @property
    def dimensions(self) -> list[str]:
        return [
            d for d, on in ((Dimension.SEX, self.by_sex), (Dimension.LEVEL, self.by_level)) if on
        ]


class IndicatorTarget(models.Model):
    """A period's target: for one country, or for the whole programme (no country)."""

    indicator = models.ForeignKey(
        ResultIndicator,
        on_delete=models.CASCADE,
        related_name="targets",
        verbose_name=_("indicateur"),
    )
    period_start = models.DateField(_("début de période"))
    period_end = models.DateField(_("fin de période"))
    country = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"depth": 1},
        verbose_name=_("pays"),
    )
    value = _decimal(_("cible"))
    numerator = _decimal(_("numérateur"))
    denominator = _decimal(_("dénominateur"))
    text = models.TextField(_("cible qualitative"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["indicator", "period_start", "country__code"]
        verbose_name = _("cible de période")
        verbose_name_plural = _("cibles de période")
        constraints = [
            # One target per period and country, and one programme-wide (no country): two
            # partial constraints, which SQLite enforces too (it has no NULLS NOT DISTINCT).
            models.UniqueConstraint(
                fields=["indicator", "period_start", "period_end", "country"],
                condition=models.Q(country__isnull=False),
                name="indicator_target_once",
            ),
            models.UniqueConstraint(
                fields=["indicator", "period_start", "period_end"],
                condition=models.Q(country__isnull=True),
                name="indicator_target_once_programme_wide",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="indicator_target_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period_start}–{self.period_end}"

    @property
    def audit_path(self) -> str:
        return self.country.path if self.country is not None else ""


class UpdateStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Soumis")
    RETURNED = "returned", _("Renvoyé pour révision")
    APPROVED = "approved", _("Approuvé")


# Which statuses each transition starts from (services/results.py refuses the others).
EDITABLE_STATUSES = (UpdateStatus.DRAFT, UpdateStatus.RETURNED)


class ResultUpdate(models.Model):
    """What a project reports for an indicator over a period: a total (value, or numerator
    and denominator for a percentage, or a text), and, where the indicator allows it,
    its breakdown by sex or level (``UpdateCell``). Only approved updates count."""

    indicator = models.ForeignKey(
        ResultIndicator,
        on_delete=models.CASCADE,
        related_name="updates",
        verbose_name=_("indicateur"),
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="result_updates", verbose_name=_("projet")
    )
    period_start = models.DateField(_("début de période"))
    period_end = models.DateField(_("fin de période"))
    value = _decimal(_("valeur"))
    numerator = _decimal(_("numérateur"))
    denominator = _decimal(_("dénominateur"))
    text = models.TextField(_("description qualitative"), blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=UpdateStatus.choices, default=UpdateStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("saisi par"),
    )
    created_at = models.DateTimeField(_("saisi le"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("soumis par"),
    )
    submitted_at = models.DateTimeField(_("soumis le"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approuvé par"),
    )
    approved_at = models.DateTimeField(_("approuvé le"), null=True, blank=True)

    class Meta:
        ordering = ["indicator", "period_start", "project__code"]
        verbose_name = _("résultat déclaré")
        verbose_name_plural = _("résultats déclarés")
        constraints = [
            # A returned update is corrected in place: one row per project, indicator, period.
            models.UniqueConstraint(
                fields=["indicator", "project", "period_start", "period_end"],
                name="result_update_once",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="result_update_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} · {self.project_id} · {self.period_start}–{self.period_end}"

    @property
    def audit_path(self) -> str:
        country = self.project.country
        return country.path if country is not None else ""


class UpdateCell(models.Model):
    """One cell of an update's breakdown: girls, boys, primary… Each dimension's cells add
    up to the update's total (checked by the service)."""

    update = models.ForeignKey(
        ResultUpdate, on_delete=models.CASCADE, related_name="cells", verbose_name=_("déclaration")
    )
    dimension = models.CharField(_("ventilation"), max_length=8, choices=Dimension.choices)
    category = models.CharField(_("catégorie"), max_length=20)
    value = _decimal(_("valeur"))
    numerator = _decimal(_("numérateur"))
    denominator = _decimal(_("dénominateur"))

    class Meta:
        ordering = ["update", "dimension", "category"]
        verbose_name = _("cellule de ventilation")
        verbose_name_plural = _("cellules de ventilation")
        constraints = [
            models.UniqueConstraint(
                fields=["update", "dimension", "category"], name="update_cell_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dimension}={self.category}"


class UpdateComment(models.Model):
    update = models.ForeignKey(
        ResultUpdate,
        on_delete=models.CASCADE,
        related_name="comments",
        verbose_name=_("déclaration"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    text = models.TextField(_("commentaire"))
    # What the comment went with: a return, an approval, or a plain remark ("").
    action = models.CharField(_("action"), max_length=10, blank=True)
    at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        ordering = ["update", "at", "pk"]
        verbose_name = _("commentaire")
        verbose_name_plural = _("commentaires")

    def __str__(self) -> str:
        return self.text[:60]
