"""Writing agreements: the agreement itself (version column), its parties, its documents
(PDF checked by content), its obligations and their reporting, its amendments, and the
e-mail reminders before each due date. Each write checks the permission, runs in one
transaction and is audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from pilotage.cooperation.audit import (
    AMENDMENT_RECORD,
    DOCUMENT_ADD,
    OBLIGATION_REMIND,
    OBLIGATION_REVIEW,
    OBLIGATION_SUBMIT,
    PARTY_ADD,
    PARTY_REMOVE,
)
from pilotage.cooperation.models import (
    Agreement,
    AgreementDocument,
    AgreementParty,
    AgreementStatus,
    Amendment,
    Obligation,
    ObligationReminder,
    ObligationStatus,
    OrganisationRole,
    Partner,
    Programme,
)
from pilotage.cooperation.permissions import (
    can_create_agreement,
    can_edit_agreement,
    can_submit_obligation,
    can_view_agreement,
)
from pilotage.cooperation.services.common import locked, version_check, versioned_update
from pilotage.core.audit import CREATE, audit_record, diff, snapshot

logger = logging.getLogger(__name__)

AGREEMENT_FIELDS = (
    "reference",
    "title_fr",
    "title_ar",
    "title_en",
    "kind",
    "status",
    "signed_on",
    "effective_on",
    "ends_on",
    "amount",
    "currency",
)
AGREEMENT_EDITABLE = tuple(f for f in AGREEMENT_FIELDS if f != "reference")
# What an amendment may change (the rest of the agreement is not amended, it is corrected).
AMENDABLE = ("title_fr", "title_ar", "title_en", "effective_on", "ends_on", "amount", "currency")
OBLIGATION_FIELDS = ("kind", "title", "due_on", "responsible_party", "owner", "reminder_days")

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


def document_max_bytes() -> int:
    return int(getattr(settings, "PILOTAGE_AGREEMENT_DOCUMENT_MAX_BYTES", DOCUMENT_MAX_BYTES))


# --- the agreement -------------------------------------------------------------------------


def _signed_check(agreement: Agreement, parties: list[AgreementParty] | None = None) -> None:
    """A signed agreement has its signature date and at least one funding party."""
    if agreement.status != AgreementStatus.SIGNED:
        return
    problems: dict[str, str] = {}
    if agreement.signed_on is None:
        problems["signed_on"] = _("Un accord signé a une date de signature.")
    if agreement.pk is None:
        funding = False
    elif parties is not None:
        funding = any(p.role == OrganisationRole.FUNDING for p in parties)
    else:
        funding = agreement.parties.filter(role=OrganisationRole.FUNDING).exists()
    if not funding:
        problems["status"] = _(
            "Un accord ne peut être signé sans au moins une partie financeur : ajoutez-la d'abord."
        )
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def agreement_create(*, actor: Any, programme: Programme | None, **fields: Any) -> Agreement:
    """A new agreement (in negotiation unless said otherwise), for a programme the actor
    manages (the head: any, or none)."""
    if not can_create_agreement(actor, programme):
        raise PermissionDenied
    unknown = set(fields) - set(AGREEMENT_FIELDS)
    if unknown:
        raise TypeError(f"agreement_create cannot set {', '.join(sorted(unknown))}")
    agreement = Agreement(programme=programme, **fields)
    agreement.full_clean()
    _signed_check(agreement)
    agreement.save()
    audit_record(
        actor=actor,
        action=CREATE,
        obj=agreement,
        changes=diff({}, snapshot(agreement, ("programme", *AGREEMENT_FIELDS))),
    )
    return agreement


@transaction.atomic
def agreement_update(
    *, actor: Any, agreement: Agreement | int, version: int | None, **changes: Any
) -> Agreement:
    return versioned_update(
        actor=actor,
        model=Agreement,
        obj=agreement,
        version=version,
        changes=changes,
        editable=AGREEMENT_EDITABLE,
        service="agreement_update",
        allowed=lambda stored: can_edit_agreement(actor, stored),
        check=_signed_check,
    )


def _party_label(party: AgreementParty) -> str:
    return f"{party.partner.code} · {party.get_role_display()}"


@transaction.atomic
def agreement_party_add(
    *, actor: Any, agreement: Agreement, partner: Partner, role: str
) -> AgreementParty:
    stored = locked(Agreement, agreement)
    if not can_edit_agreement(actor, stored):
        raise PermissionDenied
    if role not in OrganisationRole.values:
        raise ValidationError(
            {"role": _("%(value)s n'est pas un rôle IATI (1 à 4).") % {"value": str(role)[:10]}}
        )
    if stored.parties.filter(partner=partner, role=role).exists():
        raise ValidationError(
            {"partner": _("%(partner)s a déjà ce rôle dans l'accord.") % {"partner": partner}}
        )
    party = AgreementParty.objects.create(agreement=stored, partner=partner, role=role)
    audit_record(
        actor=actor, action=PARTY_ADD, obj=stored, changes={"party": [None, _party_label(party)]}
    )
    return party


@transaction.atomic
def agreement_party_remove(*, actor: Any, party: AgreementParty) -> None:
    stored = locked(Agreement, party.agreement_id)
    if not can_edit_agreement(actor, stored):
        raise PermissionDenied
    remaining = [p for p in stored.parties.all() if p.pk != party.pk]
    _signed_check(stored, remaining)
    label = _party_label(party)
    AgreementParty.objects.filter(pk=party.pk).delete()
    audit_record(actor=actor, action=PARTY_REMOVE, obj=stored, changes={"party": [label, None]})


# --- documents -----------------------------------------------------------------------------


def pdf_check(upload: UploadedFile) -> str:
    """The upload's SHA-256, or a ValidationError naming why it is refused: too large, or
    not a PDF by its content (the first bytes, then a parse with pypdf that finds its
    pages), whatever its name says."""
    limit = document_max_bytes()
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {
                "file": _("Le fichier dépasse la taille maximale de %(size)s.")
                % {"size": filesizeformat(limit)}
            }
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if not data.startswith(PDF_MAGIC):
        raise ValidationError(
            {"file": _("Seuls les fichiers PDF sont acceptés : ce fichier n'est pas un PDF.")}
        )
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        pages = len(PdfReader(io.BytesIO(data), strict=False).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        pages = 0
    if pages < 1:
        raise ValidationError(
            {"file": _("Ce fichier commence comme un PDF mais n'en est pas un lisible.")}
        )
    return hashlib.sha256(data).hexdigest()


def _document_store(
    *, actor: Any, agreement: Agreement, title: str, upload: UploadedFile
) -> AgreementDocument:
    sha256 = pdf_check(upload)
    stem = Path(upload.name or "document").stem
    name = (get_valid_filename(stem)[:180] or "document") + ".pdf"
    document = AgreementDocument(
        agreement=agreement,
        title=(title or stem)[:200],
        name=name,
        size=upload.size or 0,
        sha256=sha256,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    document.full_clean(exclude=["file"])
    document.file.save(name, upload, save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document


@transaction.atomic
def agreement_document_add(
    *, actor: Any, agreement: Agreement | int, title: str, upload: UploadedFile
) -> AgreementDocument:
    """A PDF of the agreement, stored through Django's storage."""
    stored = locked(Agreement, agreement)
    if not can_edit_agreement(actor, stored):
        raise PermissionDenied
    document = _document_store(actor=actor, agreement=stored, title=title, upload=upload)
    audit_record(
        actor=actor,
        action=DOCUMENT_ADD,
        obj=stored,
        changes={"document": [None, document.name], "sha256": [None, document.sha256]},
    )
    return document


