"""Partners: donors, agencies, UN bodies, regional communities, NGOs, ministries, companies."""

from __future__ import annotations

import pycountry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from pilotage.cooperation.models.codes import OrganisationType, PartnerKind
from pilotage.core.i18n import MultilingualName

# An IATI organisation identifier is the registration agency's prefix (a country or "XM"
# code, then optionally the agency's register: "XM-DAC", "GB-COH", "FR-RCS"), a hyphen, and
# the organisation's number in that register: XM-DAC-41304 (UNESCO), FR-3 (France, DAC
# donor code 3), GB-COH-01234567. IATI Standard, "Organisation identifiers".
IATI_ORG_IDENTIFIER = RegexValidator(
    r"^[A-Z]{2}(-[A-Z]{2,10})?-[A-Za-z0-9][A-Za-z0-9._:/-]{0,80}$",
    _(
        "Un identifiant IATI d'organisation s'écrit préfixe de l'agence d'enregistrement, "
        "tiret, numéro (par exemple XM-DAC-41304 ou FR-3)."
    ),
    code="iati_identifier",
)


def iso_country_validate(value: str) -> None:
    """ISO 3166-1 alpha-2, as pycountry knows it (upper case)."""
    if value and (value != value.upper() or pycountry.countries.get(alpha_2=value) is None):
        raise ValidationError(
            _("« %(value)s » n'est pas un code de pays ISO 3166-1 à deux lettres."),
            code="country",
            params={"value": value[:10]},
        )


class Partner(MultilingualName):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    acronym = models.CharField(_("sigle"), max_length=30, blank=True)
    kind = models.CharField(_("catégorie"), max_length=20, choices=PartnerKind.choices)
    iati_type = models.CharField(
        _("type d'organisation IATI"), max_length=2, choices=OrganisationType.choices
    )
    # IATI organisation identifier (e.g. XM-DAC-41304 for UNESCO); empty when it has none.
    iati_identifier = models.CharField(
        _("identifiant IATI"), max_length=100, blank=True, validators=[IATI_ORG_IDENTIFIER]
    )
    # ISO 3166-1 alpha-2; a partner may be outside the tree (France, the United States).
    country = models.CharField(
        _("pays (ISO 3166-1)"), max_length=2, blank=True, validators=[iso_country_validate]
    )
    website = models.URLField(_("site web"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        ordering = ["name_fr"]
        verbose_name = _("partenaire")
        verbose_name_plural = _("partenaires")
        constraints = [
            models.UniqueConstraint(
                fields=["iati_identifier"],
                condition=~models.Q(iati_identifier=""),
                name="partner_unique_iati_identifier",
                violation_error_message=_("Un autre partenaire porte déjà cet identifiant IATI."),
            )
        ]

    @property
    def audit_path(self) -> str:
        return ""

    @property
    def country_name(self) -> str:
        found = pycountry.countries.get(alpha_2=self.country) if self.country else None
        return found.name if found is not None else self.country


class PartnerContact(models.Model):
    """A person at a partner. ``user`` is their login when they report to us themselves
    (an external partner account sees only what its partner is a party to)."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("partenaire")
    )
    name = models.CharField(_("nom"), max_length=200)
    position = models.CharField(_("fonction"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=40, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partner_contact",
        verbose_name=_("compte"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact d'un partenaire")
        verbose_name_plural = _("contacts des partenaires")

    def __str__(self) -> str:
        return self.name

    @property
    def audit_path(self) -> str:
        return ""
