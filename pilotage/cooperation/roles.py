"""What the cooperation programmes let each role do (see core/roles.py).

The service that runs financial cooperation works across countries, so most of its reach is
not a part of the tree but a set of objects:

- the head of the cooperation service (and the national administration) sees and runs
  every programme;
- a programme manager sees and runs the programmes whose team lists them as manager;
- a finance officer records the money (budgets, transactions, rates) of every programme and
  reads every financial report;
- a country coordinator is assigned at a country's unit and sees and edits the projects,
  results, trainings and partner actions of that country (a tree scope, as in the kernel);
- an external partner sees the agreements their organisation is a party to, and their own
  reporting; a consultant sees their contracts, work plans and deliverables.

Which objects each role reaches is computed in ``permissions.py``; the capabilities below
say what kind of work each role may do at all (menu, home cards, "somewhere" checks).
"""

from django.utils.translation import gettext_lazy as _

from pilotage.accounts.roles import NATIONAL_ADMIN
from pilotage.core.roles import Capability, RoleDef

COOPERATION_HEAD = "cooperation_head"
PROGRAMME_MANAGER = "programme_manager"
FINANCE_OFFICER = "finance_officer"
COUNTRY_COORDINATOR = "country_coordinator"
PARTNER = "cooperation_partner"
CONSULTANT = "consultant"

# Opens the cooperation pages at all (each object is then checked).
USE_COOPERATION = "cooperation.use"
# Sees and runs every programme, partner, agreement and report.
RUN_ALL = "cooperation.run_all"
# Creates programmes (and becomes their manager); runs those whose team lists them.
MANAGE_PROGRAMMES = "cooperation.manage_programmes"
# Records budgets, planned disbursements, transactions and exchange rates; reads every
# financial report.
MANAGE_FINANCE = "cooperation.manage_finance"
# Sees and edits the projects, results, trainings and partner actions of the countries of
# their assignment (a tree scope).
COORDINATE_COUNTRY = "cooperation.coordinate_country"
# Works on the partners registry, the meeting log and the opportunity pipeline.
MANAGE_PARTNERS = "cooperation.manage_partners"
# An external partner's account: their agreements and their own reporting.
ACT_AS_PARTNER = "cooperation.act_as_partner"
# A consultant's account: their contracts, work plans, deliverables and activity reports.
ACT_AS_CONSULTANT = "cooperation.act_as_consultant"

_STAFF = (NATIONAL_ADMIN, COOPERATION_HEAD, PROGRAMME_MANAGER, FINANCE_OFFICER)

ROLES = [
    RoleDef(COOPERATION_HEAD, _("Chef du service de coopération"), order=12),
    RoleDef(
        PROGRAMME_MANAGER,
        _("Chargé de programme"),
        order=14,
        granted_by=(COOPERATION_HEAD,),
    ),
    RoleDef(
        FINANCE_OFFICER,
        _("Responsable financier (coopération)"),
        order=15,
        granted_by=(COOPERATION_HEAD,),
    ),
    RoleDef(
        COUNTRY_COORDINATOR,
        _("Coordinateur pays"),
        order=16,
        granted_by=(COOPERATION_HEAD, PROGRAMME_MANAGER),
    ),
    RoleDef(
        CONSULTANT,
        _("Consultant"),
        order=60,
        granted_by=(COOPERATION_HEAD, PROGRAMME_MANAGER),
    ),
    RoleDef(
        PARTNER,
        _("Partenaire externe"),
        order=62,
        granted_by=(COOPERATION_HEAD, PROGRAMME_MANAGER),
    ),
]

CAPABILITIES = [
    Capability(
        USE_COOPERATION,
        roles=(*_STAFF, COUNTRY_COORDINATOR, PARTNER, CONSULTANT),
    ),
    Capability(RUN_ALL, roles=(NATIONAL_ADMIN, COOPERATION_HEAD)),
    Capability(MANAGE_PROGRAMMES, roles=(NATIONAL_ADMIN, COOPERATION_HEAD, PROGRAMME_MANAGER)),
    Capability(MANAGE_FINANCE, roles=(NATIONAL_ADMIN, COOPERATION_HEAD, FINANCE_OFFICER)),
    Capability(COORDINATE_COUNTRY, roles=(COUNTRY_COORDINATOR,)),
    Capability(MANAGE_PARTNERS, roles=(NATIONAL_ADMIN, COOPERATION_HEAD, PROGRAMME_MANAGER)),
    Capability(ACT_AS_PARTNER, roles=(PARTNER,)),
    Capability(ACT_AS_CONSULTANT, roles=(CONSULTANT,)),
]
