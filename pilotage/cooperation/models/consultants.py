"""Consultants (national or regional), their contracts with a programme, the deliverables
a contract calls for — submitted in versions, reviewed by the programme team and validated
or rejected — and their periodic activity reports, read and approved the same way."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pilotage.cooperation.models.partners import Partner
from pilotage.cooperation.models.programmes import CURRENCY, Programme
from pilotage.orgunits.models import OrgUnit


class ConsultantScope(models.TextChoices):
    NATIONAL = "national", _("National")
    REGIONAL = "regional", _("Régional")


class Consultant(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="consultant_profile",
        verbose_name=_("compte"),
    )
    scope = models.CharField(_("portée"), max_length=10, choices=ConsultantScope.choices)
    country = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"depth": 1},
        verbose_name=_("pays"),
    )
    expertise = models.CharField(_("expertise"), max_length=300, blank=True)
    partner = models.ForeignKey(
        Partner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultants",
        verbose_name=_("organisation"),
    )

    class Meta:
        ordering = ["user__last_name", "user__username"]
        verbose_name = _("consultant")
        verbose_name_plural = _("consultants")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    @property
    def audit_path(self) -> str:
        return ""


class Contract(models.Model):
    consultant = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("consultant")
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("programme")
    )
    reference = models.CharField(_("référence"), max_length=60, unique=True)
    title = models.CharField(_("objet"), max_length=300)
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"))
    amount = models.DecimalField(_("montant"), max_digits=18, decimal_places=2)
    currency = models.CharField(_("devise"), max_length=3, validators=[CURRENCY])
    terms_of_reference = models.FileField(
        _("termes de référence"), upload_to="cooperation/contracts/", blank=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "reference"]
        verbose_name = _("contrat")
        verbose_name_plural = _("contrats")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="contract_ends_after_start",
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="contract_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def audit_path(self) -> str:
        return ""


class DeliverableStatus(models.TextChoices):
    PENDING = "pending", _("Attendu")
    SUBMITTED = "submitted", _("Remis")
    UNDER_REVIEW = "under_review", _("En cours d'examen")
    VALIDATED = "validated", _("Validé")
    REJECTED = "rejected", _("Rejeté")


class Deliverable(models.Model):
    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="deliverables", verbose_name=_("contrat")
    )
    title = models.CharField(_("intitulé"), max_length=300)
    due_date = models.DateField(_("échéance"))
    status = models.CharField(
        _("statut"),
        max_length=12,
        choices=DeliverableStatus.choices,
        default=DeliverableStatus.PENDING,
    )
    version = models.PositiveIntegerField(_("version de la fiche"), default=1)

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("livrable")
        verbose_name_plural = _("livrables")

    def __str__(self) -> str:
        return self.title

    @property
    def audit_path(self) -> str:
        return ""


class DeliverableVersion(models.Model):
    deliverable = models.ForeignKey(
        Deliverable, on_delete=models.CASCADE, related_name="versions", verbose_name=_("livrable")
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("fichier"), upload_to="cooperation/deliverables/")
    name = models.CharField(_("nom du fichier"), max_length=200)
    size = models.PositiveBigIntegerField(_("taille"))
    content_type = models.CharField(_("type"), max_length=120)
    note = models.TextField(_("note"), blank=True)
    submitted_at = models.DateTimeField(_("remis le"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("remis par"),
    )

    class Meta:
        ordering = ["deliverable", "-number"]
        verbose_name = _("version d'un livrable")
        verbose_name_plural = _("versions des livrables")
        constraints = [
            models.UniqueConstraint(
                fields=["deliverable", "number"], name="deliverable_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.deliverable_id} v{self.number}"


class ReviewDecision(models.TextChoices):
    COMMENT = "comment", _("Commentaire")
    VALIDATE = "validate", _("Validation")
    REJECT = "reject", _("Rejet")


class Review(models.Model):
    version = models.ForeignKey(
        DeliverableVersion, on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("décision"), max_length=10, choices=ReviewDecision.choices)
    comment = models.TextField(_("commentaire"), blank=True)
    at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("examen d'un livrable")
        verbose_name_plural = _("examens des livrables")

    def __str__(self) -> str:
        return f"{self.version_id} {self.decision}"


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Remis")
    APPROVED = "approved", _("Approuvé")
    RETURNED = "returned", _("Renvoyé")


class ActivityReport(models.Model):
    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="reports", verbose_name=_("contrat")
    )
    period_start = models.DateField(_("du"))
    period_end = models.DateField(_("au"))
    text = models.TextField(_("rapport"))
    file = models.FileField(_("pièce jointe"), upload_to="cooperation/reports/", blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("remis le"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lu par"),
    )
    reviewed_at = models.DateTimeField(_("lu le"), null=True, blank=True)
    review_comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        ordering = ["-period_start", "pk"]
        verbose_name = _("rapport d'activité")
        verbose_name_plural = _("rapports d'activité")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="activity_report_period_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.period_start}–{self.period_end}"

    @property
    def audit_path(self) -> str:
        return ""
