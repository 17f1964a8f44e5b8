"""Demo data of capacity building and educational resources: training sessions in the
ten ImaginEcole countries with a few hundred participants (many attend several
sessions, so the people trained are fewer than the attendances), South-South sessions
whose Moroccan participants are linked to demo teachers, a bank of resources and their
print runs with distributions."""

from __future__ import annotations

import datetime as dt
import random

from pilotage.cooperation.models import (
    Attendance,
    Audience,
    Distribution,
    EducationalResource,
    Modality,
    Participant,
    PrintRun,
    Programme,
    TrainingSession,
)
from pilotage.cooperation.services.trainings import name_key
from pilotage.core.audit import SEED, audit_record
from pilotage.demo.context import Context
from pilotage.orgunits.models import OrgUnit
from pilotage.schooling.models import Teacher

FIRST_F = ("Awa", "Fatou", "Aminata", "Mariam", "Aïssatou", "Kadiatou", "Salimata", "Adjoa")
FIRST_M = ("Moussa", "Ibrahima", "Mamadou", "Oumar", "Seydou", "Koffi", "Abdoulaye", "Issa")
FAMILY = (
    "Diallo",
    "Traoré",
    "Ndiaye",
    "Koné",
    "Ouédraogo",
    "Camara",
    "Sow",
    "Kouassi",
    "Diop",
    "Sanogo",
    "Mensah",
    "Barry",
    "Cissé",
    "Touré",
)
TOPICS = (
    "Pédagogie active en lecture",
    "Mathématiques par la manipulation",
    "Usage pédagogique des ressources numériques hors ligne",
    "Évaluation formative en classe",
    "Classes multigrades",
)
AUDIENCES = (Audience.TEACHERS, Audience.TEACHERS, Audience.TRAINERS, Audience.HEADS)
RESOURCES = (
    ("Guide de lecture CP", "document", "primary", "Lecture", "fr", "CC-BY-SA"),
    ("كراسة الرياضيات للسنة الأولى", "document", "primary", "Mathématiques", "ar", "CC-BY"),
    ("Vidéo : la classe multigrade", "video", "teacher_training", "Pédagogie", "fr", "CC-BY-NC"),
    ("Leçons de sciences 6e", "lesson", "lower_secondary", "Sciences", "fr", "CC-BY"),
    ("English reader, grade 3", "document", "primary", "Anglais", "en", "PD"),
)
PEOPLE_PER_COUNTRY = 30


def _pool(rng: random.Random, country: OrgUnit, n: int) -> list[Participant]:
    people = []
    for i in range(n):
        sex = "F" if rng.random() < 0.55 else "M"
        name = f"{rng.choice(FIRST_F if sex == 'F' else FIRST_M)} {rng.choice(FAMILY)}"
        people.append(
            Participant(
                full_name=name,
                name_key=name_key(name),
                sex=sex,
                role=rng.choice(("Enseignant(e)", "Formateur(trice)", "Directeur(trice)")),
                country=country,
                national_id=f"{country.code}-{i + 1:05d}",
                identity_key=f"nid:{country.code}:{country.code}-{i + 1:05d}",
            )
        )
    return Participant.objects.bulk_create(people)


def _sessions(
    ctx: Context, programme: Programme, per_country: int, start: dt.date
) -> tuple[int, int]:
    rng = ctx.rng("coop_trainings", programme.code)
    sessions = attendances = 0
    for project in programme.projects.select_related("country").order_by("code"):
        country = project.country
        if country is None:
            continue
        pool = _pool(rng, country, PEOPLE_PER_COUNTRY)
        regions = list(
            OrgUnit.objects.filter(path__startswith=country.path, depth=2).order_by("path")[:4]
        )
        for i in range(per_country):
            day = start + dt.timedelta(days=rng.randrange(0, 600))
            session = TrainingSession.objects.create(
                programme=programme,
                project=project,
                topic=TOPICS[i % len(TOPICS)],
                audience=AUDIENCES[i % len(AUDIENCES)],
                start_date=day,
                end_date=day + dt.timedelta(days=rng.choice((0, 2, 4))),
                modality=rng.choice(list(Modality)),
                venue=rng.choice(("Centre régional de formation", "Plateforme en ligne")),
                location=rng.choice(regions) if regions else None,
                planned_participants=25,
            )
            chosen = rng.sample(pool, rng.randrange(12, 22))
            rows = []
            for person in chosen:
                attended = rng.random() < 0.92
                rows.append(
                    Attendance(
                        session=session,
                        participant=person,
                        attended=attended,
                        completed=attended and rng.random() < 0.85,
                    )
                )
            Attendance.objects.bulk_create(rows)
            sessions += 1
            attendances += len(rows)
        ctx.progress.advance(1, country.code)
    audit_record(
        actor=None, action=SEED, obj=programme, changes={"training_sessions": [None, sessions]}
    )
    return sessions, attendances


