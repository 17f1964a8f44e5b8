"""Educational resources: a bank of documents, videos and lessons, their print runs per
country and the distributions of each run to regions and schools (where there is no
connection, the printed copy is the resource)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pilotage.cooperation.models.programmes import Programme, TitledModel
from pilotage.orgunits.models import OrgUnit


class ResourceKind(models.TextChoices):
    DOCUMENT = "document", _("Document")
    VIDEO = "video", _("Vidéo")
    LESSON = "lesson", _("Leçon")
    OTHER = "other", _("Autre")


class ResourceLevel(models.TextChoices):
    PRIMARY = "primary", _("Primaire")
    LOWER_SECONDARY = "lower_secondary", _("Secondaire collégial")
    UPPER_SECONDARY = "upper_secondary", _("Secondaire qualifiant")
    TEACHER_TRAINING = "teacher_training", _("Formation des enseignants")


class Licence(models.TextChoices):
    CC_BY = "CC-BY", "CC BY"
    CC_BY_SA = "CC-BY-SA", "CC BY-SA"
    CC_BY_NC = "CC-BY-NC", "CC BY-NC"
    CC_BY_NC_SA = "CC-BY-NC-SA", "CC BY-NC-SA"
    PUBLIC_DOMAIN = "PD", _("Domaine public")
    ALL_RIGHTS = "ARR", _("Tous droits réservés")


class EducationalResource(TitledModel):
    kind = models.CharField(_("type"), max_length=10, choices=ResourceKind.choices)
    level = models.CharField(_("niveau"), max_length=20, choices=ResourceLevel.choices)
    subject = models.CharField(_("matière"), max_length=100)
    # ISO 639-1, checked against pycountry by the service.
    language = models.CharField(_("langue"), max_length=2)
    licence = models.CharField(_("licence"), max_length=12, choices=Licence.choices)
    file = models.FileField(_("fichier"), upload_to="cooperation/resources/", blank=True)
    content_type = models.CharField(_("type de contenu"), max_length=100, blank=True)
    url = models.URLField(_("adresse externe"), blank=True)
    programme = models.ForeignKey(
        Programme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("programme"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        ordering = ["title_fr", "pk"]
        verbose_name = _("ressource éducative")
        verbose_name_plural = _("ressources éducatives")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(file="") | ~models.Q(url=""),
                name="resource_has_file_or_url",
            )
        ]

    @property
    def audit_path(self) -> str:
        return ""


class PrintRun(models.Model):
    resource = models.ForeignKey(
        EducationalResource,
        on_delete=models.PROTECT,
        related_name="print_runs",
        verbose_name=_("ressource"),
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="print_runs",
        verbose_name=_("programme"),
    )
    country = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"depth": 1},
        verbose_name=_("pays"),
    )
    subdivision = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("subdivision"),
    )
    planned = models.PositiveIntegerField(_("prévus"), default=0)
    printed = models.PositiveIntegerField(_("imprimés"), default=0)
    delivered = models.PositiveIntegerField(_("livrés"), default=0)
    confirmed = models.PositiveIntegerField(_("réception confirmée"), default=0)
    ordered_on = models.DateField(_("commandé le"), null=True, blank=True)
    printed_on = models.DateField(_("imprimé le"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        ordering = ["country__code", "-pk"]
        verbose_name = _("tirage")
        verbose_name_plural = _("tirages")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(delivered__lte=models.F("printed")),
                name="print_run_delivered_le_printed",
                violation_error_message=_(
                    "On ne livre pas plus d'exemplaires que ce qui a été imprimé."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(confirmed__lte=models.F("delivered")),
                name="print_run_confirmed_le_delivered",
                violation_error_message=_(
                    "La réception confirmée ne dépasse pas les exemplaires livrés."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} · {self.country_id} · {self.printed}"

    @property
    def audit_path(self) -> str:
        return (self.subdivision or self.country).path


class Distribution(models.Model):
    print_run = models.ForeignKey(
        PrintRun,
        on_delete=models.CASCADE,
        related_name="distributions",
        verbose_name=_("tirage"),
    )
    destination = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("destination")
    )
    quantity = models.PositiveIntegerField(_("quantité livrée"))
    delivered_on = models.DateField(_("livré le"))
    confirmed_quantity = models.PositiveIntegerField(
        _("quantité reçue (confirmée)"), null=True, blank=True
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmé par"),
    )
    confirmed_on = models.DateField(_("confirmé le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        ordering = ["-delivered_on", "pk"]
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(confirmed_quantity__isnull=True)
                | models.Q(confirmed_quantity__lte=models.F("quantity")),
                name="distribution_confirmed_le_quantity",
                violation_error_message=_(
                    "La réception confirmée ne dépasse pas la quantité livrée."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.print_run_id} → {self.destination_id} · {self.quantity}"

    @property
    def audit_path(self) -> str:
        return self.destination.path
