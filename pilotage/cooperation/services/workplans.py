"""Writing the work plan: activities (created and edited by the programme's managers,
progress reported by managers, coordinators and the person responsible), their links to
the cash-flow plan, and the fortnightly revisions that keep the plan's history."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from pilotage.cooperation.audit import ACTIVITY_DISBURSEMENTS, ACTIVITY_PROGRESS, WORKPLAN_REVISE
from pilotage.cooperation.models import (
    Activity,
    ActivityDisbursement,
    PlannedDisbursement,
    Programme,
    WorkplanRevision,
    WorkStatus,
)
from pilotage.cooperation.permissions import can_edit_workplan, can_update_progress
from pilotage.cooperation.services.common import locked, version_check
from pilotage.core.audit import CREATE, UPDATE, audit_record, diff, snapshot

ACTIVITY_FIELDS = (
    "project",
    "output",
    "code",
    "title_fr",
    "title_ar",
    "title_en",
    "responsible",
    "start_date",
    "end_date",
    "status",
    "budget_line",
    "progress",
)
ACTIVITY_EDITABLE = tuple(f for f in ACTIVITY_FIELDS if f != "code")
# What a revision keeps of each activity (and the compare view shows old → new).
SNAPSHOT_FIELDS = (
    "title_fr",
    "project",
    "output",
    "responsible",
    "start_date",
    "end_date",
    "status",
    "budget_line",
    "progress",
)


def _save_checked(activity: Activity, update_fields: list[str] | None = None) -> None:
    activity.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            activity.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise ValidationError({"code": _("Ce code d'activité existe déjà.")}) from exc


@transaction.atomic
def activity_create(*, actor: Any, programme: Programme, **fields: Any) -> Activity:
    if not can_edit_workplan(actor, programme):
        raise PermissionDenied
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"activity_create cannot set {', '.join(sorted(unknown))}")
    activity = Activity(programme=programme, **fields)
    if Activity.objects.filter(programme=programme, code=activity.code).exists():
        raise ValidationError({"code": _("Ce code d'activité existe déjà.")})
    _save_checked(activity)
    audit_record(
        actor=actor,
        action=CREATE,
        obj=activity,
        changes=diff({}, snapshot(activity, ACTIVITY_FIELDS)),
    )
    return activity


@transaction.atomic
def activity_update(
    *, actor: Any, activity: Activity | int, version: int | None, **changes: Any
) -> Activity:
    unknown = set(changes) - set(ACTIVITY_EDITABLE)
    if unknown:
        raise TypeError(f"activity_update cannot change {', '.join(sorted(unknown))}")
    stored = locked(Activity, activity)
    if not can_edit_workplan(actor, stored.programme):
        raise PermissionDenied
    version_check(stored, version)
    before = snapshot(stored, ACTIVITY_EDITABLE)
    for name, value in changes.items():
        setattr(stored, name, value)
    delta = diff(before, snapshot(stored, ACTIVITY_EDITABLE))
    if not delta:
        return stored
    stored.version += 1
    _save_checked(stored, [*changes, "version", "updated_at"])
    audit_record(actor=actor, action=UPDATE, obj=stored, changes=delta)
    return stored


@transaction.atomic
def activity_progress_set(
    *,
    actor: Any,
    activity: Activity | int,
    version: int | None,
    progress: int,
    status: str | None = None,
) -> Activity:
    """The progress (0–100 %) and, optionally, the status; 100 % marks it done, and a
    planned activity with progress becomes ongoing."""
    stored = locked(Activity, activity)
    if not can_update_progress(actor, stored):
        raise PermissionDenied
    version_check(stored, version)
    if not 0 <= progress <= 100:
        raise ValidationError(
            {"progress": _("%(value)s : l'avancement va de 0 à 100 %%.") % {"value": progress}}
        )
    if status is not None and status not in WorkStatus.values:
        raise ValidationError({"status": _("Statut inconnu : %(value)s.") % {"value": status}})
    before = snapshot(stored, ("progress", "status"))
    stored.progress = progress
    if status is not None:
        stored.status = status
    elif progress == 100:
        stored.status = WorkStatus.DONE
    elif progress > 0 and stored.status == WorkStatus.PLANNED:
        stored.status = WorkStatus.ONGOING
    delta = diff(before, snapshot(stored, ("progress", "status")))
    if not delta:
        return stored
    stored.version += 1
    stored.save(update_fields=["progress", "status", "version", "updated_at"])
    audit_record(actor=actor, action=ACTIVITY_PROGRESS, obj=stored, changes=delta)
    return stored


@transaction.atomic
def activity_disbursements_set(
    *, actor: Any, activity: Activity | int, disbursements: Iterable[PlannedDisbursement]
) -> None:
    """The planned disbursements (cash-flow plan) that pay for the activity: they belong
    to a project of the activity's programme (its own project when it has one)."""
    stored = locked(Activity, activity)
    if not can_edit_workplan(actor, stored.programme):
        raise PermissionDenied
    rows = list(disbursements)
    wrong = [
        d
        for d in rows
        if d.revision.project.programme_id != stored.programme_id
        or (stored.project_id is not None and d.revision.project_id != stored.project_id)
    ]
    if wrong:
        raise ValidationError(
            {
                "disbursements": _(
                    "Le décaissement prévu %(what)s n'appartient pas au projet de l'activité."
                )
                % {"what": wrong[0]}
            }
        )
    before = sorted(stored.disbursement_links.values_list("disbursement_id", flat=True))
    after = sorted({d.pk for d in rows})
    if before == after:
        return
    stored.disbursement_links.all().delete()
    ActivityDisbursement.objects.bulk_create(
        ActivityDisbursement(activity=stored, disbursement_id=pk) for pk in after
    )
    audit_record(
        actor=actor,
        action=ACTIVITY_DISBURSEMENTS,
        obj=stored,
        changes={"disbursements": [before, after]},
    )


def activity_snapshot(activity: Activity) -> dict[str, Any]:
    return snapshot(activity, SNAPSHOT_FIELDS)


@transaction.atomic
def workplan_revise(*, actor: Any, programme: Programme, note: str) -> WorkplanRevision:
    """A new revision of the programme's work plan, numbered after the last, with every
    activity as it stands now. The programme row is locked so two revisions taken at the
    same time get consecutive numbers."""
    stored = locked(Programme, programme)
    if not can_edit_workplan(actor, stored):
        raise PermissionDenied
    last = stored.workplan_revisions.aggregate(n=Max("number"))["n"] or 0
    state = {a.code: activity_snapshot(a) for a in stored.activities.order_by("code")}
    revision = WorkplanRevision.objects.create(
        programme=stored,
        number=last + 1,
        note=note.strip(),
        snapshot=state,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action=WORKPLAN_REVISE,
        obj=stored,
        changes={"revision": [last or None, revision.number], "activities": [None, len(state)]},
    )
    return revision
