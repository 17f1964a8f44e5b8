"""Writing the resources bank, print runs and distributions. A file is checked by its
content (first bytes) as well as its extension, and its size, before it is stored
through Django's storage; quantities never run ahead of the step before them (delivered
≤ printed, confirmed ≤ delivered), though planned and printed may differ either way (a
run may be printed beyond plan)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pycountry
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from pilotage.cooperation.audit import DISTRIBUTION_CONFIRM
from pilotage.cooperation.models import Distribution, EducationalResource, PrintRun, Programme
from pilotage.cooperation.permissions import (
    can_add_resource,
    can_record_print_run,
)
from pilotage.cooperation.services.common import locked, version_check
from pilotage.core.audit import CREATE, UPDATE, audit_record, diff, snapshot
from pilotage.orgunits.models import OrgUnit

RESOURCE_MAX_BYTES = 200 * 1024 * 1024
_ZIP = (b"PK\x03\x04",)
# extension → (content type, the first bytes its files start with)
RESOURCE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".mp4": ("video/mp4", ()),  # "ftyp" at byte 4, checked apart
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _ZIP,
    ),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".odt": ("application/vnd.oasis.opendocument.text", _ZIP),
    ".odp": ("application/vnd.oasis.opendocument.presentation", _ZIP),
    ".zip": ("application/zip", _ZIP),
}
RESOURCE_FIELDS = (
    "title_fr",
    "title_ar",
    "title_en",
    "kind",
    "level",
    "subject",
    "language",
    "licence",
    "url",
    "programme",
)
PRINT_RUN_FIELDS = (
    "planned",
    "printed",
    "delivered",
    "confirmed",
    "ordered_on",
    "printed_on",
    "subdivision",
)


def resource_max_bytes() -> int:
    return int(getattr(settings, "PILOTAGE_RESOURCE_MAX_BYTES", RESOURCE_MAX_BYTES))


def resource_file_check(upload: UploadedFile) -> str:
    """The upload's content type, or a ValidationError saying why it is refused."""
    if upload.size is None or upload.size > resource_max_bytes():
        raise ValidationError(
            {
                "file": _("Le fichier dépasse la taille maximale de %(size)s.")
                % {"size": filesizeformat(resource_max_bytes())}
            }
        )
    ext = Path(upload.name or "").suffix.lower()
    known = RESOURCE_TYPES.get(ext)
    if known is None:
        raise ValidationError(
            {
                "file": _(
                    "Type de fichier refusé (%(ext)s) : PDF, PNG, JPEG, MP4 ou document "
                    "bureautique."
                )
                % {"ext": ext or "—"}
            }
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type, signatures = known
    ok = head[4:8] == b"ftyp" if ext == ".mp4" else any(head.startswith(s) for s in signatures)
    if not ok:
        raise ValidationError(
            {
                "file": _("Le contenu du fichier ne correspond pas à son extension %(ext)s.")
                % {"ext": ext}
            }
        )
    return content_type


def language_check(code: str) -> str:
    code = (code or "").strip().lower()
    if len(code) != 2 or pycountry.languages.get(alpha_2=code) is None:
        raise ValidationError(
            {"language": _("« %(code)s » n'est pas un code de langue ISO 639-1.") % {"code": code}}
        )
    return code


@transaction.atomic
def resource_create(
    *, actor: Any, programme: Programme, upload: UploadedFile | None = None, **fields: Any
) -> EducationalResource:
    unknown = set(fields) - set(RESOURCE_FIELDS)
    if unknown:
        raise TypeError(f"resource_create cannot set {', '.join(sorted(unknown))}")
    if not can_add_resource(actor, programme):
        raise PermissionDenied
    fields["programme"] = programme
    fields["language"] = language_check(fields.get("language", ""))
    resource = EducationalResource(**fields)
    if upload is None and not resource.url:
        raise ValidationError({"file": _("Joignez un fichier ou donnez une adresse externe.")})
    if upload is not None:
        resource.content_type = resource_file_check(upload)
    resource.full_clean(exclude=["file"])
    if upload is not None:
        name = get_valid_filename(Path(upload.name or "ressource").name)[:100] or "ressource"
        resource.file.save(name, upload, save=False)
    try:
        resource.save()
        audit_record(
            actor=actor,
            action=CREATE,
            obj=resource,
            changes={
                **diff({}, snapshot(resource, RESOURCE_FIELDS)),
                "file": [None, resource.file.name or None],
            },
        )
    except Exception:
        if resource.file:
            resource.file.delete(save=False)
        raise
    return resource


def _quantities_check(run: PrintRun) -> None:
    problems: dict[str, str] = {}
    if run.delivered > run.printed:
        problems["delivered"] = _(
            "%(delivered)s exemplaires livrés pour %(printed)s imprimés : on ne livre pas "
            "plus que ce qui a été imprimé."
        ) % {"delivered": run.delivered, "printed": run.printed}
    if run.confirmed > run.delivered:
        problems["confirmed"] = _(
            "%(confirmed)s exemplaires reçus confirmés pour %(delivered)s livrés : la "
            "réception confirmée ne dépasse pas la livraison."
        ) % {"confirmed": run.confirmed, "delivered": run.delivered}
    if problems:
        raise ValidationError(problems)


def _subdivision_check(run: PrintRun) -> None:
    if run.subdivision_id is None:
        return
    country = OrgUnit.objects.get(pk=run.country_id)
    unit = OrgUnit.objects.get(pk=run.subdivision_id)
    if unit.pk == country.pk or not country.covers(unit):
        raise ValidationError(
            {
                "subdivision": _("%(unit)s n'est pas une subdivision de %(country)s.")
                % {"unit": unit.code, "country": country.code}
            }
        )


@transaction.atomic
def print_run_create(
    *,
    actor: Any,
    programme: Programme,
    resource: EducationalResource,
    country: OrgUnit,
    **fields: Any,
) -> PrintRun:
    unknown = set(fields) - set(PRINT_RUN_FIELDS)
    if unknown:
        raise TypeError(f"print_run_create cannot set {', '.join(sorted(unknown))}")
    if not can_record_print_run(actor, programme, country):
        raise PermissionDenied
    run = PrintRun(programme=programme, resource=resource, country=country, **fields)
    run.full_clean(validate_constraints=False)
    _quantities_check(run)
    _subdivision_check(run)
    run.save()
    audit_record(
        actor=actor,
        action=CREATE,
        obj=run,
        changes=diff({}, snapshot(run, ("resource", "country", *PRINT_RUN_FIELDS))),
    )
    return run


@transaction.atomic
def print_run_update(
    *, actor: Any, run: PrintRun | int, version: int | None, **changes: Any
) -> PrintRun:
    unknown = set(changes) - set(PRINT_RUN_FIELDS)
    if unknown:
        raise TypeError(f"print_run_update cannot change {', '.join(sorted(unknown))}")
    stored = locked(PrintRun, run)
    if not can_record_print_run(actor, stored.programme, stored.country):
        raise PermissionDenied
    version_check(stored, version)
    if stored.distributions.exists() and {"delivered", "confirmed"} & set(changes):
        raise ValidationError(
            {
                "delivered": _(
                    "Ce tirage a des distributions : les quantités livrées et reçues en "
                    "sont la somme."
                )
            }
        )
    before = snapshot(stored, PRINT_RUN_FIELDS)
    for name, value in changes.items():
        setattr(stored, name, value)
    stored.full_clean(validate_constraints=False)
    _quantities_check(stored)
    _subdivision_check(stored)
    delta = diff(before, snapshot(stored, PRINT_RUN_FIELDS))
    if not delta:
        return stored
    stored.version += 1
    stored.save(update_fields=[*changes, "version"])
    audit_record(actor=actor, action=UPDATE, obj=stored, changes=delta)
    return stored


def _sums_refresh(run: PrintRun) -> dict[str, list[Any]]:
    """The run's delivered and confirmed quantities become its distributions' sums."""
    sums = run.distributions.aggregate(d=Sum("quantity"), c=Sum("confirmed_quantity"))
    before = (run.delivered, run.confirmed)
    run.delivered, run.confirmed = sums["d"] or 0, sums["c"] or 0
    _quantities_check(run)
    run.version += 1
    run.save(update_fields=["delivered", "confirmed", "version"])
    return {"delivered": [before[0], run.delivered], "confirmed": [before[1], run.confirmed]}


@transaction.atomic
def distribution_add(
    *,
    actor: Any,
    run: PrintRun | int,
    destination: OrgUnit,
    quantity: int,
    delivered_on: dt.date,
) -> Distribution:
    """A delivery of ``quantity`` copies of the run to a region or a school of its country."""
    stored = locked(PrintRun, run)
    if not can_record_print_run(actor, stored.programme, stored.country):
        raise PermissionDenied
    country = OrgUnit.objects.get(pk=stored.country_id)
    fresh = OrgUnit.objects.get(pk=destination.pk)
    if fresh.pk == country.pk or not country.covers(fresh):
        raise ValidationError(
            {
                "destination": _("%(unit)s n'est pas dans %(country)s.")
                % {"unit": fresh.code, "country": country.code}
            }
        )
    distribution = Distribution(
        print_run=stored, destination=fresh, quantity=quantity, delivered_on=delivered_on
    )
    distribution.full_clean(validate_constraints=False)
    distribution.save()
    changes = _sums_refresh(stored)
    audit_record(
        actor=actor,
        action=CREATE,
        obj=distribution,
        changes={"quantity": [None, quantity], "destination": [None, fresh.code], **changes},
    )
    return distribution


@transaction.atomic
def distribution_confirm(
    *,
    actor: Any,
    distribution: Distribution | int,
    quantity: int,
    on: dt.date,
) -> Distribution:
    """The destination confirms it received ``quantity`` copies (at most those delivered)."""
    stored = locked(Distribution, distribution)
    run = locked(PrintRun, stored.print_run_id)
    if not can_record_print_run(actor, run.programme, run.country):
        raise PermissionDenied
    if quantity > stored.quantity:
        raise ValidationError(
            {
                "confirmed_quantity": _(
                    "%(confirmed)s exemplaires reçus confirmés pour %(delivered)s livrés : la "
                    "réception confirmée ne dépasse pas la livraison."
                )
                % {"confirmed": quantity, "delivered": stored.quantity}
            }
        )
    before = stored.confirmed_quantity
    stored.confirmed_quantity = quantity
    stored.confirmed_by = actor
    stored.confirmed_on = on
    stored.save(update_fields=["confirmed_quantity", "confirmed_by", "confirmed_on"])
    changes = _sums_refresh(run)
    audit_record(
        actor=actor,
        action=DISTRIBUTION_CONFIRM,
        obj=stored,
        changes={"confirmed_quantity": [before, quantity], **changes},
    )
    return stored
