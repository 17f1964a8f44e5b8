"""The opportunity pipeline: funding being prospected, from identified to signed or dropped
(the ``partners`` part builds its pages and the funnel)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from pilotage.cooperation.models.partners import Partner
from pilotage.cooperation.models.programmes import CURRENCY, PERCENT, TitledModel


class Stage(models.TextChoices):
    IDENTIFIED = "identified", _("Identifiée")
    PROPOSAL = "proposal", _("Proposition")
    NEGOTIATION = "negotiation", _("Négociation")
    SIGNED = "signed", _("Signée")
    DROPPED = "dropped", _("Abandonnée")


class Opportunity(TitledModel):
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        related_name="opportunities",
        verbose_name=_("partenaire"),
    )
    stage = models.CharField(
        _("étape"), max_length=12, choices=Stage.choices, default=Stage.IDENTIFIED
    )
    expected_amount = models.DecimalField(
        _("montant attendu"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("devise"), max_length=3, validators=[CURRENCY], default="EUR")
    probability = models.DecimalField(
        _("probabilité (%)"), max_digits=5, decimal_places=2, default=0, validators=PERCENT
    )
    expected_year = models.PositiveSmallIntegerField(_("année de signature attendue"))
    next_step = models.CharField(_("prochaine étape"), max_length=300, blank=True)
    next_step_on = models.DateField(_("date de la prochaine étape"), null=True, blank=True)
    # Where it came from: typed in, or read from a donor's published IATI file.
    iati_identifier = models.CharField(_("identifiant IATI"), max_length=150, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        ordering = ["expected_year", "stage"]
        verbose_name = _("opportunité")
        verbose_name_plural = _("opportunités")

    @property
    def audit_path(self) -> str:
        return ""
