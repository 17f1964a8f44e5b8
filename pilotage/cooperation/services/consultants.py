"""Writing consultants, their contracts and deliverables, the versions a consultant
submits and the reviews of the programme team, and activity reports.

A deliverable moves pending → submitted → under review (a comment) → validated or
rejected; a rejected one is submitted again as a new version; a validated one is final.
Every file is checked by its first bytes (PDF, DOCX, XLSX, ODT) and its size before it is
stored through Django's storage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from pilotage.cooperation.audit import (
    DELIVERABLE_REVIEW,
    DELIVERABLE_SUBMIT,
    REPORT_REVIEW,
    REPORT_SUBMIT,
)
from pilotage.cooperation.models import (
    ActivityReport,
    Consultant,
    Contract,
    Deliverable,
    DeliverableStatus,
    DeliverableVersion,
    Programme,
    ReportStatus,
    Review,
    ReviewDecision,
)
from pilotage.cooperation.permissions import (
    can_manage_consultants,
    can_review_contract,
    is_contract_holder,
    manages,
)
from pilotage.cooperation.roles import CONSULTANT
from pilotage.cooperation.services.common import locked
from pilotage.core.audit import CREATE, audit_record, diff, snapshot

DELIVERABLE_MAX_BYTES = 20 * 1024 * 1024
_ZIP = b"PK\x03\x04"
# Accepted files: extension → (content type, first bytes).
DELIVERABLE_TYPES: dict[str, tuple[str, bytes]] = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".odt": ("application/vnd.oasis.opendocument.text", _ZIP),
}
OPEN = (DeliverableStatus.PENDING, DeliverableStatus.REJECTED)
IN_REVIEW = (DeliverableStatus.SUBMITTED, DeliverableStatus.UNDER_REVIEW)


def deliverable_max_bytes() -> int:
    return int(getattr(settings, "PILOTAGE_DELIVERABLE_MAX_BYTES", DELIVERABLE_MAX_BYTES))


def file_check(upload: UploadedFile, field: str = "file") -> str:
    """The upload's content type, or a ValidationError naming the file and why it is
    refused (too large, another type, or content that does not match its extension)."""
    name = (upload.name or "")[:80]
    if upload.size is None or upload.size > deliverable_max_bytes():
        raise ValidationError(
            {
                field: _("%(name)s : le fichier dépasse la taille maximale de %(size)s.")
                % {"name": name, "size": filesizeformat(deliverable_max_bytes())}
            }
        )
    ext = Path(upload.name or "").suffix.lower()
    known = DELIVERABLE_TYPES.get(ext)
    if known is None:
        raise ValidationError(
            {
                field: _("%(name)s : type refusé ; seuls PDF, DOCX, XLSX et ODT sont acceptés.")
                % {"name": name}
            }
        )
    content_type, signature = known
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(signature):
        raise ValidationError(
            {
                field: _("%(name)s : le contenu ne correspond pas à l'extension %(ext)s.")
                % {"name": name, "ext": ext}
            }
        )
    if signature == _ZIP:
        _office_check(upload, ext, name, field)
    return content_type


# The part every file of the type holds (an XLSX renamed to .docx is refused).
_OFFICE_PART = {
    ".docx": "word/document.xml",
    ".xlsx": "xl/workbook.xml",
    ".odt": "content.xml",
}


def _office_check(upload: UploadedFile, ext: str, name: str, field: str) -> None:
    import zipfile

    refused = ValidationError(
        {
            field: _("%(name)s : ce n'est pas un document %(ext)s lisible.")
            % {"name": name, "ext": ext}
        }
    )
    try:
        with zipfile.ZipFile(upload) as archive:
            if _OFFICE_PART[ext] not in archive.namelist():
                raise refused
    except zipfile.BadZipFile as exc:
        raise refused from exc
    finally:
        upload.seek(0)


@transaction.atomic
def consultant_create(
    *,
    actor: Any,
    user: Any,
    scope: str,
    country: Any = None,
    expertise: str = "",
    partner: Any = None,
) -> Consultant:
    """A consultant's profile on an account that holds the consultant role."""
    if not can_manage_consultants(actor):
        raise PermissionDenied
    if not user.assignments.filter(role=CONSULTANT).exists():
        raise ValidationError({"user": _("Ce compte n'a pas le rôle de consultant.")})
    consultant = Consultant(
        user=user, scope=scope, country=country, expertise=expertise, partner=partner
    )
    consultant.full_clean()
    consultant.save()
    audit_record(
        actor=actor,
        action=CREATE,
        obj=consultant,
        changes=diff({}, snapshot(consultant, ("user", "scope", "country", "expertise"))),
    )
    return consultant


