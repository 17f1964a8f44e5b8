"""The cooperation personas, on top of the project-wide ones (``pilotage/conftest.py``).

Sénégal (SN) ── Dakar (SN-DK)        ← coordinator_sn
Mali (ML)    ── Bamako (ML-BKO)      ← coordinator_ml
Maroc (MA, from the project personas) ← head, manager, manager_b, finance, partner_user,
                                         consultant are assigned there (where they work)

programme ``imagine`` (SN 50 %, ML 50 %, a project per country) — manager is its manager
programme ``other``   (SN 100 %)                                 — manager_b is its manager
partner ``unesco`` (lead of imagine; partner_user is its contact), partner ``oif``
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pilotage.accounts.models import User
from pilotage.conftest import Personas, _person
from pilotage.cooperation.models import MemberRole, Partner, PartnerContact, Programme, Project
from pilotage.cooperation.roles import (
    CONSULTANT,
    COOPERATION_HEAD,
    COUNTRY_COORDINATOR,
    FINANCE_OFFICER,
    PARTNER,
    PROGRAMME_MANAGER,
)
from pilotage.cooperation.tests.factories import PartnerFactory, programme_with_countries
from pilotage.orgunits.models import OrgUnit
from pilotage.orgunits.tests.factories import make_unit


@dataclass
class Coop:
    personas: Personas
    senegal: OrgUnit
    dakar: OrgUnit
    mali: OrgUnit
    bamako: OrgUnit
    unesco: Partner
    oif: Partner
    imagine: Programme
    project_sn: Project
    project_ml: Project
    other: Programme
    head: User
    manager: User
    manager_b: User
    finance: User
    coordinator_sn: User
    coordinator_ml: User
    partner_user: User
    consultant: User


@pytest.fixture
def coop(personas: Personas) -> Coop:
    senegal = make_unit(None, code="SN", name_fr="Sénégal", name_ar="السنغال", name_en="Senegal")
    dakar = make_unit(senegal, code="SN-DK", name_fr="Dakar")
    mali = make_unit(None, code="ML", name_fr="Mali", name_ar="مالي", name_en="Mali")
    bamako = make_unit(mali, code="ML-BKO", name_fr="Bamako")
    unesco = PartnerFactory(
        code="unesco",
        name_fr="UNESCO",
        acronym="UNESCO",
        iati_identifier="XM-DAC-41304",
    )
    oif = PartnerFactory(code="oif", name_fr="Organisation internationale de la Francophonie")
    morocco = personas.fresh(personas.country)
    head = _person("coop.head", COOPERATION_HEAD, morocco)
    manager = _person("coop.manager", PROGRAMME_MANAGER, morocco)
    manager_b = _person("coop.manager.b", PROGRAMME_MANAGER, morocco)
    finance = _person("coop.finance", FINANCE_OFFICER, morocco)
    senegal.refresh_from_db()
    mali.refresh_from_db()
    coordinator_sn = _person("coord.sn", COUNTRY_COORDINATOR, senegal)
    coordinator_ml = _person("coord.ml", COUNTRY_COORDINATOR, mali)
    partner_user = _person("partner.unesco", PARTNER, morocco)
    PartnerContact.objects.create(partner=unesco, name="Awa Diop", user=partner_user)
    consultant = _person("consultant.sn", CONSULTANT, senegal)
    imagine = programme_with_countries(
        [senegal, mali],
        code="imagine",
        title_fr="ImaginEcole",
        title_en="ImaginEcole",
        lead_partner=unesco,
    )
    imagine.members.create(user=manager, role=MemberRole.MANAGER)
    other = programme_with_countries([senegal], code="other", title_fr="Autre programme")
    other.members.create(user=manager_b, role=MemberRole.MANAGER)
    # Adding countries renumbers the roots after them (the tree keeps code order).
    for unit in (senegal, dakar, mali, bamako):
        unit.refresh_from_db()
    return Coop(
        personas=personas,
        senegal=senegal,
        dakar=dakar,
        mali=mali,
        bamako=bamako,
        unesco=unesco,
        oif=oif,
        imagine=imagine,
        project_sn=imagine.projects.get(country=senegal),
        project_ml=imagine.projects.get(country=mali),
        other=other,
        head=head,
        manager=manager,
        manager_b=manager_b,
        finance=finance,
        coordinator_sn=coordinator_sn,
        coordinator_ml=coordinator_ml,
        partner_user=partner_user,
        consultant=consultant,
    )
