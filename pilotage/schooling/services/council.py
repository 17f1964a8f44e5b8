"""The end-of-year class council: suggestions from the thresholds, one decision per pupil,
and closing the year, which sets each enrolment's outcome and next year's enrolment."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from pilotage.core.audit import audit_record
from pilotage.orgunits.models import AcademicYear, Semester
from pilotage.schooling import grading
from pilotage.schooling.audit import COUNCIL_CLOSE, DECIDE
from pilotage.schooling.models import (
    CouncilDecision,
    CouncilPolicy,
    Decision,
    Enrolment,
    EnrolmentStatus,
    GradeLevel,
    SchoolClass,
)
from pilotage.schooling.permissions import can_manage_school
from pilotage.schooling.selectors import class_results
from pilotage.schooling.services.changes import records_changed


@dataclass
class Proposal:
    enrolment: Enrolment
    first: Decimal | None
    second: Decimal | None
    annual: Decimal | None
    suggestion: str
    decision: CouncilDecision | None


def council_proposals(school_class: SchoolClass) -> list[Proposal]:
    """Annual averages (S1 + S2) / 2 and the thresholds' suggestion for each pupil."""
    averages: dict[int, dict[int, Decimal | None]] = {}
    enrolments: dict[int, Enrolment] = {}
    for semester in Semester.objects.filter(academic_year=school_class.academic_year):
        for result in class_results(school_class, semester).pupils:
            averages.setdefault(result.enrolment.pk, {})[semester.number] = result.average
            enrolments[result.enrolment.pk] = result.enrolment
    policy = CouncilPolicy.objects.filter(cycle=school_class.grade_level.cycle).first()
    promote_from = policy.promote_from if policy else Decimal(10)
    max_repeats = policy.max_repeats if policy else 2
    repeats = dict(
        Enrolment.objects.filter(
            pupil__in=[e.pupil_id for e in enrolments.values()],
            status=EnrolmentStatus.REPEATING,
            grade_level__cycle=school_class.grade_level.cycle,
        )
        .values("pupil_id")
        .annotate(n=Count("id"))
        .values_list("pupil_id", "n")
    )
    decisions = {
        d.enrolment_id: d for d in CouncilDecision.objects.filter(enrolment__in=list(enrolments))
    }
    proposals = []
    for pk, enrolment in enrolments.items():
        first, second = averages[pk].get(1), averages[pk].get(2)
        annual = grading.annual_average(first, second)
        suggestion = grading.council_suggestion(
            annual,
            promote_from=promote_from,
            repeats_in_cycle=repeats.get(enrolment.pupil_id, 0),
            max_repeats=max_repeats,
        )
        proposals.append(Proposal(enrolment, first, second, annual, suggestion, decisions.get(pk)))
    return sorted(
        proposals, key=lambda p: (p.enrolment.pupil.last_name, p.enrolment.pupil.first_name)
    )


@transaction.atomic
def council_decide(
    *, actor: Any, school_class: SchoolClass, decisions: dict[int, tuple[str, str]]
) -> int:
    """Record the council's decision per enrolment: ``{enrolment_id: (decision, note)}``.
    The suggestion and annual average are stored beside it, so a departure from the
    thresholds stays visible."""
    if not can_manage_school(actor, school_class.school):
        raise PermissionDenied
    proposals = {p.enrolment.pk: p for p in council_proposals(school_class)}
    unknown = set(decisions) - set(proposals)
    if unknown:
        raise ValidationError(
            _("Inscriptions hors de cette classe : %(ids)s") % {"ids": sorted(unknown)}
        )
    changed = 0
    for enrolment_id, (decision, note) in decisions.items():
        if decision not in Decision.values:
            raise ValidationError(_("Décision inconnue : %(d)s") % {"d": decision})
        proposal = proposals[enrolment_id]
        previous = proposal.decision.decision if proposal.decision else None
        if previous == decision and (proposal.decision.note if proposal.decision else "") == note:
            continue
        record, _created = CouncilDecision.objects.update_or_create(
            enrolment_id=enrolment_id,
            defaults={
                "annual_average": proposal.annual,
                "suggestion": proposal.suggestion,
                "decision": decision,
                "note": note[:200],
                "decided_by": actor,
            },
        )
        audit_record(
            actor=actor,
            action=DECIDE,
            obj=record,
            changes={"decision": [previous, decision]},
            path=school_class.school.path,
        )
        changed += 1
    return changed


def _next_level(level: GradeLevel) -> GradeLevel | None:
    return GradeLevel.objects.filter(order=level.order + 1).first()


@transaction.atomic
def council_close(
    *, actor: Any, school_class: SchoolClass, next_year: AcademicYear
) -> dict[str, int]:
    """Apply every decision of the class: the year's enrolment gets its outcome (promoted,
    graduated, dismissed; a repeater's stays as it was) and next year's enrolment is created
    in the same school when it teaches the next level (status ``repeating`` for repeaters).
    Refused while a pupil has no decision."""
    if not can_manage_school(actor, school_class.school):
        raise PermissionDenied
    if next_year.start <= school_class.academic_year.start:
        raise ValidationError(_("L'année suivante doit commencer après l'année de la classe."))
    proposals = council_proposals(school_class)
    missing = [p.enrolment.pupil.code_massar for p in proposals if p.decision is None]
    if missing:
        raise ValidationError(
            _("Décision manquante pour : %(codes)s") % {"codes": ", ".join(missing[:20])}
        )
    school = school_class.school.school
    counts = {"promoted": 0, "graduated": 0, "repeating": 0, "dismissed": 0, "next_year": 0}
    new: list[Enrolment] = []
    for proposal in proposals:
        enrolment = proposal.enrolment
        decision = proposal.decision.decision  # type: ignore[union-attr]
        level = enrolment.grade_level
        target: GradeLevel | None = None
        if decision == Decision.PROMOTE:
            target = _next_level(level)
            enrolment.status = EnrolmentStatus.PROMOTED if target else EnrolmentStatus.GRADUATED
            counts["promoted" if target else "graduated"] += 1
        elif decision == Decision.DISMISS:
            enrolment.status = EnrolmentStatus.DISMISSED
            counts["dismissed"] += 1
        else:
            target = level
            counts["repeating"] += 1
        enrolment.left_on = school_class.academic_year.end
        enrolment.save(update_fields=["status", "left_on"])
        if target is not None and getattr(school, f"has_{target.cycle}", False):
            new.append(
                Enrolment(
                    pupil_id=enrolment.pupil_id,
                    school=school_class.school,
                    academic_year=next_year,
                    grade_level=target,
                    status=EnrolmentStatus.REPEATING
                    if decision == Decision.REPEAT
                    else EnrolmentStatus.ENROLLED,
                    entered_on=next_year.start,
                )
            )
    Enrolment.objects.bulk_create(new)
    if new:
        records_changed(
            school_ids=[school_class.school_id],
            year_id=next_year.pk,
            pupil_ids=[e.pupil_id for e in new],
        )
    counts["next_year"] = len(new)
    audit_record(
        actor=actor,
        action=COUNCIL_CLOSE,
        obj=school_class,
        changes={k: [None, v] for k, v in counts.items()},
    )
    return counts