CONTRACT_FIELDS = ("reference", "title", "start_date", "end_date", "amount", "currency")


@transaction.atomic
def contract_create(
    *, actor: Any, consultant: Consultant, programme: Programme, **fields: Any
) -> Contract:
    if not manages(actor, programme):
        raise PermissionDenied
    unknown = set(fields) - set(CONTRACT_FIELDS)
    if unknown:
        raise TypeError(f"contract_create cannot set {', '.join(sorted(unknown))}")
    contract = Contract(consultant=consultant, programme=programme, **fields)
    contract.full_clean()
    contract.save()
    audit_record(
        actor=actor,
        action=CREATE,
        obj=contract,
        changes=diff({}, snapshot(contract, ("consultant", "programme", *CONTRACT_FIELDS))),
    )
    return contract


@transaction.atomic
def deliverable_create(*, actor: Any, contract: Contract, title: str, due_date: Any) -> Deliverable:
    if not can_review_contract(actor, contract):
        raise PermissionDenied
    deliverable = Deliverable(contract=contract, title=title.strip(), due_date=due_date)
    deliverable.full_clean()
    deliverable.save()
    audit_record(
        actor=actor,
        action=CREATE,
        obj=deliverable,
        changes=diff({}, snapshot(deliverable, ("contract", "title", "due_date"))),
    )
    return deliverable


def _status_set(deliverable: Deliverable, status: str) -> list[Any]:
    old = deliverable.status
    deliverable.status = status
    deliverable.version += 1
    deliverable.save(update_fields=["status", "version"])
    return [old, status]


