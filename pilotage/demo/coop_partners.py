"""Demo data of the partners registry, the meeting log and the opportunity pipeline: a few
contacts, meetings with UNESCO, AFD and the others (past ones with minutes, decisions and
follow-up actions, some overdue; upcoming ones), and opportunities at every stage from 2025
to 2028 in MAD, EUR and USD.

Written through the services, as the head of the service (``coop.chef``), so the audit log
reads as it would after real use; meetings fall around today so "upcoming", "past" and
"overdue" all have something to show."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from pilotage.cooperation.models import MeetingKind, Partner, Programme, Stage
from pilotage.cooperation.services.meetings import followup_add, followup_mark_done, meeting_create
from pilotage.cooperation.services.partners import partner_contact_add
from pilotage.cooperation.services.pipeline import opportunity_create, opportunity_move
from pilotage.demo.context import Context

HEAD = "coop.chef"
MANAGER = "coop.programme"

CONTACTS = [
    ("afd", "Claire Martin", "Chargée de projet éducation", "claire.martin@example.org"),
    ("banque-mondiale", "John Smith", "Senior Education Specialist", "jsmith@example.org"),
    ("oif", "Aminata Ndiaye", "Spécialiste de programme", "a.ndiaye@example.org"),
    ("men-senegal", "Ibrahima Fall", "Directeur de la coopération", "i.fall@example.org"),
]

# partner codes, kind, days from today, title, minutes, decisions, follow-ups
# (description, owner, due in days from today, done)
MEETINGS = [
    (
        ("unesco",),
        MeetingKind.POLICY_DIALOGUE,
        -60,
        "Dialogue politique annuel ImaginEcole",
        "Revue des résultats de l'année dans les dix pays ; point sur les ressources ouvertes.",
        "Étendre le volet formation des enseignants au Tchad et au Niger.",
        [
            ("Envoyer la note conceptuelle du volet Tchad-Niger", HEAD, -30, True),
            ("Partager le rapport de revue avec les coordinateurs pays", MANAGER, -10, False),
        ],
    ),
    (
        ("afd", "men-senegal"),
        MeetingKind.WORKSHOP,
        -25,
        "Atelier de cadrage formation professionnelle Sud-Sud",
        "Cadrage des filières prioritaires et du calendrier.",
        "Trois filières retenues ; mission conjointe à Dakar au trimestre suivant.",
        [
            ("Préparer les termes de référence de la mission", MANAGER, -5, False),
            ("Consolider le budget prévisionnel", HEAD, 20, False),
        ],
    ),
    (
        ("unesco", "oif"),
        MeetingKind.WEBINAR,
        -12,
        "Webinaire : ressources éducatives libres en français",
        "120 participants de 14 pays.",
        "",
        [("Publier l'enregistrement et le support", MANAGER, -2, True)],
    ),
    (
        ("banque-mondiale",),
        MeetingKind.POLICY_DIALOGUE,
        10,
        "Revue conjointe du secteur éducation",
        "",
        "",
        [],
    ),
    (
        ("unicef", "ong-lecture"),
        MeetingKind.HACKATHON,
        30,
        "Hackathon « Lire en Afrique »",
        "",
        "",
        [],
    ),
]

# title, partner, stage path (moves after creation), amount, currency, probability, year
OPPORTUNITIES = [
    (
        "Extension ImaginEcole Sahel",
        "unesco",
        [Stage.PROPOSAL, Stage.NEGOTIATION],
        "1800000",
        "EUR",
        "70",
        2026,
    ),
    ("Fonds numérique éducatif", "banque-mondiale", [], "5000000", "USD", "10", 2027),
    (
        "Formation professionnelle Sud-Sud, phase 2",
        "afd",
        [Stage.PROPOSAL],
        "25000000",
        "MAD",
        "40",
        2026,
    ),
    (
        "Bourses d'excellence francophones",
        "oif",
        [Stage.PROPOSAL, Stage.NEGOTIATION, Stage.SIGNED],
        "450000",
        "EUR",
        "90",
        2025,
    ),
    ("Cantines scolaires CEDEAO", "cedeao", [Stage.DROPPED], "2000000", "USD", "20", 2025),
    (
        "Manuels bilingues",
        "canope",
        [Stage.PROPOSAL, Stage.NEGOTIATION],
        "3500000",
        "MAD",
        "60",
        2027,
    ),
    ("Lecture précoce en milieu rural", "unicef", [], "750000", "USD", "25", 2028),
    (
        "Réseau des écoles normales",
        "cemac",
        [Stage.PROPOSAL, Stage.DROPPED],
        "1200000",
        "EUR",
        "30",
        2028,
    ),
    (
        "Évaluation des apprentissages",
        "unesco",
        [Stage.PROPOSAL, Stage.NEGOTIATION, Stage.SIGNED],
        "12000000",
        "MAD",
        "80",
        2026,
    ),
]
NEXT_STEPS = {
    Stage.IDENTIFIED: "Prise de contact avec le bailleur",
    Stage.PROPOSAL: "Déposer la proposition complète",
    Stage.NEGOTIATION: "Finaliser le cadre de résultats avec le bailleur",
}


def create_partner_work(ctx: Context) -> None:
    from pilotage.accounts.models import User

    users = {u.username: u for u in User.objects.filter(username__in=(HEAD, MANAGER))}
    head = users.get(HEAD)
    if head is None:
        return
    owners = {HEAD: head, MANAGER: users.get(MANAGER, head)}
    partners = {p.code: p for p in Partner.objects.all()}
    imagine = Programme.objects.filter(code="imagine").first()
    today = timezone.localdate()
    ctx.progress.total(len(CONTACTS) + len(MEETINGS) + len(OPPORTUNITIES))

    for code, name, position, email in CONTACTS:
        if code in partners:
            partner_contact_add(
                actor=head, partner=partners[code], name=name, position=position, email=email
            )
        ctx.progress.advance(1, code)

    for codes, kind, days, title, minutes, decisions, followups in MEETINGS:
        meeting = meeting_create(
            actor=head,
            partners=[partners[c] for c in codes if c in partners],
            participants=list({u.pk: u for u in owners.values()}.values()),
            kind=kind,
            date=today + dt.timedelta(days=days),
            title=title,
            programme=imagine if "unesco" in codes else None,
            external_participants="",
            minutes=minutes,
            decisions=decisions,
        )
        for description, owner, due, done in followups:
            action = followup_add(
                actor=head,
                meeting=meeting,
                description=description,
                owner=owners[owner],
                due_date=today + dt.timedelta(days=due),
            )
            if done:
                followup_mark_done(
                    actor=owners[owner], action=action, done_on=today + dt.timedelta(days=due - 1)
                )
        ctx.progress.advance(1, title[:30])

    for title, code, path, amount, currency, probability, year in OPPORTUNITIES:
        opportunity = opportunity_create(
            actor=head,
            title_fr=title,
            partner=partners[code],
            expected_amount=Decimal(amount),
            currency=currency,
            probability=Decimal(probability),
            expected_year=year,
            next_step=NEXT_STEPS[Stage.IDENTIFIED],
        )
        for stage in path:
            opportunity = opportunity_move(
                actor=head,
                opportunity=opportunity,
                stage=stage,
                version=opportunity.version,
                next_step=NEXT_STEPS.get(stage, ""),
            )
        ctx.progress.advance(1, title[:30])
