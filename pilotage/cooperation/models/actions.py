"""Partner actions, "who does what where": what every partner does in each country, in
which regions, on which topic and for whom, kept up to date by the partners themselves.
Coordination is the point, so every reader of the cooperation pages sees every partner's
actions; who may change one is in ``permissions.py``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from pilotage.cooperation.models.partners import Partner
from pilotage.cooperation.models.programmes import CURRENCY, Programme
from pilotage.orgunits.models import OrgUnit


class ActionTopic(models.TextChoices):
    ACCESS = "access", _("Accès à l'école")
    QUALITY = "quality", _("Qualité des apprentissages")
    TEACHER_TRAINING = "teacher_training", _("Formation des enseignants")
    DIGITAL = "digital", _("Apprentissage numérique")
    GIRLS = "girls", _("Éducation des filles")
    INCLUSION = "inclusion", _("Inclusion et handicap")
    SCHOOL_FEEDING = "school_feeding", _("Cantines scolaires")
    GOVERNANCE = "governance", _("Gouvernance et pilotage")
    EMERGENCIES = "emergencies", _("Éducation en situation d'urgence")
    OTHER = "other", _("Autre")


class BeneficiaryType(models.TextChoices):
    PUPILS = "pupils", _("Élèves")
    TEACHERS = "teachers", _("Enseignants")
    SCHOOLS = "schools", _("Établissements")
    COMMUNITIES = "communities", _("Communautés")
    PARENTS = "parents", _("Parents")
    OFFICIALS = "officials", _("Cadres de l'administration")
    OTHER = "other", _("Autres")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Prévue")
    ONGOING = "ongoing", _("En cours")
    COMPLETED = "completed", _("Terminée")


class PartnerAction(models.Model):
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="actions", verbose_name=_("partenaire")
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partner_actions",
        verbose_name=_("programme"),
    )
    country = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="partner_actions",
        limit_choices_to={"depth": 1},
        verbose_name=_("pays"),
    )
    # First-level subdivisions (regions) of the country; none: the whole country.
    subdivisions = models.ManyToManyField(
        OrgUnit,
        blank=True,
        related_name="partner_actions_in",
        verbose_name=_("régions"),
    )
    # The partner's own reference for the action: the key a re-imported file is matched
    # on (else partner + title + country + start).
    external_ref = models.CharField(_("référence"), max_length=60, blank=True)
    title = models.CharField(_("intitulé"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    topic = models.CharField(_("thème"), max_length=20, choices=ActionTopic.choices)
    keywords = models.CharField(_("mots-clés"), max_length=300, blank=True)
    beneficiary_type = models.CharField(
        _("bénéficiaires"), max_length=20, choices=BeneficiaryType.choices
    )
    planned = models.PositiveIntegerField(_("bénéficiaires prévus"), null=True, blank=True)
    planned_female = models.PositiveIntegerField(
        _("dont filles / femmes (prévu)"), null=True, blank=True
    )
    reached = models.PositiveIntegerField(_("bénéficiaires atteints"), null=True, blank=True)
    reached_female = models.PositiveIntegerField(
        _("dont filles / femmes (atteint)"), null=True, blank=True
    )
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"), null=True, blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    budget_amount = models.DecimalField(
        _("budget"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    budget_currency = models.CharField(_("devise"), max_length=3, blank=True, validators=[CURRENCY])
    contact_name = models.CharField(_("contact"), max_length=200, blank=True)
    contact_email = models.EmailField(_("e-mail du contact"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("mis à jour par"),
    )
    updated_at = models.DateTimeField(_("mis à jour le"))
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["country__code", "partner__code", "start_date", "pk"]
        verbose_name = _("action d'un partenaire")
        verbose_name_plural = _("actions des partenaires")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="partner_action_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["partner", "external_ref"],
                condition=~models.Q(external_ref=""),
                name="partner_action_unique_ref",
            ),
        ]
        indexes = [models.Index(fields=["country", "topic"], name="partner_action_country")]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_path(self) -> str:
        return ""

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.country_id and self.country.depth != 1:
            errors["country"] = _("Choisissez un pays (une racine de l'arbre).")
        for total, part in (("planned", "planned_female"), ("reached", "reached_female")):
            whole, share = getattr(self, total), getattr(self, part)
            if share is not None and (whole is None or share > whole):
                errors[part] = _("Ne peut pas dépasser le total des bénéficiaires.")
        if self.budget_amount is not None:
            if self.budget_amount < 0:
                errors["budget_amount"] = _("Un budget ne peut pas être négatif.")
            if not self.budget_currency:
                errors["budget_currency"] = _("Précisez la devise du budget (ISO 4217).")
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = _("La fin précède le début.")
        if errors:
            raise ValidationError(errors)
