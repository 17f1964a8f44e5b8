"""Writing the action plans: objectives, actions, their progress notes and evidence files.
Each write checks ``can_manage_actions`` on the unit and is audited; an action can be edited
by its owner and the officers above at the same time, so ``action_update`` carries the
version the form was loaded at and refuses a save against a newer one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from pilotage.core.audit import audit_record, diff, snapshot
from pilotage.indicators.audit import ACTION_EVIDENCE, ACTION_NOTE, OVERDUE_NOTICE
from pilotage.indicators.custom import indicator_values
from pilotage.indicators.models import (
    Action,
    ActionEvidence,
    ActionNote,
    ActionStatus,
    Objective,
    Status,
    Target,
)
from pilotage.indicators.models.actions import overdue_q
from pilotage.indicators.permissions import can_manage_actions
from pilotage.indicators.targets import dims_key, indicator_of, status_of
from pilotage.orgunits.models import AcademicYear, OrgUnit

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# Accepted evidence: extension → the first bytes its files start with.
_PDF = (b"%PDF-",)
_ZIP = (b"PK\x03\x04",)  # docx, xlsx, pptx, odt, ods, odp
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # doc, xls, ppt
EVIDENCE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", _PDF),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ZIP,
    ),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _ZIP,
    ),
    ".odt": ("application/vnd.oasis.opendocument.text", _ZIP),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", _ZIP),
    ".odp": ("application/vnd.oasis.opendocument.presentation", _ZIP),
    ".doc": ("application/msword", _OLE),
    ".xls": ("application/vnd.ms-excel", _OLE),
    ".ppt": ("application/vnd.ms-powerpoint", _OLE),
}
OBJECTIVE_FIELDS = ("title", "description", "org_unit", "start_year", "end_year", "indicator")
ACTION_FIELDS = (
    "title",
    "description",
    "owner",
    "org_unit",
    "objective",
    "budget",
    "start_date",
    "due_date",
    "status",
    "progress",
    "gap_target",
)
EDITABLE = (
    "title",
    "description",
    "owner",
    "budget",
    "start_date",
    "due_date",
    "status",
    "progress",
)


class ActionConflict(ValidationError):
    """Someone saved the action since the form was loaded."""

    def __init__(self) -> None:
        super().__init__(
            _("Cette action a été modifiée entre-temps par quelqu'un d'autre ; rechargez la page.")
        )


def evidence_max_bytes() -> int:
    return int(getattr(settings, "PILOTAGE_EVIDENCE_MAX_BYTES", EVIDENCE_MAX_BYTES))


def _check(actor: Any, unit: OrgUnit) -> None:
    if not can_manage_actions(actor, unit):
        raise PermissionDenied


def _check_owner(owner: Any, unit: OrgUnit) -> None:
    """The owner follows the action on its pages, so they must be able to open them."""
    if owner is None or not owner.is_active or not can_manage_actions(owner, unit):
        raise ValidationError(
            {"owner": _("Le responsable doit pouvoir suivre les actions de cette unité.")}
        )


# -- objectives ---------------------------------------------------------------------------


@transaction.atomic
def objective_create(
    *,
    actor: Any,
    title: str,
    org_unit: OrgUnit,
    start_year: AcademicYear,
    end_year: AcademicYear | None = None,
    description: str = "",
    indicator: str = "",
    target: Target | None = None,
) -> Objective:
    _check(actor, org_unit)
    if target is not None:
        if not org_unit.covers(target.org_unit):
            raise ValidationError({"target": _("Cette cible n'est pas celle de l'unité.")})
        if indicator and indicator != target.indicator:
            raise ValidationError({"target": _("Cette cible est celle d'un autre indicateur.")})
        indicator = target.indicator
    if indicator and indicator_of(indicator) is None:
        raise ValidationError({"indicator": _("Indicateur inconnu.")})
    end_year = end_year or start_year
    if end_year.start < start_year.start:
        raise ValidationError({"end_year": _("L'année de fin précède l'année de début.")})
    objective = Objective(
        title=title.strip(),
        description=description.strip(),
        org_unit=org_unit,
        start_year=start_year,
        end_year=end_year,
        indicator=indicator,
        target=target,
        created_by=actor,
    )
    objective.full_clean()
    objective.save()
    changes = {k: [None, v] for k, v in snapshot(objective, (*OBJECTIVE_FIELDS, "target")).items()}
    audit_record(actor=actor, action="create", obj=objective, changes=changes)
    return objective


# -- actions --------------------------------------------------------------------------------


def gap_of_target(target: Target) -> tuple[float | None, str | None]:
    """The current value and status of ``target`` (computed by the engine)."""
    values = indicator_values(
        target.indicator,
        units=[target.org_unit],
        years=[target.academic_year],
        by=list(target.disaggregation),
    )
    for value in values:
        if dims_key(value.dims) == target.dims_key:
            return value.value, status_of(
                value.value, target.target, target.tolerance, target.direction
            )
    return None, None


@transaction.atomic
def action_create(
    *,
    actor: Any,
    title: str,
    owner: Any,
    org_unit: OrgUnit,
    start_date: dt.date,
    due_date: dt.date,
    objective: Objective | None = None,
    description: str = "",
    budget: Decimal | None = None,
    gap_target: Target | None = None,
) -> Action:
    """``gap_target``: opened from that target's gap (a corrective action); the target must
    be at risk or off track now, and the action's unit inside the target's."""
    _check(actor, org_unit)
    if objective is not None and not objective.org_unit.covers(org_unit):
        raise ValidationError({"org_unit": _("L'unité doit relever de celle de l'objectif.")})
    _check_owner(owner, org_unit)
    gap_value, gap_status = None, ""
    if gap_target is not None:
        if not gap_target.org_unit.covers(org_unit):
            raise ValidationError({"org_unit": _("L'unité doit relever de celle de la cible.")})
        gap_value, status = gap_of_target(gap_target)
        if status not in (Status.AT_RISK, Status.OFF_TRACK):
            raise ValidationError(
                _("Cette cible n'accuse pas d'écart (ni à risque ni hors trajectoire).")
            )
        gap_status = status
    action = Action(
        objective=objective,
        title=title.strip(),
        description=description.strip(),
        owner=owner,
        org_unit=org_unit,
        budget=budget,
        start_date=start_date,
        due_date=due_date,
        gap_target=gap_target,
        gap_value=gap_value,
        gap_status=gap_status,
        created_by=actor,
    )
    _check_dates(action)
    action.full_clean()
    action.save()
    changes = {k: [None, v] for k, v in snapshot(action, ACTION_FIELDS).items()}
    audit_record(actor=actor, action="create", obj=action, changes=changes)
    return action


def _check_dates(action: Action) -> None:
    """Before ``full_clean``, whose check of the same database constraint would only name
    the constraint."""
    if action.due_date and action.start_date and action.due_date < action.start_date:
        raise ValidationError(
            {
                "due_date": _("L'échéance (%(due)s) précède le début (%(start)s).")
                % {"due": date_format(action.due_date), "start": date_format(action.start_date)}
            }
        )


def _locked(action: Action | int) -> Action:
    pk = action if isinstance(action, int) else action.pk
    return Action.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=pk)


@transaction.atomic
def action_update(*, actor: Any, action: Action | int, version: int, **changes: Any) -> Action:
    """Change some of ``EDITABLE``; ``version``: the version the form was loaded at."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"action_update cannot change {', '.join(sorted(unknown))}")
    stored = _locked(action)
    _check(actor, stored.org_unit)
    if stored.version != version:
        raise ActionConflict
    before = snapshot(stored, EDITABLE)
    for name, value in changes.items():
        setattr(stored, name, value)
    if "owner" in changes and changes["owner"].pk != before["owner"]:
        _check_owner(changes["owner"], stored.org_unit)
    if stored.status == ActionStatus.DONE:
        stored.progress = 100
    _check_dates(stored)
    stored.full_clean()
    delta = diff(before, snapshot(stored, EDITABLE))
    if not delta:
        return stored
    if "due_date" in delta:
        stored.overdue_notified_on = None
    stored.version += 1
    stored.save(update_fields=[*EDITABLE, "version", "updated_at", "overdue_notified_on"])
    audit_record(actor=actor, action="update", obj=stored, changes=delta)
    return stored


