"""The personas of CONVENTIONS §6, on a small slice of the real tree: two regions, a
province in each, a commune and a school in each province.

    Maroc (MA)
    ├── Tanger-Tétouan-Al Hoceïma (MA-01)  ← regional_officer
    │   └── Tanger-Assilah (MA-TNG)        ← provincial_a
    │       └── commune A → school A       ← head_a, teacher_a1, parent_a
    └── Fès-Meknès (MA-03)
        └── Fès (MA-FES)                   ← provincial_b
            └── commune B → school B       ← head_b

``agent`` is the contact-centre agent, assigned at the country's unit: they see every
ticket and association (``contact/roles.py``), and the school records owe them nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser

from pilotage.accounts.models import User
from pilotage.accounts.roles import NATIONAL_ADMIN
from pilotage.accounts.services import role_assign
from pilotage.accounts.tests.factories import UserFactory
from pilotage.contact.roles import CONTACT_AGENT
from pilotage.orgunits.models import OrgUnit
from pilotage.orgunits.roles import PROVINCIAL_OFFICER, REGIONAL_OFFICER
from pilotage.orgunits.tests.factories import make_school, make_unit
from pilotage.schooling.roles import PARENT, SCHOOL_HEAD, TEACHER


@dataclass
class Personas:
    country: OrgUnit
    region_a: OrgUnit
    region_b: OrgUnit
    province_a: OrgUnit
    province_b: OrgUnit
    commune_a: OrgUnit
    commune_b: OrgUnit
    school_a: OrgUnit
    school_b: OrgUnit
    national_admin: User
    regional_officer: User
    provincial_a: User
    provincial_b: User
    head_a: User
    head_b: User
    teacher_a1: User
    parent_a: User
    agent: User
    anonymous: AnonymousUser

    def fresh(self, unit: OrgUnit) -> OrgUnit:
        unit.refresh_from_db()
        return unit


def _person(username: str, role: str, unit: OrgUnit) -> User:
    user = UserFactory(username=username)
    role_assign(actor=None, user=user, role=role, org_unit=unit)
    return user


@pytest.fixture
def personas(db: None) -> Personas:
    country = make_unit(None, code="MA", name_fr="Maroc", name_ar="المغرب")
    region_a = make_unit(
        country, code="MA-01", name_fr="Tanger-Tétouan-Al Hoceïma", name_ar="طنجة تطوان الحسيمة"
    )
    region_b = make_unit(country, code="MA-03", name_fr="Fès-Meknès", name_ar="فاس-مكناس")
    province_a = make_unit(
        region_a, code="MA-TNG", name_fr="Préfecture de Tanger-Assilah", name_ar="عمالة طنجة-أصيلة"
    )
    province_b = make_unit(
        region_b, code="MA-FES", name_fr="Préfecture de Fès", name_ar="عمالة فاس"
    )
    commune_a = make_unit(
        province_a, code="MA-TNG-C001", name_fr="Commune de Gueznaia", name_ar="جماعة اكزناية"
    )
    commune_b = make_unit(
        province_b, code="MA-FES-C001", name_fr="Commune de Fès-Médina", name_ar="جماعة فاس المدينة"
    )
    school_a = make_school(commune_a, code="04101A", name_fr="École primaire Ibn Battouta").org_unit
    school_b = make_school(
        commune_b, code="03201B", name_fr="Collège Al Massira", cycles=["college"]
    ).org_unit
    return Personas(
        country=country,
        region_a=region_a,
        region_b=region_b,
        province_a=province_a,
        province_b=province_b,
        commune_a=commune_a,
        commune_b=commune_b,
        school_a=school_a,
        school_b=school_b,
        national_admin=_person("admin.national", NATIONAL_ADMIN, country),
        regional_officer=_person("region.a", REGIONAL_OFFICER, region_a),
        provincial_a=_person("dp.a", PROVINCIAL_OFFICER, province_a),
        provincial_b=_person("dp.b", PROVINCIAL_OFFICER, province_b),
        head_a=_person("head.a", SCHOOL_HEAD, school_a),
        head_b=_person("head.b", SCHOOL_HEAD, school_b),
        teacher_a1=_person("teacher.a1", TEACHER, school_a),
        parent_a=_person("parent.a", PARENT, school_a),
        agent=_person("agent", CONTACT_AGENT, country),
        anonymous=AnonymousUser(),
    )
