"""Demo data of the work plans and consultants: ImaginEcole's activities under the outputs
of its results framework (Senegal, Mali and regional), two fortnightly revisions of the
plan, and the consultant account ``consultant.senegal`` with a contract, three deliverables
at different stages (validated after a rejection, under review, still due) and two
activity reports. Written through the services, so the audit log tells the story."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from pilotage.cooperation.models import (
    Activity,
    ConsultantScope,
    PlannedDisbursement,
    Programme,
    ResultLevel,
    ResultNode,
    WorkplanRevision,
    WorkStatus,
)
from pilotage.cooperation.services.consultants import (
    activity_report_review,
    activity_report_submit,
    consultant_create,
    contract_create,
    deliverable_create,
    deliverable_review,
    deliverable_submit,
)
from pilotage.cooperation.services.workplans import (
    activity_create,
    activity_disbursements_set,
    activity_progress_set,
    activity_update,
    workplan_revise,
)
from pilotage.demo.context import Context
from pilotage.orgunits.models import OrgUnit

CONSULTANT_ACCOUNT = "consultant.senegal"
MANAGER_ACCOUNT = "coop.programme"
COORDINATOR_ACCOUNT = "coord.senegal"

# code, title, project country (None: regional), output index, start offset (months from
# this month), length in months, status, progress
ACTIVITIES = [
    ("A1.1", "Atelier d'écriture des ressources de lecture", "SN", 0, -4, 3, WorkStatus.DONE, 100),
    (
        "A1.2",
        "Édition et impression des guides de l'enseignant",
        "SN",
        0,
        -1,
        4,
        WorkStatus.ONGOING,
        45,
    ),
    (
        "A1.3",
        "Plateforme régionale de ressources éducatives libres",
        None,
        0,
        -3,
        9,
        WorkStatus.ONGOING,
        30,
    ),
    (
        "A1.4",
        "Traduction des ressources en langues nationales",
        "ML",
        0,
        -2,
        2,
        WorkStatus.DELAYED,
        20,
    ),
    ("A2.1", "Formation des formateurs de Dakar", "SN", 1, 1, 2, WorkStatus.PLANNED, 0),
    ("A2.2", "Formation des enseignants de Bamako", "ML", 1, 2, 3, WorkStatus.PLANNED, 0),
    ("A2.3", "Suivi pédagogique de proximité", "SN", 1, -2, 8, WorkStatus.ONGOING, 25),
    (
        "A2.4",
        "Étude de référence sur les pratiques de classe",
        None,
        1,
        -6,
        2,
        WorkStatus.CANCELLED,
        0,
    ),
]


def _month(base: dt.date, offset: int) -> dt.date:
    months = base.year * 12 + base.month - 1 + offset
    return dt.date(months // 12, months % 12 + 1, 1)


def _outputs(programme: Programme) -> list[ResultNode]:
    """The results framework's outputs (the results step's, when it ran first); otherwise
    a small framework of our own, found again by code on a second run."""
    outputs = list(
        ResultNode.objects.filter(programme=programme, level=ResultLevel.OUTPUT).order_by("code")
    )
    if len(outputs) >= 2:
        return outputs[:2]
    impact, _ = ResultNode.objects.get_or_create(
        programme=programme,
        code="1",
        defaults={"level": ResultLevel.IMPACT, "title_fr": "Les élèves apprennent mieux"},
    )
    outcome, _ = ResultNode.objects.get_or_create(
        programme=programme,
        code="1.1",
        defaults={
            "level": ResultLevel.OUTCOME,
            "parent": impact,
            "title_fr": "Les enseignants utilisent des ressources de qualité",
        },
    )
    made = []
    for code, title in (
        ("1.1.1", "Des ressources éducatives sont produites et diffusées"),
        ("1.1.2", "Des enseignants sont formés à leur usage"),
    ):
        node, _ = ResultNode.objects.get_or_create(
            programme=programme,
            code=code,
            defaults={"level": ResultLevel.OUTPUT, "parent": outcome, "title_fr": title},
        )
        made.append(node)
    return made


def _pdf(name: str, text: str) -> SimpleUploadedFile:
    body = (
        "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
        f"% {text}\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    return SimpleUploadedFile(name, body.encode("latin-1", "replace"), "application/pdf")


def create_workplans(ctx: Context) -> None:
    from pilotage.accounts.models import User

    programme = Programme.objects.filter(code="imagine").first()
    manager = User.objects.filter(username=MANAGER_ACCOUNT).first()
    if programme is None or manager is None or programme.activities.exists():
        return
    consultant_user = User.objects.filter(username=CONSULTANT_ACCOUNT).first()
    coordinator = User.objects.filter(username=COORDINATOR_ACCOUNT).first()
    projects = {
        p.country.code: p for p in programme.projects.select_related("country") if p.country
    }
    outputs = _outputs(programme)
    today = timezone.localdate()
    base = today.replace(day=1)
    ctx.progress.total(len(ACTIVITIES) + 6)

    activities: dict[str, Activity] = {}
    for code, title, country, out, start, months, _status, _progress in ACTIVITIES:
        responsible = manager
        if code in ("A1.2", "A2.3") and consultant_user is not None:
            responsible = consultant_user
        elif country == "SN" and coordinator is not None:
            responsible = coordinator
        activities[code] = activity_create(
            actor=manager,
            programme=programme,
            code=code,
            title_fr=title,
            project=projects.get(country) if country else None,
            output=outputs[out],
            responsible=responsible,
            start_date=_month(base, start),
            end_date=_month(base, start + months) - dt.timedelta(days=1),
        )
        ctx.progress.advance(1, code)

    # Revision 1, a fortnight ago: the plan as first drawn.
    first = workplan_revise(actor=manager, programme=programme, note="Plan initial validé")
    WorkplanRevision.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - dt.timedelta(days=14)
    )
    # Since then: progress reported, one activity slipped by a month, one cancelled.
    for code, _title, _country, _out, _start, _months, status, progress in ACTIVITIES:
        activity = activities[code]
        if status != WorkStatus.PLANNED or progress:
            activity_progress_set(
                actor=manager, activity=activity, version=None, progress=progress, status=status
            )
    slipped = activities["A1.4"]
    slipped.refresh_from_db()
    activity_update(
        actor=manager,
        activity=slipped,
        version=slipped.version,
        end_date=slipped.end_date + dt.timedelta(days=30),
    )
    workplan_revise(
        actor=manager,
        programme=programme,
        note="Point de quinzaine : traduction au Mali décalée d'un mois",
    )
    ctx.progress.advance(2, "revisions")

    # The cash-flow plan, when the finance step made one: each activity with its project's
    # first planned disbursement.
    for activity in activities.values():
        if activity.project is None:
            continue
        disbursement = (
            PlannedDisbursement.objects.filter(revision__project=activity.project)
            .order_by("-revision__number", "period_start")
            .first()
        )
        if disbursement is not None:
            activity_disbursements_set(
                actor=manager, activity=activity, disbursements=[disbursement]
            )

    if consultant_user is None:
        return
    consultant = consultant_create(
        actor=manager,
        user=consultant_user,
        scope=ConsultantScope.NATIONAL,
        country=OrgUnit.objects.filter(code="SN", depth=1).first(),
        expertise="Didactique de la lecture, édition scolaire",
    )
    contract = contract_create(
        actor=manager,
        consultant=consultant,
        programme=programme,
        reference="IMG-SN-2026-01",
        title="Production des guides de l'enseignant (Sénégal)",
        start_date=_month(base, -3),
        end_date=_month(base, 6) - dt.timedelta(days=1),
        amount=Decimal("18500.00"),
        currency="EUR",
    )
    ctx.progress.advance(1, contract.reference)
    inception = deliverable_create(
        actor=manager,
        contract=contract,
        title="Rapport de démarrage",
        due_date=_month(base, -2) + dt.timedelta(days=14),
    )
    draft = deliverable_create(
        actor=manager,
        contract=contract,
        title="Maquette du guide de l'enseignant",
        due_date=today + dt.timedelta(days=3),
    )
    deliverable_create(
        actor=manager,
        contract=contract,
        title="Guide final et rapport d'ateliers",
        due_date=_month(base, 5),
    )
    # The inception report: rejected once, validated in its second version.
    v1 = deliverable_submit(
        actor=consultant_user,
        deliverable=inception,
        upload=_pdf("rapport-demarrage.pdf", "version 1"),
        note="Première version",
    )
    deliverable_review(
        actor=manager,
        version=v1,
        decision="reject",
        comment="Le calendrier des ateliers et la méthodologie manquent.",
    )
    v2 = deliverable_submit(
        actor=consultant_user,
        deliverable=inception,
        upload=_pdf("rapport-demarrage-v2.pdf", "version 2"),
        note="Calendrier et méthodologie ajoutés",
    )
    deliverable_review(actor=manager, version=v2, decision="validate", comment="Validé, merci.")
    # The draft guide: handed in, a first comment, still under review.
    mock = deliverable_submit(
        actor=consultant_user, deliverable=draft, upload=_pdf("maquette-guide.pdf", "maquette")
    )
    deliverable_review(
        actor=manager,
        version=mock,
        decision="comment",
        comment="Relecture en cours par l'équipe pédagogique.",
    )
    ctx.progress.advance(2, "deliverables")
    first_report = activity_report_submit(
        actor=consultant_user,
        contract=contract,
        period_start=_month(base, -3),
        period_end=_month(base, -2) - dt.timedelta(days=1),
        text="Cadrage avec l'équipe du ministère ; atelier d'écriture à Dakar (24 participants).",
    )
    activity_report_review(actor=manager, report=first_report, approve=True)
    activity_report_submit(
        actor=consultant_user,
        contract=contract,
        period_start=_month(base, -2),
        period_end=_month(base, -1) - dt.timedelta(days=1),
        text="Rédaction de la maquette du guide ; relectures avec deux inspecteurs.",
    )
    ctx.progress.advance(1, "reports")
