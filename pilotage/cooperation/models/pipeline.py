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


# The open stages in funnel order; signed and dropped are final (the head may reopen).
FUNNEL = (Stage.IDENTIFIED, Stage.PROPOSAL, Stage.NEGOTIATION, Stage.SIGNED)
OPEN_STAGES = (Stage.IDENTIFIED, Stage.PROPOSAL, Stage.NEGOTIATION)
FINAL_STAGES = (Stage.SIGNED, Stage.DROPPED)


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
    # The furthest funnel stage it ever reached (a dropped one keeps where it got to), so
    # the funnel counts conversions without replaying the audit log.
    stage_reached = models.CharField(
        _("étape la plus avancée"),
        max_length=12,
        choices=Stage.choices,
        default=Stage.IDENTIFIED,
        editable=False,
    )
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
        constraints = [
            models.CheckConstraint(
                condition=models.Q(probability__gte=0, probability__lte=100),
                name="opportunity_probability_percent",
            ),
            models.CheckConstraint(
                condition=models.Q(expected_amount__isnull=True) | models.Q(expected_amount__gte=0),
                name="opportunity_amount_not_negative",
            ),
        ]

    @property
    def audit_path(self) -> str:
        return ""
