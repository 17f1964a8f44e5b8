"""The end-of-year class council: suggestions from the thresholds, one decision per pupil,
and closing the year, which sets each enrolment's outcome and next year's enrolment."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from pilotage.core.audit import audit_record
from pilotage.orgunits.models import AcademicYear, Semester
from pilotage.schooling import grading
from pilotage.schooling.audit import COUNCIL_CLOSE, DECIDE
from pilotage.schooling.models import (
    ACTIVE_STATUSES,
    CouncilDecision,
    CouncilPolicy,
    Decision,
    Enrolment,
    EnrolmentStatus,
    GradeLevel,
    MarkSheet,
    SchoolClass,
)
from pilotage.schooling.permissions import can_manage_school
from pilotage.schooling.selectors import class_results, class_roster
from pilotage.schooling.services.changes import records_changed
from pilotage.schooling.structure import grading_scale


@dataclass(frozen=True)
class SemesterState:
    """How far a semester's marks are for the class: sheets opened and validated."""

    number: int
    sheets: int
    validated: int

    @property
    def complete(self) -> bool:
        return self.sheets > 0 and self.validated == self.sheets


@dataclass
class Proposal:
    enrolment: Enrolment
    first: Decimal | None
    second: Decimal | None
    annual: Decimal | None
    suggestion: str  # grading.PENDING while a semester is incomplete
    decision: CouncilDecision | None
    missing: tuple[int, ...] = ()  # the semesters without an average for this pupil

    @property
    def pending(self) -> bool:
        return self.suggestion == grading.PENDING


@dataclass
class Review:
    """What the council page shows: the rule used, how complete each semester is, and a
    proposal per pupil."""

    school_class: SchoolClass
    scale: grading.Scale
    promote_from: Decimal
    semesters: list[SemesterState]
    proposals: list[Proposal]

    @property
    def formula(self) -> str:
        return self.scale.annual_formula

    @property
    def incomplete(self) -> list[SemesterState]:
        return [s for s in self.semesters if not s.complete]


def _semester_states(school_class: SchoolClass, numbers: list[int]) -> list[SemesterState]:
    rows = {
        r["semester__number"]: r
        for r in MarkSheet.objects.filter(school_class=school_class)
        .values("semester__number")
        .annotate(n=Count("id"), done=Count("id", filter=Q(validated_at__isnull=False)))
    }
    return [
        SemesterState(n, rows.get(n, {}).get("n", 0), rows.get(n, {}).get("done", 0))
        for n in numbers
    ]