# --- obligations ---------------------------------------------------------------------------


def _reminder_days_clean(days: Any) -> list[int]:
    try:
        values = sorted({int(d) for d in days}, reverse=True)
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            {"reminder_days": _("Des nombres de jours entiers, séparés par des virgules.")}
        ) from exc
    if any(d < 1 or d > 365 for d in values):
        raise ValidationError(
            {"reminder_days": _("Chaque rappel part entre 1 et 365 jours avant l'échéance.")}
        )
    return values


def _obligation_check(obligation: Obligation) -> None:
    if obligation.responsible_party_id is None and obligation.owner_id is None:
        raise ValidationError(
            {"responsible_party": _("Indiquez la partie responsable ou un responsable interne.")}
        )
    if (
        obligation.responsible_party_id is not None
        and not obligation.agreement.parties.filter(
            partner_id=obligation.responsible_party_id
        ).exists()
    ):
        raise ValidationError(
            {"responsible_party": _("La partie responsable doit être partie à l'accord.")}
        )


@transaction.atomic
def obligation_create(*, actor: Any, agreement: Agreement, **fields: Any) -> Obligation:
    unknown = set(fields) - set(OBLIGATION_FIELDS)
    if unknown:
        raise TypeError(f"obligation_create cannot set {', '.join(sorted(unknown))}")
    stored = locked(Agreement, agreement)
    if not can_edit_agreement(actor, stored):
        raise PermissionDenied
    if "reminder_days" in fields:
        fields["reminder_days"] = _reminder_days_clean(fields["reminder_days"])
    obligation = Obligation(agreement=stored, **fields)
    obligation.full_clean()
    _obligation_check(obligation)
    obligation.save()
    audit_record(
        actor=actor,
        action=CREATE,
        obj=obligation,
        changes=diff({}, snapshot(obligation, ("agreement", *OBLIGATION_FIELDS))),
    )
    return obligation


