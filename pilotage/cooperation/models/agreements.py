"""Agreements (conventions, accords, protocoles) and their parties with IATI roles. The
documents, obligations, reminders and amendments hang from these (``agreements`` part)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from pilotage.cooperation.models.codes import OrganisationRole
from pilotage.cooperation.models.partners import Partner
from pilotage.cooperation.models.programmes import CURRENCY, Programme, TitledModel


class AgreementKind(models.TextChoices):
    CONVENTION = "convention", _("Convention")
    AGREEMENT = "accord", _("Accord")
    PROTOCOL = "protocole", _("Protocole")
    MOU = "mou", _("Mémorandum d'entente")


class Agreement(TitledModel):
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("programme"),
    )
    reference = models.CharField(_("référence"), max_length=60, unique=True)
    kind = models.CharField(_("nature"), max_length=12, choices=AgreementKind.choices)
    signed_on = models.DateField(_("signée le"), null=True, blank=True)
    effective_on = models.DateField(_("entrée en vigueur"), null=True, blank=True)
    ends_on = models.DateField(_("fin"), null=True, blank=True)
    amount = models.DecimalField(
        _("montant"), null=True, blank=True, max_digits=18, decimal_places=2
    )
    currency = models.CharField(_("devise"), max_length=3, validators=[CURRENCY], default="EUR")
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        ordering = ["-signed_on", "reference"]
        verbose_name = _("accord")
        verbose_name_plural = _("accords")

    @property
    def audit_path(self) -> str:
        return ""


class AgreementParty(models.Model):
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="parties", verbose_name=_("accord")
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="agreement_parts", verbose_name=_("partie")
    )
    role = models.CharField(_("rôle"), max_length=1, choices=OrganisationRole.choices)

    class Meta:
        verbose_name = _("partie à l'accord")
        verbose_name_plural = _("parties à l'accord")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "partner", "role"], name="agreement_party_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} · {self.get_role_display()}"

    @property
    def audit_path(self) -> str:
        return ""