def council_review(school_class: SchoolClass) -> Review:
    """Annual averages with the cycle's semester weights (``GradingScale``) and the
    thresholds' suggestion for each pupil. No suggestion (``PENDING``) while the class's
    S1 or S2 is incomplete — no sheet, or a sheet not validated by the head — or the
    pupil has no average in one of them: promoting on S1 alone is what the council must
    not be led to. A fixed number of queries whatever the class size."""
    averages: dict[int, dict[int, Decimal | None]] = {}
    enrolments: dict[int, Enrolment] = {}
    scale: grading.Scale | None = None
    for semester in Semester.objects.filter(academic_year=school_class.academic_year):
        results = class_results(school_class, semester)
        scale = results.scale
        for result in results.pupils:
            averages.setdefault(result.enrolment.pk, {})[semester.number] = result.average
            enrolments[result.enrolment.pk] = result.enrolment
    cycle = school_class.grade_level.cycle
    if scale is None:
        scale = grading_scale(cycle)
        enrolments = {e.pk: e for e in class_roster(school_class)}
    semesters = _semester_states(school_class, [1, 2])
    complete = all(s.complete for s in semesters)
    policy = CouncilPolicy.objects.filter(cycle=cycle).first()
    promote_from = policy.promote_from if policy else scale.pass_mark
    max_repeats = policy.max_repeats if policy else 2
    repeats = dict(
        Enrolment.objects.filter(
            pupil__in=[e.pupil_id for e in enrolments.values()],
            status=EnrolmentStatus.REPEATING,
            grade_level__cycle=cycle,
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
        mine = averages.get(pk, {})
        first, second = mine.get(1), mine.get(2)
        missing = tuple(n for n, v in ((1, first), (2, second)) if v is None)
        annual = grading.annual_average(first, second, scale.semester_weights)
        suggestion = (
            grading.council_suggestion(
                annual,
                promote_from=promote_from,
                repeats_in_cycle=repeats.get(enrolment.pupil_id, 0),
                max_repeats=max_repeats,
            )
            if complete
            else grading.PENDING
        )
        proposals.append(
            Proposal(enrolment, first, second, annual, suggestion, decisions.get(pk), missing)
        )
    proposals.sort(key=lambda p: (p.enrolment.pupil.last_name, p.enrolment.pupil.first_name))
    return Review(school_class, scale, promote_from, semesters, proposals)


def council_proposals(school_class: SchoolClass) -> list[Proposal]:
    return council_review(school_class).proposals


@transaction.atomic
def council_decide(
    *, actor: Any, school_class: SchoolClass, decisions: dict[int, tuple[str, str]]
) -> int:
    """Record the council's decision per enrolment: ``{enrolment_id: (decision, note)}``.
    The suggestion and annual average are stored beside it, so a departure from the
    thresholds stays visible. An empty decision leaves the pupil undecided."""
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
        if decision == "":
            continue
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


def next_year_of(year: AcademicYear) -> AcademicYear | None:
    return AcademicYear.objects.filter(start__gt=year.start).order_by("start").first()


@dataclass
class _Step:
    enrolment: Enrolment
    decision: str
    status: str  # the year's enrolment's outcome
    new_status: str | None  # next year's enrolment in this school, if one is created
    target: GradeLevel | None


@dataclass
class ClosePlan:
    """What closing the year will do, computed exactly as ``council_close`` applies it:
    the confirmation page shows it before anything is written."""

    school_class: SchoolClass
    next_year: AcademicYear
    counts: dict[str, int]
    leaving: int  # promoted to a level this school does not teach: no enrolment here
    undecided: list[str]  # codes Massar without a decision
    already_enrolled: list[str]  # codes Massar that have next year's enrolment already
    steps: list[_Step] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        found = []
        if not self.steps and not self.undecided:
            found.append(_("Aucun élève à traiter dans cette classe."))
        if self.undecided:
            found.append(
                _("Décision manquante pour : %(codes)s") % {"codes": ", ".join(self.undecided[:20])}
            )
        if self.already_enrolled:
            found.append(
                _("Déjà inscrits pour %(year)s (année déjà clôturée ?) : %(codes)s")
                % {"year": self.next_year.code, "codes": ", ".join(self.already_enrolled[:20])}
            )
        return found


def council_close_plan(*, school_class: SchoolClass, next_year: AcademicYear) -> ClosePlan:
    if next_year.start <= school_class.academic_year.start:
        raise ValidationError(_("L'année suivante doit commencer après l'année de la classe."))
    proposals = council_proposals(school_class)
    school = school_class.school.school
    counts = {"promoted": 0, "graduated": 0, "repeating": 0, "dismissed": 0, "next_year": 0}
    plan = ClosePlan(
        school_class,
        next_year,
        counts,
        leaving=0,
        undecided=[p.enrolment.pupil.code_massar for p in proposals if p.decision is None],
        already_enrolled=sorted(
            Enrolment.objects.filter(
                academic_year=next_year,
                pupil__in=[p.enrolment.pupil_id for p in proposals],
                status__in=ACTIVE_STATUSES,
            ).values_list("pupil__code_massar", flat=True)
        ),
    )
    levels = {level.order: level for level in GradeLevel.objects.all()}
    for proposal in proposals:
        if proposal.decision is None:
            continue
        enrolment = proposal.enrolment
        decision = proposal.decision.decision
        level = enrolment.grade_level
        target: GradeLevel | None = None
        status = enrolment.status
        if decision == Decision.PROMOTE:
            target = levels.get(level.order + 1)
            status = EnrolmentStatus.PROMOTED if target else EnrolmentStatus.GRADUATED
            counts["promoted" if target else "graduated"] += 1
        elif decision == Decision.DISMISS:
            status = EnrolmentStatus.DISMISSED
            counts["dismissed"] += 1
        else:
            target = level
            counts["repeating"] += 1
        new_status = None
        if target is not None and getattr(school, f"has_{target.cycle}", False):
            new_status = (
                EnrolmentStatus.REPEATING
                if decision == Decision.REPEAT
                else EnrolmentStatus.ENROLLED
            )
            counts["next_year"] += 1
        elif target is not None:
            plan.leaving += 1
        plan.steps.append(_Step(enrolment, decision, status, new_status, target))
    return plan


@transaction.atomic
def council_close(
    *, actor: Any, school_class: SchoolClass, next_year: AcademicYear
) -> dict[str, int]:
    """Apply every decision of the class: the year's enrolment gets its outcome (promoted,
    graduated, dismissed; a repeater's stays as it was) and next year's enrolment is created
    in the same school when it teaches the next level (status ``repeating`` for repeaters).
    Refused while a pupil has no decision, or once next year's enrolments exist."""
    if not can_manage_school(actor, school_class.school):
        raise PermissionDenied
    plan = council_close_plan(school_class=school_class, next_year=next_year)
    if plan.problems:
        raise ValidationError(plan.problems)
    new: list[Enrolment] = []
    for step in plan.steps:
        enrolment = step.enrolment
        enrolment.status = step.status
        enrolment.left_on = school_class.academic_year.end
        enrolment.save(update_fields=["status", "left_on"])
        if step.new_status is not None and step.target is not None:
            new.append(
                Enrolment(
                    pupil_id=enrolment.pupil_id,
                    school=school_class.school,
                    academic_year=next_year,
                    grade_level=step.target,
                    status=step.new_status,
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
    counts = plan.counts
    audit_record(
        actor=actor,
        action=COUNCIL_CLOSE,
        obj=school_class,
        changes={k: [None, v] for k, v in counts.items()},
    )
    return counts