@transaction.atomic
def obligation_submit(
    *, actor: Any, obligation: Obligation | int, upload: UploadedFile, title: str = ""
) -> Obligation:
    """The responsible party (or a manager) hands in the document that fulfils the
    obligation; a manager then accepts it. A refused one may be handed in again."""
    stored = locked(Obligation, obligation)
    if not can_view_agreement(actor, stored.agreement):
        raise PermissionDenied
    if not can_submit_obligation(actor, stored):
        raise PermissionDenied
    if stored.status in (ObligationStatus.ACCEPTED, ObligationStatus.WAIVED):
        raise ValidationError(
            {
                "file": _("Cette obligation est close (%(status)s).")
                % {"status": stored.get_status_display()}
            }
        )
    document = _document_store(
        actor=actor, agreement=stored.agreement, title=title or stored.title, upload=upload
    )
    before = snapshot(stored, ("status", "document"))
    stored.document = document
    stored.status = ObligationStatus.SUBMITTED
    stored.submitted_at = timezone.now()
    stored.submitted_by = actor
    stored.version += 1
    stored.save(update_fields=["document", "status", "submitted_at", "submitted_by", "version"])
    audit_record(
        actor=actor,
        action=OBLIGATION_SUBMIT,
        obj=stored,
        changes={
            **diff(before, snapshot(stored, ("status", "document"))),
            "sha256": [None, document.sha256],
        },
    )
    return stored


@transaction.atomic
def obligation_review(
    *, actor: Any, obligation: Obligation | int, version: int | None, status: str
) -> Obligation:
    """Accept what was handed in, send it back (pending again) or waive the obligation."""
    stored = locked(Obligation, obligation)
    if not can_edit_agreement(actor, stored.agreement):
        raise PermissionDenied
    version_check(stored, version)
    allowed: dict[str, tuple[str, ...]] = {
        ObligationStatus.ACCEPTED: (ObligationStatus.SUBMITTED,),
        ObligationStatus.PENDING: (ObligationStatus.SUBMITTED, ObligationStatus.WAIVED),
        ObligationStatus.WAIVED: (ObligationStatus.PENDING, ObligationStatus.SUBMITTED),
    }
    if stored.status not in allowed.get(status, ()):
        raise ValidationError(
            {
                "status": _("Une obligation « %(from)s » ne peut passer à « %(to)s ».")
                % {
                    "from": stored.get_status_display(),
                    "to": ObligationStatus(status).label
                    if status in ObligationStatus.values
                    else status[:20],
                }
            }
        )
    before = stored.status
    stored.status = status
    stored.reviewed_at = timezone.now()
    stored.version += 1
    stored.save(update_fields=["status", "reviewed_at", "version"])
    audit_record(
        actor=actor, action=OBLIGATION_REVIEW, obj=stored, changes={"status": [before, status]}
    )
    return stored


# --- amendments ----------------------------------------------------------------------------