@transaction.atomic
def deliverable_submit(
    *, actor: Any, deliverable: Deliverable | int, upload: UploadedFile, note: str = ""
) -> DeliverableVersion:
    """A new version of the deliverable, by the contract's consultant, while it is
    pending or was rejected."""
    stored = locked(Deliverable, deliverable)
    if not is_contract_holder(actor, stored.contract):
        raise PermissionDenied
    if stored.status not in OPEN:
        raise ValidationError(
            _("Ce livrable est « %(status)s » : une nouvelle version n'est pas attendue.")
            % {"status": stored.get_status_display()}
        )
    content_type = file_check(upload)
    number = (stored.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    name = get_valid_filename(Path(upload.name or "livrable").name)[:200] or "livrable"
    version = DeliverableVersion(
        deliverable=stored,
        number=number,
        name=name,
        size=upload.size or 0,
        content_type=content_type,
        note=note.strip(),
        submitted_by=actor,
    )
    version.file.save(f"{stored.pk}-v{number}-{name}", upload, save=False)
    try:
        version.save()
        change = _status_set(stored, DeliverableStatus.SUBMITTED)
        audit_record(
            actor=actor,
            action=DELIVERABLE_SUBMIT,
            obj=stored,
            changes={
                "version": [number - 1 or None, number],
                "status": change,
                "file": [None, name],
            },
        )
    except Exception:
        version.file.delete(save=False)
        raise
    return version


@transaction.atomic
def deliverable_review(
    *, actor: Any, version: DeliverableVersion | int, decision: str, comment: str = ""
) -> Review:
    """A review of the latest version by a manager of the programme: a comment puts the
    deliverable under review, a validation is final, a rejection (with its reason) asks
    for a new version."""
    pk = version.pk if isinstance(version, DeliverableVersion) else version
    found = DeliverableVersion.objects.select_related("deliverable").filter(pk=pk).first()
    if found is None:
        raise ValidationError(_("Version introuvable."))
    stored = locked(Deliverable, found.deliverable_id)
    if not can_review_contract(actor, stored.contract):
        raise PermissionDenied
    if decision not in ReviewDecision.values:
        raise ValidationError(
            {"decision": _("Décision inconnue : %(value)s.") % {"value": decision}}
        )
    latest = stored.versions.order_by("-number").first()
    if latest is None or latest.pk != found.pk:
        raise ValidationError(_("Seule la dernière version remise s'examine."))
    if stored.status not in IN_REVIEW:
        raise ValidationError(
            _("Ce livrable est « %(status)s » : il n'est pas en attente d'examen.")
            % {"status": stored.get_status_display()}
        )
    comment = comment.strip()
    if decision in (ReviewDecision.COMMENT, ReviewDecision.REJECT) and not comment:
        raise ValidationError({"comment": _("Écrivez le commentaire ou le motif du rejet.")})
    review = Review.objects.create(
        version=found, reviewer=actor, decision=decision, comment=comment
    )
    status = {
        ReviewDecision.COMMENT: DeliverableStatus.UNDER_REVIEW,
        ReviewDecision.VALIDATE: DeliverableStatus.VALIDATED,
        ReviewDecision.REJECT: DeliverableStatus.REJECTED,
    }[ReviewDecision(decision)]
    changes: dict[str, list[Any]] = {"decision": [None, decision], "version": [None, found.number]}
    if stored.status != status:
        changes["status"] = _status_set(stored, status)
    audit_record(actor=actor, action=DELIVERABLE_REVIEW, obj=stored, changes=changes)
    return review


def deliverable_validate(
    *, actor: Any, version: DeliverableVersion | int, comment: str = ""
) -> Review:
    return deliverable_review(
        actor=actor, version=version, decision=ReviewDecision.VALIDATE, comment=comment
    )


def deliverable_reject(*, actor: Any, version: DeliverableVersion | int, comment: str) -> Review:
    return deliverable_review(
        actor=actor, version=version, decision=ReviewDecision.REJECT, comment=comment
    )


@transaction.atomic
def activity_report_submit(
    *,
    actor: Any,
    contract: Contract,
    period_start: Any,
    period_end: Any,
    text: str,
    upload: UploadedFile | None = None,
) -> ActivityReport:
    if not is_contract_holder(actor, contract):
        raise PermissionDenied
    report = ActivityReport(
        contract=contract, period_start=period_start, period_end=period_end, text=text.strip()
    )
    report.full_clean(exclude=["file"])
    if upload is not None:
        file_check(upload)
        name = get_valid_filename(Path(upload.name or "rapport").name)[:200] or "rapport"
        report.file.save(f"{contract.pk}-{name}", upload, save=False)
    try:
        report.save()
        audit_record(
            actor=actor,
            action=REPORT_SUBMIT,
            obj=contract,
            changes={"report": [None, f"{period_start} – {period_end}"]},
        )
    except Exception:
        if report.file:
            report.file.delete(save=False)
        raise
    return report


@transaction.atomic
def activity_report_review(
    *, actor: Any, report: ActivityReport | int, approve: bool, comment: str = ""
) -> ActivityReport:
    """Approves the report, or returns it with a comment (the consultant sends a new one)."""
    stored = locked(ActivityReport, report)
    if not can_review_contract(actor, stored.contract):
        raise PermissionDenied
    if stored.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("Ce rapport a déjà été lu."))
    comment = comment.strip()
    if not approve and not comment:
        raise ValidationError({"comment": _("Dites ce qui manque pour renvoyer le rapport.")})
    old = stored.status
    stored.status = ReportStatus.APPROVED if approve else ReportStatus.RETURNED
    stored.reviewed_by = actor
    stored.reviewed_at = timezone.now()
    stored.review_comment = comment
    stored.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
    audit_record(
        actor=actor,
        action=REPORT_REVIEW,
        obj=stored.contract,
        changes={"report": [None, str(stored)], "status": [old, stored.status]},
    )
    return stored


def activity_report_approve(*, actor: Any, report: ActivityReport | int) -> ActivityReport:
    return activity_report_review(actor=actor, report=report, approve=True)
