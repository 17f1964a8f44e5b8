"""The results framework (logframe) of a programme: impact → outcome → output nodes. Its
indicators, targets and reported updates hang from these nodes (``results`` part)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from pilotage.cooperation.models.programmes import Programme, TitledModel


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
