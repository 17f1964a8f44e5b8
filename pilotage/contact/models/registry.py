"""Who writes to the contact centre: associations (NGOs) from the registry, their contact
people, and citizens. A ticket may also have no requester at all (anonymous)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pilotage.core.i18n import MultilingualName
from pilotage.orgunits.models import OrgUnit


class Language(models.TextChoices):
    """The requester's language: replies go out in it. Amazigh is recorded as a preference
    (an agent who speaks it calls back); written replies to it go out in Arabic."""

    FRENCH = "fr", _("français")
    ARABIC = "ar", _("arabe")
    AMAZIGH = "zgh", _("amazighe")


class LegalForm(models.TextChoices):
    ASSOCIATION = "association", _("Association (dahir 1-58-376)")
    UNION = "union", _("Union ou fédération d'associations")
    NETWORK = "network", _("Réseau ou collectif")
    COOPERATIVE = "cooperative", _("Coopérative")
    FOUNDATION = "foundation", _("Fondation")
    PUBLIC_UTILITY = "public_utility", _("Association reconnue d'utilité publique")
    OTHER = "other", _("Autre")


class ActionField(MultilingualName):
    """A field of action of associations (youth, women, environment, …): a small table, so
    the statistics group by it and another country adds its own."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("domaine d'action")
        verbose_name_plural = _("domaines d'action")


class Association(models.Model):
    name_fr = models.CharField(_("nom (français)"), max_length=300)
    name_ar = models.CharField(_("nom (arabe)"), max_length=300, blank=True)
    acronym = models.CharField(_("sigle"), max_length=40, blank=True)
    # The receipt number of the declaration (récépissé) given by the local authority; not
    # every association has one on file, but no two share one.
    registration_number = models.CharField(
        _("numéro d'enregistrement"), max_length=60, null=True, blank=True
    )
    legal_form = models.CharField(
        _("forme juridique"),
        max_length=20,
        choices=LegalForm.choices,
        default=LegalForm.ASSOCIATION,
    )
    # The commune (or province) of its seat; its region and province are its ancestors.
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="associations", verbose_name=_("siège")
    )
    fields = models.ManyToManyField(
        ActionField, blank=True, related_name="associations", verbose_name=_("domaines d'action")
    )
    employees = models.PositiveIntegerField(_("salariés"), null=True, blank=True)
    volunteers = models.PositiveIntegerField(_("bénévoles"), null=True, blank=True)
    founded_on = models.DateField(_("date de création"), null=True, blank=True)
    email = models.EmailField(_("courriel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    address = models.TextField(_("adresse"), blank=True)
    language = models.CharField(
        _("langue"), max_length=3, choices=Language.choices, default=Language.FRENCH
    )
    notes = models.TextField(_("remarques"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        ordering = ["name_fr"]
        verbose_name = _("association")
        verbose_name_plural = _("associations")
        constraints = [
            models.UniqueConstraint(
                Upper("registration_number"),
                name="association_registration_unique",
                condition=models.Q(registration_number__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "fr")[:2] == "ar" and self.name_ar:
            return self.name_ar
        return self.name_fr

    @property
    def audit_path(self) -> str:
        return self.org_unit.path


class Requester(models.Model):
    """A person who writes or calls: a citizen, or a contact person of an association. One
    row per person, found again by phone number or e-mail on the next call."""

    first_name = models.CharField(_("prénom"), max_length=120, blank=True)
    last_name = models.CharField(_("nom"), max_length=120, blank=True)
    # Names as written in Arabic script (shown first on Arabic pages).
    name_ar = models.CharField(_("nom (arabe)"), max_length=240, blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True, db_index=True)
    # Digits only, the national form (0612345678): what the caller lookup matches on.
    phone_digits = models.CharField(_("téléphone (chiffres)"), max_length=20, blank=True)
    email = models.EmailField(_("courriel"), blank=True, db_index=True)
    cin = models.CharField(_("CIN"), max_length=20, blank=True)
    language = models.CharField(
        _("langue"), max_length=3, choices=Language.choices, default=Language.FRENCH
    )
    association = models.ForeignKey(
        Association,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("association"),
    )
    position = models.CharField(_("fonction dans l'association"), max_length=120, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lieu de résidence"),
    )
    # A citizen who signs in to follow their requests (optional).
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_requester",
        verbose_name=_("compte"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("demandeur")
        verbose_name_plural = _("demandeurs")
        indexes = [models.Index(fields=["phone_digits"], name="requester_phone_digits")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        latin = f"{self.first_name} {self.last_name}".strip()
        if (get_language() or "fr")[:2] == "ar" and self.name_ar:
            return self.name_ar
        return latin or self.name_ar or self.email or self.phone

    @property
    def audit_path(self) -> str:
        if self.association is not None:
            return self.association.org_unit.path
        return self.org_unit.path if self.org_unit is not None else ""


__all__ = [
    "ActionField",
    "Association",
    "Language",
    "LegalForm",
    "Requester",
]
