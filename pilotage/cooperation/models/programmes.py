"""Programmes and their projects: what IATI calls activities (a programme is a level-1
activity, each of its projects a level-2 one; a multi-country programme has a project per
country). Countries, sectors and locations carry percentages that add up to 100."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pilotage.cooperation.models.codes import ActivityStatus
from pilotage.cooperation.models.partners import Partner
from pilotage.orgunits.models import OrgUnit

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
CURRENCY = RegexValidator(r"^[A-Z]{3}$", _("Un code de devise ISO 4217 a trois lettres."))
DAC_CODE = RegexValidator(r"^\d{5}$", _("Un code de secteur CAD a cinq chiffres."))


class TitledModel(models.Model):
    """Titles in French, Arabic and English: the donor-facing reports are in English."""

    title_fr = models.CharField(_("intitulé (français)"), max_length=300)
    title_ar = models.CharField(_("intitulé (arabe)"), max_length=300, blank=True)
    title_en = models.CharField(_("intitulé (anglais)"), max_length=300, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        lang = (get_language() or "fr")[:2]
        return getattr(self, f"title_{lang}", "") or self.title_fr


class Programme(TitledModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("statut"), max_length=1, choices=ActivityStatus.choices, default=ActivityStatus.PIPELINE
    )
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"))
    default_currency = models.CharField(
        _("devise par défaut"), max_length=3, validators=[CURRENCY], default="EUR"
    )
    lead_partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_programmes",
        verbose_name=_("partenaire chef de file"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="programme_ends_after_start",
            )
        ]

    @property
    def audit_path(self) -> str:
        return ""


class MemberRole(models.TextChoices):
    MANAGER = "manager", _("Chargé de programme")
    FINANCE = "finance", _("Responsable financier")
    OBSERVER = "observer", _("Observateur")


class ProgrammeMember(models.Model):
    """Who runs a programme: the programme team (the country coordinators reach it through
    their country, partners through their agreements)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="members", verbose_name=_("programme")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="programme_memberships",
        verbose_name=_("personne"),
    )
    role = models.CharField(_("rôle"), max_length=10, choices=MemberRole.choices)

    class Meta:
        verbose_name = _("membre de l'équipe")
        verbose_name_plural = _("équipe du programme")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "user", "role"], name="member_unique_programme_user_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"

    @property
    def audit_path(self) -> str:
        return ""


class ProgrammeCountry(models.Model):
    """A country the programme covers (IATI recipient-country) and its share."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="countries", verbose_name=_("programme")
    )
    country = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="programme_shares",
        limit_choices_to={"depth": 1},
        verbose_name=_("pays"),
    )
    percentage = models.DecimalField(
        _("pourcentage"), max_digits=5, decimal_places=2, validators=PERCENT
    )

    class Meta:
        ordering = ["country__code"]
        verbose_name = _("pays couvert")
        verbose_name_plural = _("pays couverts")
        constraints = [
            models.UniqueConstraint(fields=["programme", "country"], name="programme_country_once"),
            models.CheckConstraint(
                condition=models.Q(percentage__gte=0, percentage__lte=100),
                name="programme_country_percentage_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country_id} {self.percentage} %"

    @property
    def audit_path(self) -> str:
        return self.country.path


class Project(TitledModel):
    """A programme's part in one country (or a regional component, with no country)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="projects", verbose_name=_("programme")
    )
    code = models.SlugField(_("code"), max_length=60, unique=True)
    country = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cooperation_projects",
        limit_choices_to={"depth": 1},
        verbose_name=_("pays"),
    )
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("statut"), max_length=1, choices=ActivityStatus.choices, default=ActivityStatus.PIPELINE
    )
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"))
    default_currency = models.CharField(
        _("devise par défaut"), max_length=3, validators=[CURRENCY], default="EUR"
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        ordering = ["programme__code", "code"]
        verbose_name = _("projet")
        verbose_name_plural = _("projets")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="project_ends_after_start",
            )
        ]

    @property
    def audit_path(self) -> str:
        return self.country.path if self.country is not None else ""


class SectorShare(models.Model):
    """An OECD DAC 5-digit purpose code and its share (IATI sector, vocabulary 1)."""

    code = models.CharField(_("code CAD"), max_length=5, validators=[DAC_CODE])
    percentage = models.DecimalField(
        _("pourcentage"), max_digits=5, decimal_places=2, validators=PERCENT
    )

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.percentage} %"


class ProgrammeSector(SectorShare):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="sectors", verbose_name=_("programme")
    )

    class Meta(SectorShare.Meta):
        verbose_name = _("secteur du programme")
        verbose_name_plural = _("secteurs du programme")
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="programme_sector_once")
        ]


class ProjectSector(SectorShare):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="sectors", verbose_name=_("projet")
    )

    class Meta(SectorShare.Meta):
        verbose_name = _("secteur du projet")
        verbose_name_plural = _("secteurs du projet")
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="project_sector_once")
        ]


class ProjectLocation(models.Model):
    """Where in its country a project works (a region, a province…) and its share."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="locations", verbose_name=_("projet")
    )
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("lieu")
    )
    percentage = models.DecimalField(
        _("pourcentage"), max_digits=5, decimal_places=2, validators=PERCENT
    )

    class Meta:
        verbose_name = _("lieu du projet")
        verbose_name_plural = _("lieux du projet")
        constraints = [
            models.UniqueConstraint(fields=["project", "org_unit"], name="project_location_once")
        ]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.percentage} %"

    @property
    def audit_path(self) -> str:
        return self.org_unit.path
