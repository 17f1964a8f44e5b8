"""Demo data of "who does what where": some sixty actions of eight partners across the
ten countries of the demo programmes and their regions, with figures planned and
reached, so the table, its filters and the map have something to show."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from pilotage.cooperation.models import (
    ActionStatus,
    ActionTopic,
    BeneficiaryType,
    Partner,
    PartnerAction,
    Programme,
)
from pilotage.core.audit import SEED, audit_record
from pilotage.demo.context import Context
from pilotage.demo.cooperation import IMAGINE_COUNTRIES
from pilotage.orgunits.models import OrgUnit

PARTNERS = (
    "unesco",
    "unicef",
    "banque-mondiale",
    "afd",
    "oif",
    "canope",
    "cedeao",
    "ong-lecture",
)
# topic, what is done (French), who benefits, usual size of the planned group
WORK = [
    (
        ActionTopic.TEACHER_TRAINING,
        "Formation continue des enseignants du primaire",
        BeneficiaryType.TEACHERS,
        600,
    ),
    (ActionTopic.DIGITAL, "Ressources numériques pour les classes", BeneficiaryType.SCHOOLS, 120),
    (ActionTopic.GIRLS, "Maintien des filles au collège", BeneficiaryType.PUPILS, 4000),
    (ActionTopic.SCHOOL_FEEDING, "Cantines scolaires en zone rurale", BeneficiaryType.PUPILS, 9000),
    (ActionTopic.ACCESS, "Construction de salles de classe", BeneficiaryType.SCHOOLS, 40),
    (
        ActionTopic.QUALITY,
        "Lecture et calcul dans les premières années",
        BeneficiaryType.PUPILS,
        12000,
    ),
    (
        ActionTopic.INCLUSION,
        "Classes inclusives pour les enfants en situation de handicap",
        BeneficiaryType.PUPILS,
        800,
    ),
    (ActionTopic.GOVERNANCE, "Pilotage et statistiques scolaires", BeneficiaryType.OFFICIALS, 150),
    (ActionTopic.EMERGENCIES, "Éducation en situation d'urgence", BeneficiaryType.COMMUNITIES, 30),
]
ACTIONS = 60


def create_actions(ctx: Context) -> None:
    rng = ctx.rng("coop_actions")
    partners = {p.code: p for p in Partner.objects.filter(code__in=PARTNERS)}
    if not partners:
        return
    countries = {u.code: u for u in OrgUnit.objects.filter(depth=1, code__in=IMAGINE_COUNTRIES)}
    regions: dict[int, list[OrgUnit]] = {pk.pk: [] for pk in countries.values()}
    for region in OrgUnit.objects.filter(depth=2).order_by("code"):
        for country in countries.values():
            if region.path.startswith(country.path):
                regions[country.pk].append(region)
    imagine = Programme.objects.filter(code="imagine").first()
    now = timezone.now()
    codes = sorted(countries)
    ctx.progress.total(ACTIONS)
    for i in range(ACTIONS):
        partner = partners.get(PARTNERS[i % len(PARTNERS)]) or next(iter(partners.values()))
        country = countries[codes[(i * 3 + i // len(PARTNERS)) % len(codes)]]
        topic, what, beneficiaries, size = WORK[rng.randrange(len(WORK))]
        start = dt.date(2024 + rng.randrange(3), 1 + rng.randrange(12), 1)
        status = rng.choice(list(ActionStatus))
        planned = int(size * rng.uniform(0.5, 1.5))
        reached = None
        if status != ActionStatus.PLANNED:
            reached = int(
                planned
                * (
                    rng.uniform(0.2, 0.8)
                    if status == ActionStatus.ONGOING
                    else rng.uniform(0.8, 1.05)
                )
            )
        budget = Decimal(rng.randrange(20, 500) * 1000) if rng.random() < 0.7 else None
        female = beneficiaries in (BeneficiaryType.PUPILS, BeneficiaryType.TEACHERS)
        action = PartnerAction.objects.create(
            partner=partner,
            programme=imagine if partner.code == "unesco" and imagine else None,
            country=country,
            external_ref=f"{partner.code.upper()}-{country.code}-{i + 1:03d}",
            title=f"{what} — {country.name_fr}",
            topic=topic,
            keywords=str(topic.label).lower(),
            beneficiary_type=beneficiaries,
            planned=planned,
            planned_female=planned // 2 if female else None,
            reached=reached,
            reached_female=reached // 2 if female and reached is not None else None,
            start_date=start,
            end_date=start + dt.timedelta(days=365 * (1 + rng.randrange(3))),
            status=status,
            budget_amount=budget,
            budget_currency="EUR" if budget is not None else "",
            contact_name="",
            updated_at=now,
        )
        picked = regions.get(country.pk) or []
        if picked and rng.random() < 0.8:
            action.subdivisions.set(rng.sample(picked, k=min(len(picked), 1 + rng.randrange(3))))
        audit_record(
            actor=None, action=SEED, obj=action, changes={"seed": [None, action.external_ref]}
        )
        ctx.progress.advance(1, action.external_ref)