@transaction.atomic
def action_note_add(
    *, actor: Any, action: Action | int, text: str, progress: int | None = None
) -> ActionNote:
    """A dated note by ``actor``; with ``progress``, the action's progress moves to it."""
    stored = _locked(action)
    _check(actor, stored.org_unit)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("La note est vide.")})
    if progress is not None and not 0 <= progress <= 100:
        raise ValidationError({"progress": _("L'avancement va de 0 à 100 %.")})
    note = ActionNote(action=stored, author=actor, text=text, progress=progress)
    note.full_clean()
    note.save()
    changes: dict[str, list[Any]] = {"note": [None, text[:200]]}
    if progress is not None and progress != stored.progress:
        changes["progress"] = [stored.progress, progress]
        stored.progress = progress
        if stored.status == ActionStatus.PLANNED and progress > 0:
            changes["status"] = [stored.status, ActionStatus.IN_PROGRESS.value]
            stored.status = ActionStatus.IN_PROGRESS
        stored.version += 1
        stored.save(update_fields=["progress", "status", "version", "updated_at"])
    audit_record(actor=actor, action=ACTION_NOTE, obj=stored, changes=changes)
    return note


def evidence_check(upload: UploadedFile) -> str:
    """The upload's content type, or a ValidationError naming why it is refused: too
    large, or not a PDF, an image or an office document (by extension and first bytes)."""
    if upload.size is None or upload.size > evidence_max_bytes():
        raise ValidationError(
            {
                "file": _("Le fichier dépasse la taille maximale de %(size)s.")
                % {"size": filesizeformat(evidence_max_bytes())}
            }
        )
    ext = Path(upload.name or "").suffix.lower()
    known = EVIDENCE_TYPES.get(ext)
    accepted = _("PDF, image (PNG, JPEG, GIF, WebP) ou document bureautique")
    if known is None:
        raise ValidationError({"file": _("Type de fichier refusé : %(ok)s.") % {"ok": accepted}})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type, signatures = known
    if not any(head.startswith(sig) for sig in signatures):
        raise ValidationError(
            {
                "file": _("Le contenu du fichier ne correspond pas à son extension %(ext)s.")
                % {"ext": ext}
            }
        )
    return content_type


