"""The contact-centre personas, on top of the project-wide ones (``pilotage/conftest.py``).

Maroc (MA)                     ← supervisor, personas.agent (the whole country)
├── Tanger-Tétouan-Al Hoceïma  ← assoc_a (seat: commune A), citizen lives here
└── Fès-Meknès                 ← agent_fes (a regional agent: Fès-Meknès only), assoc_b

queues: ``info`` (information, procedures, guidance) and ``complaints``; both on the
``standard`` calendar. personas.agent is a member of both, agent_fes of ``complaints``.
categories: ``associations`` › ``constitution`` and ``funding``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pilotage.accounts.models import User
from pilotage.conftest import Personas, _person
from pilotage.contact.models import (
    ActionField,
    Association,
    BusinessCalendar,
    Category,
    Language,
    Queue,
    QueueMember,
    Requester,
)
from pilotage.contact.roles import CONTACT_AGENT, CONTACT_SUPERVISOR
from pilotage.contact.services import sla

FIELDS = [
    ("youth", "Jeunesse", "الشباب"),
    ("women", "Femmes", "المرأة"),
    ("environment", "Environnement", "البيئة"),
    ("education", "Éducation", "التربية"),
    ("disability", "Handicap", "الإعاقة"),
    ("human_rights", "Droits humains", "حقوق الإنسان"),
]


@dataclass
class Contact:
    personas: Personas
    calendar: BusinessCalendar
    info: Queue
    complaints: Queue
    cat_associations: Category
    cat_constitution: Category
    cat_funding: Category
    fields: dict[str, ActionField]
    supervisor: User
    agent: User
    agent_fes: User
    assoc_a: Association
    assoc_b: Association
    citizen: Requester
    assoc_contact: Requester


@pytest.fixture(autouse=True)
def _fresh_clocks() -> None:
    """Each test's database reuses calendar ids and versions: forget the cached clocks."""
    sla._clocks.clear()


@pytest.fixture
def cc(personas: Personas) -> Contact:
    calendar = BusinessCalendar.objects.create(code="standard", name="Administration")
    info = Queue.objects.create(
        code="info",
        name_fr="Information et orientation",
        name_ar="الإعلام والتوجيه",
        calendar=calendar,
        email="info@contact.test",
    )
    complaints = Queue.objects.create(
        code="complaints",
        name_fr="Réclamations",
        name_ar="الشكايات",
        calendar=calendar,
        email="reclamations@contact.test",
        order=1,
    )
    cat_associations = Category.objects.create(
        code="associations", name_fr="Vie associative", name_ar="الحياة الجمعوية"
    )
    cat_constitution = Category.objects.create(
        code="constitution",
        name_fr="Constitution et renouvellement",
        parent=cat_associations,
        name_ar="التأسيس والتجديد",
    )
    cat_funding = Category.objects.create(
        code="funding",
        name_fr="Financement et appels à projets",
        parent=cat_associations,
        name_ar="التمويل وطلبات المشاريع",
    )
    fields = {
        code: ActionField.objects.create(code=code, name_fr=fr, name_ar=ar, order=i)
        for i, (code, fr, ar) in enumerate(FIELDS)
    }
    supervisor = _person("superviseur", CONTACT_SUPERVISOR, personas.fresh(personas.country))
    agent = personas.agent
    agent_fes = _person("agent.fes", CONTACT_AGENT, personas.fresh(personas.region_b))
    for queue, user in ((info, agent), (complaints, agent), (complaints, agent_fes)):
        QueueMember.objects.create(queue=queue, user=user)
    assoc_a = Association.objects.create(
        name_fr="Association Amal pour le développement",
        name_ar="جمعية أمل للتنمية",
        registration_number="TNG-2019-0042",
        org_unit=personas.fresh(personas.commune_a),
        email="amal@asso.test",
        phone="0539123456",
        language=Language.ARABIC,
    )
    assoc_a.fields.set([fields["youth"], fields["education"]])
    assoc_b = Association.objects.create(
        name_fr="Association Fès Environnement",
        registration_number="FES-2021-0007",
        org_unit=personas.fresh(personas.commune_b),
    )
    assoc_b.fields.set([fields["environment"]])
    citizen = Requester.objects.create(
        first_name="Fatima Zahra",
        last_name="Bennani",
        name_ar="فاطمة الزهراء بناني",
        phone="06 12 34 56 78",
        phone_digits="0612345678",
        email="fatima@citoyen.test",
        language=Language.ARABIC,
        org_unit=personas.fresh(personas.province_a),
    )
    assoc_contact = Requester.objects.create(
        first_name="Youssef",
        last_name="El Idrissi",
        phone="0661000001",
        phone_digits="0661000001",
        email="youssef@asso.test",
        association=assoc_a,
        position="Président",
    )
    return Contact(
        personas=personas,
        calendar=calendar,
        info=info,
        complaints=complaints,
        cat_associations=cat_associations,
        cat_constitution=cat_constitution,
        cat_funding=cat_funding,
        fields=fields,
        supervisor=supervisor,
        agent=agent,
        agent_fes=agent_fes,
        assoc_a=assoc_a,
        assoc_b=assoc_b,
        citizen=citizen,
        assoc_contact=assoc_contact,
    )


# mail: the private IMAP server's fixtures (imap_server, imap).
from pilotage.contact.tests.imap import imap, imap_server  # noqa: E402, F401
