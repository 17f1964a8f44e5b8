"""Demo data of the cooperation programmes: the ten countries of a multi-country
programme, the partners, and two programmes with a project per country. The parts of the
app add their own steps after this one (finance, results, trainings…), each in its own
``coop_<part>.py`` module, finding what this step made by code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pilotage.cooperation.models import (
    ActivityStatus,
    MemberRole,
    OrganisationType,
    Partner,
    PartnerContact,
    PartnerKind,
    Programme,
    ProgrammeCountry,
    ProgrammeSector,
    Project,
    ProjectSector,
)
from pilotage.core.audit import SEED, audit_record
from pilotage.demo.context import Context
from pilotage.orgunits.countries import country_load_iso
from pilotage.orgunits.models import OrgUnit

# The ten francophone countries of a regional initiative such as UNESCO's ImaginEcole.
IMAGINE_COUNTRIES = ("BF", "ML", "SN", "NE", "BJ", "CI", "GN", "TG", "CM", "TD")
# A South-South programme of the Moroccan agency with two West African countries.
SOUTH_SOUTH_COUNTRIES = ("MA", "SN", "CI")

# code, French name, acronym, kind, IATI type, IATI identifier, ISO country
PARTNERS = [
    (
        "unesco",
        "UNESCO",
        "UNESCO",
        PartnerKind.UN_BODY,
        OrganisationType.MULTILATERAL,
        "XM-DAC-41304",
        "",
    ),
    (
        "unicef",
        "UNICEF",
        "UNICEF",
        PartnerKind.UN_BODY,
        OrganisationType.MULTILATERAL,
        "XM-DAC-41122",
        "",
    ),
    (
        "banque-mondiale",
        "Banque mondiale",
        "BM",
        PartnerKind.MULTILATERAL_DONOR,
        OrganisationType.MULTILATERAL,
        "XM-DAC-44000",
        "",
    ),
    (
        "afd",
        "Agence française de développement",
        "AFD",
        PartnerKind.BILATERAL_DONOR,
        OrganisationType.GOVERNMENT,
        "FR-3",
        "FR",
    ),
    (
        "oif",
        "Organisation internationale de la Francophonie",
        "OIF",
        PartnerKind.MULTILATERAL_DONOR,
        OrganisationType.MULTILATERAL,
        "",
        "",
    ),
    (
        "canope",
        "Réseau Canopé",
        "Canopé",
        PartnerKind.AGENCY,
        OrganisationType.OTHER_PUBLIC,
        "",
        "FR",
    ),
    (
        "cedeao",
        "Communauté économique des États de l'Afrique de l'Ouest",
        "CEDEAO",
        PartnerKind.REGIONAL_COMMUNITY,
        OrganisationType.MULTILATERAL,
        "",
        "",
    ),
    (
        "cemac",
        "Communauté économique et monétaire de l'Afrique centrale",
        "CEMAC",
        PartnerKind.REGIONAL_COMMUNITY,
        OrganisationType.MULTILATERAL,
        "",
        "",
    ),
    (
        "men-senegal",
        "Ministère de l'Éducation nationale du Sénégal",
        "MEN",
        PartnerKind.MINISTRY,
        OrganisationType.GOVERNMENT,
        "",
        "SN",
    ),
    (
        "ong-lecture",
        "Association Lire en Afrique",
        "",
        PartnerKind.NGO,
        OrganisationType.REGIONAL_NGO,
        "",
        "SN",
    ),
]
PARTNER_ACCOUNT = "partenaire.unesco"


def load_countries(ctx: Context) -> None:
    """The countries of the demo programmes and their first-level subdivisions, right after
    Morocco, before any school is created below it."""
    ctx.progress.total(len(IMAGINE_COUNTRIES))
    for code in IMAGINE_COUNTRIES:
        country_load_iso(code)
        ctx.progress.advance(1, code)


def _programme(
    code: str,
    countries: tuple[str, ...],
    *,
    title_fr: str,
    title_en: str,
    lead: Partner,
    currency: str,
    start: dt.date,
    end: dt.date,
    sectors: list[tuple[str, Decimal]],
) -> Programme:
    programme = Programme.objects.create(
        code=code,
        title_fr=title_fr,
        title_en=title_en,
        status=ActivityStatus.IMPLEMENTATION,
        start_date=start,
        end_date=end,
        default_currency=currency,
        lead_partner=lead,
    )
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=countries, depth=1)}
    share = (Decimal(100) / len(countries)).quantize(Decimal("0.01"))
    for i, country_code in enumerate(countries):
        pct = share if i else Decimal(100) - share * (len(countries) - 1)
        country = units[country_code]
        ProgrammeCountry.objects.create(programme=programme, country=country, percentage=pct)
        project = Project.objects.create(
            programme=programme,
            code=f"{code}-{country_code.lower()}",
            title_fr=f"{title_fr} — {country.name_fr}",
            title_en=f"{title_en} — {country.name_en or country.name_fr}",
            country=country,
            status=ActivityStatus.IMPLEMENTATION,
            start_date=start,
            end_date=end,
            default_currency=currency,
        )
        ProjectSector.objects.bulk_create(
            ProjectSector(project=project, code=c, percentage=p) for c, p in sectors
        )
    ProgrammeSector.objects.bulk_create(
        ProgrammeSector(programme=programme, code=c, percentage=p) for c, p in sectors
    )
    audit_record(actor=None, action=SEED, obj=programme, changes={"seed": [None, code]})
    return programme


def create_programmes(ctx: Context) -> None:
    """Partners, ImaginEcole (ten countries, led by UNESCO, in EUR) and a South-South
    vocational programme (Morocco, Senegal, Côte d'Ivoire, in MAD); the demo accounts of
    the cooperation roles join their teams."""
    from pilotage.accounts.models import User

    ctx.progress.total(len(PARTNERS) + 2)
    partners = {}
    for code, name, acronym, kind, iati_type, ident, country in PARTNERS:
        partners[code] = Partner.objects.create(
            code=code,
            name_fr=name,
            acronym=acronym,
            kind=kind,
            iati_type=iati_type,
            iati_identifier=ident,
            country=country,
        )
        ctx.progress.advance(1, code)
    imagine = _programme(
        "imagine",
        IMAGINE_COUNTRIES,
        title_fr="ImaginEcole : ressources éducatives pour l'école de demain",
        title_en="ImaginEcole: educational resources for tomorrow's school",
        lead=partners["unesco"],
        currency="EUR",
        start=dt.date(2024, 1, 1),
        end=dt.date(2027, 12, 31),
        sectors=[("11220", Decimal(60)), ("11130", Decimal(40))],
    )
    ctx.progress.advance(1, "imagine")
    south = _programme(
        "sud-sud-fp",
        SOUTH_SOUTH_COUNTRIES,
        title_fr="Coopération Sud-Sud en formation professionnelle",
        title_en="South-South cooperation in vocational training",
        lead=partners["afd"],
        currency="MAD",
        start=dt.date(2025, 1, 1),
        end=dt.date(2028, 12, 31),
        sectors=[("11330", Decimal(100))],
    )
    ctx.progress.advance(1, "sud-sud-fp")
    users = {u.username: u for u in User.objects.filter(username__startswith="coop.")}
    for programme in (imagine, south):
        if "coop.programme" in users:
            programme.members.create(user=users["coop.programme"], role=MemberRole.MANAGER)
    partner_user = User.objects.filter(username=PARTNER_ACCOUNT).first()
    if partner_user is not None:
        PartnerContact.objects.create(
            partner=partners["unesco"],
            name=partner_user.get_full_name() or partner_user.username,
            position="Programme specialist",
            email=partner_user.email,
            user=partner_user,
        )