@transaction.atomic
def action_evidence_add(
    *, actor: Any, action: Action | int, upload: UploadedFile
) -> ActionEvidence:
    """Stored through Django's default storage; the size and type are checked first."""
    stored = _locked(action)
    _check(actor, stored.org_unit)
    content_type = evidence_check(upload)
    name = get_valid_filename(Path(upload.name or "piece").name)[:200] or "piece"
    evidence = ActionEvidence(
        action=stored,
        name=name,
        size=upload.size or 0,
        content_type=content_type,
        uploaded_by=actor,
    )
    evidence.file.save(name, upload, save=False)
    try:
        evidence.save()
        audit_record(
            actor=actor,
            action=ACTION_EVIDENCE,
            obj=stored,
            changes={"evidence": [None, name], "size": [None, evidence.size]},
        )
    except Exception:
        evidence.file.delete(save=False)
        raise
    return evidence


@transaction.atomic
def action_evidence_remove(*, actor: Any, evidence: ActionEvidence) -> None:
    stored = _locked(evidence.action_id)
    _check(actor, stored.org_unit)
    name = evidence.file.name
    audit_record(
        actor=actor, action=ACTION_EVIDENCE, obj=stored, changes={"evidence": [evidence.name, None]}
    )
    ActionEvidence.objects.filter(pk=evidence.pk).delete()
    transaction.on_commit(lambda: evidence.file.storage.delete(name))


@transaction.atomic
def actions_claim_overdue(*, today: dt.date | None = None) -> list[Action]:
    """The overdue actions not yet flagged today, marked as flagged today (so two runs of
    the job on the same day send one notice per action), each with an audit row."""
    today = today or timezone.localdate()
    qs = (
        Action.objects.select_for_update(of=("self",))
        .filter(overdue_q(today))
        .exclude(overdue_notified_on=today)
        .select_related("org_unit", "owner")
        .order_by("pk")
    )
    claimed = list(qs)
    if not claimed:
        return []
    Action.objects.filter(pk__in=[a.pk for a in claimed]).update(overdue_notified_on=today)
    for action in claimed:
        audit_record(
            actor=None,
            action=OVERDUE_NOTICE,
            obj=action,
            changes={"overdue_notified_on": [_iso(action.overdue_notified_on), today.isoformat()]},
        )
        action.overdue_notified_on = today
    return claimed


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()