def _teachers_trained(ctx: Context, programme: Programme) -> int:
    """Moroccan trainers of the South-South programme: demo teachers, with their PPR."""
    project = programme.projects.filter(country__code="MA").first()
    if project is None or project.country is None:
        return 0
    teachers = list(Teacher.objects.select_related("user").order_by("pk")[:24])
    if not teachers:
        return 0
    people = Participant.objects.bulk_create(
        Participant(
            full_name=t.user.get_full_name() or t.ppr,
            name_key=name_key(t.user.get_full_name() or t.ppr),
            sex="F" if i % 2 else "M",
            role="Formateur(trice)",
            country=project.country,
            teacher=t,
            identity_key=f"ppr:{t.ppr}",
        )
        for i, t in enumerate(teachers)
    )
    rng = ctx.rng("coop_trainings", "ppr")
    for i in range(3):
        day = dt.date(2025, 3, 1) + dt.timedelta(days=90 * i)
        session = TrainingSession.objects.create(
            programme=programme,
            project=project,
            topic="Ingénierie de la formation professionnelle",
            audience=Audience.TRAINERS,
            start_date=day,
            end_date=day + dt.timedelta(days=4),
            modality=Modality.BLENDED,
            venue="Rabat",
            planned_participants=20,
        )
        Attendance.objects.bulk_create(
            Attendance(session=session, participant=p, attended=True, completed=True)
            for p in rng.sample(people, 16)
        )
    return len(people)


def _resources(ctx: Context, programme: Programme) -> int:
    rng = ctx.rng("coop_resources", programme.code)
    bank = [
        EducationalResource.objects.create(
            title_fr=title,
            kind=kind,
            level=level,
            subject=subject,
            language=lang,
            licence=licence,
            url=f"https://ressources.example.org/{i + 1}",
            programme=programme,
        )
        for i, (title, kind, level, subject, lang, licence) in enumerate(RESOURCES)
    ]
    runs = 0
    for project in programme.projects.select_related("country").order_by("code"):
        country = project.country
        if country is None:
            continue
        regions = list(
            OrgUnit.objects.filter(path__startswith=country.path, depth=2).order_by("path")[:3]
        )
        for resource in bank[:2]:
            planned = rng.choice((4000, 5000, 6000))
            printed = planned - rng.choice((0, 0, 500))
            run = PrintRun.objects.create(
                resource=resource,
                programme=programme,
                country=country,
                planned=planned,
                printed=printed,
                ordered_on=dt.date(2025, 1, 15),
                printed_on=dt.date(2025, 3, 1),
            )
            runs += 1
            left = printed
            delivered = confirmed = 0
            for region in regions:
                quantity = min(left, rng.choice((1000, 1500, 2000)))
                if quantity <= 0:
                    break
                got = quantity - rng.choice((0, 0, 50)) if rng.random() < 0.7 else None
                Distribution.objects.create(
                    print_run=run,
                    destination=region,
                    quantity=quantity,
                    delivered_on=dt.date(2025, 4, 1),
                    confirmed_quantity=got,
                    confirmed_on=dt.date(2025, 4, 20) if got is not None else None,
                )
                left -= quantity
                delivered += quantity
                confirmed += got or 0
            run.delivered, run.confirmed = delivered, confirmed
            run.save(update_fields=["delivered", "confirmed"])
    return runs


def create_trainings_and_resources(ctx: Context) -> None:
    imagine = Programme.objects.filter(code="imagine").first()
    south = Programme.objects.filter(code="sud-sud-fp").first()
    ctx.progress.total(13)
    sessions = attendances = 0
    if imagine is not None:
        s, a = _sessions(ctx, imagine, 4, dt.date(2024, 2, 1))
        sessions, attendances = sessions + s, attendances + a
    if south is not None:
        ctx.counts["teachers_trained"] = _teachers_trained(ctx, south)
    if imagine is not None:
        ctx.counts["print_runs"] = _resources(ctx, imagine)
    ctx.counts["training_sessions"] = (
        sessions + TrainingSession.objects.filter(programme=south).count()
    )
    ctx.counts["attendances"] = Attendance.objects.count()
    ctx.counts["participants"] = Participant.objects.count()
