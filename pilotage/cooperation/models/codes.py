"""Closed lists shared by the cooperation models, with the IATI 2.03 codes they map to
(codelists of the IATI Standard, CC BY 4.0: OrganisationType, OrganisationRole,
ActivityStatus, TransactionType)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationType(models.TextChoices):
    """IATI OrganisationType."""

    GOVERNMENT = "10", _("Gouvernement")
    LOCAL_GOVERNMENT = "11", _("Collectivité locale")
    OTHER_PUBLIC = "15", _("Autre secteur public")
    INTERNATIONAL_NGO = "21", _("ONG internationale")
    NATIONAL_NGO = "22", _("ONG nationale")
    REGIONAL_NGO = "23", _("ONG régionale")
    PARTNER_COUNTRY_NGO = "24", _("ONG du pays partenaire")
    PUBLIC_PRIVATE = "30", _("Partenariat public-privé")
    MULTILATERAL = "40", _("Multilatéral")
    FOUNDATION = "60", _("Fondation")
    PRIVATE_SECTOR = "70", _("Secteur privé")
    ACADEMIC = "80", _("Enseignement, formation et recherche")
    OTHER = "90", _("Autre")


class PartnerKind(models.TextChoices):
    """How the service speaks of its partners (finer than the IATI type)."""

    BILATERAL_DONOR = "bilateral", _("Bailleur bilatéral")
    MULTILATERAL_DONOR = "multilateral", _("Bailleur multilatéral")
    AGENCY = "agency", _("Agence de coopération")
    UN_BODY = "un", _("Organisme des Nations unies")
    REGIONAL_COMMUNITY = "rec", _("Communauté économique régionale")
    NGO = "ngo", _("ONG / association")
    MINISTRY = "ministry", _("Ministère")
    PRIVATE = "private", _("Entreprise privée")
    OTHER = "other", _("Autre")


class ActivityStatus(models.TextChoices):
    """IATI ActivityStatus."""

    PIPELINE = "1", _("En préparation")
    IMPLEMENTATION = "2", _("En cours")
    FINALISATION = "3", _("En clôture")
    CLOSED = "4", _("Clôturé")
    CANCELLED = "5", _("Annulé")
    SUSPENDED = "6", _("Suspendu")


class OrganisationRole(models.TextChoices):
    """IATI OrganisationRole: a party's role in an agreement or an activity."""

    FUNDING = "1", _("Financeur")
    ACCOUNTABLE = "2", _("Responsable")
    EXTENDING = "3", _("Intermédiaire")
    IMPLEMENTING = "4", _("Exécutant")