@transaction.atomic
def amendment_record(
    *,
    actor: Any,
    agreement: Agreement | int,
    version: int | None,
    signed_on: dt.date,
    signed_by: str,
    summary: str,
    **changes: Any,
) -> Amendment:
    """A signed amendment: its changes are applied to the agreement in the same
    transaction, kept in the amendment as ``{field: [old, new]}`` and in the audit log."""
    unknown = set(changes) - set(AMENDABLE)
    if unknown:
        raise TypeError(f"amendment_record cannot change {', '.join(sorted(unknown))}")
    stored = locked(Agreement, agreement)
    if not can_edit_agreement(actor, stored):
        raise PermissionDenied
    version_check(stored, version)
    if stored.signed_on is not None and signed_on < stored.signed_on:
        raise ValidationError(
            {
                "signed_on": _("Un avenant est signé après l'accord (%(date)s).")
                % {"date": stored.signed_on}
            }
        )
    before = snapshot(stored, AMENDABLE)
    for name, value in changes.items():
        setattr(stored, name, value)
    stored.full_clean()
    delta = diff(before, snapshot(stored, AMENDABLE))
    number = (stored.amendments.aggregate(n=Max("number"))["n"] or 0) + 1
    amendment = Amendment(
        agreement=stored,
        number=number,
        signed_on=signed_on,
        signed_by=signed_by.strip(),
        summary=summary.strip(),
        changes=delta,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    amendment.full_clean()
    if delta:
        stored.version += 1
        stored.save(update_fields=[*delta, "version"])
    amendment.save()
    audit_record(
        actor=actor,
        action=AMENDMENT_RECORD,
        obj=stored,
        changes={**delta, "amendment": [None, number]},
    )
    return amendment


# --- reminders -----------------------------------------------------------------------------


def _threshold_due(obligation: Obligation, today: dt.date) -> int | None:
    """The reminder owed today: the nearest threshold (days before the due date, 0 being
    the due date) already reached. A missed day sends it the next day; it is recorded so
    it goes once."""
    left = (obligation.due_on - today).days
    if left < 0:
        return None
    reached = [d for d in [*obligation.reminder_days, 0] if int(d) >= left]
    return min(reached) if reached else None


@transaction.atomic
def obligations_claim_reminders(*, today: dt.date) -> list[tuple[Obligation, int]]:
    """The obligations owed a reminder today, each recorded (``ObligationReminder``) before
    anything is sent, so a second run the same day, or the next, sends nothing twice."""
    horizon = today + dt.timedelta(days=366)
    candidates = (
        Obligation.objects.select_for_update(of=("self",))
        .filter(status=ObligationStatus.PENDING, due_on__gte=today, due_on__lte=horizon)
        .select_related("agreement", "responsible_party", "owner")
        .order_by("due_on", "pk")
    )
    claimed: list[tuple[Obligation, int]] = []
    for obligation in candidates:
        days = _threshold_due(obligation, today)
        if days is None:
            continue
        try:
            with transaction.atomic():
                ObligationReminder.objects.create(
                    obligation=obligation, due_on=obligation.due_on, days_before=days, sent_on=today
                )
        except IntegrityError:
            continue
        Obligation.objects.filter(pk=obligation.pk).update(last_reminded_on=today)
        audit_record(
            actor=None,
            action=OBLIGATION_REMIND,
            obj=obligation,
            changes={"days_before": [None, days], "due_on": [None, obligation.due_on.isoformat()]},
        )
        claimed.append((obligation, days))
    return claimed


def _language(code: str) -> str:
    known = {c for c, _name in settings.LANGUAGES}
    return code if code in known else "fr"


def reminder_recipients(obligation: Obligation) -> list[tuple[str, str, str]]:
    """(name, e-mail, language): the internal owner and the responsible party's contacts
    (a contact in their account's language, French otherwise)."""
    people: dict[str, tuple[str, str, str]] = {}
    owner = obligation.owner
    if owner is not None and owner.email:
        people[owner.email.lower()] = (
            owner.get_full_name() or owner.get_username(),
            owner.email,
            _language(getattr(owner, "preferred_language", "") or "fr"),
        )
    if obligation.responsible_party is not None:
        for contact in obligation.responsible_party.contacts.select_related("user"):
            email = contact.email or (contact.user.email if contact.user else "")
            if not email or email.lower() in people:
                continue
            language = getattr(contact.user, "preferred_language", "") if contact.user else ""
            people[email.lower()] = (contact.name, email, _language(language or "fr"))
    return list(people.values())


def _reminder_message(
    obligation: Obligation, days: int, name: str, email: str, language: str, today: dt.date
) -> EmailMessage:
    from pilotage.core.mail import base_url

    with translation.override(language):
        if days == 0:
            subject = _("Pilotage : échéance aujourd'hui — %(title)s") % {"title": obligation.title}
        else:
            subject = _("Pilotage : échéance dans %(days)s jours — %(title)s") % {
                "days": (obligation.due_on - today).days,
                "title": obligation.title,
            }
        body = render_to_string(
            "cooperation/agreements/reminder_email.txt",
            {
                "name": name,
                "obligation": obligation,
                "agreement": obligation.agreement,
                "left": (obligation.due_on - today).days,
                "base_url": base_url(),
            },
        )
    message = EmailMessage(subject=subject, body=body, to=[email])
    message.extra_headers["Content-Language"] = language
    return message


def reminders_send(*, today: dt.date | None = None) -> dict[str, int]:
    """Send today's reminders (see ``obligations_claim_reminders``); returns the counts."""
    today = today or timezone.localdate()
    claimed = obligations_claim_reminders(today=today)
    sent = failed = nobody = 0
    for obligation, days in claimed:
        recipients = reminder_recipients(obligation)
        if not recipients:
            nobody += 1
        delivered = 0
        for name, email, language in recipients:
            try:
                _reminder_message(obligation, days, name, email, language, today).send()
            except OSError:
                logger.exception("reminder of obligation %s to %s failed", obligation.pk, email)
                failed += 1
            else:
                sent += 1
                delivered += 1
        ObligationReminder.objects.filter(
            obligation=obligation, due_on=obligation.due_on, days_before=days
        ).update(recipients=delivered)
    return {"reminders": len(claimed), "emails": sent, "no_email": nobody, "failed": failed}
