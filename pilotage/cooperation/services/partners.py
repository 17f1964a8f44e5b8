"""Writing the partners registry: partners (with a version column: two people edit them)
and their contacts. Each write checks the permission, runs in one transaction and is
audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from pilotage.cooperation.audit import CONTACT_ADD, CONTACT_REMOVE, CONTACT_UPDATE
from pilotage.cooperation.models import Partner, PartnerContact
from pilotage.cooperation.permissions import can_manage_partners
from pilotage.cooperation.services.common import locked, versioned_update
from pilotage.core.audit import CREATE, audit_record, diff, snapshot

PARTNER_FIELDS = (
    "code",
    "name_fr",
    "name_ar",
    "name_en",
    "acronym",
    "kind",
    "iati_type",
    "iati_identifier",
    "country",
    "website",
    "notes",
    "is_active",
)
PARTNER_EDITABLE = tuple(f for f in PARTNER_FIELDS if f != "code")
CONTACT_FIELDS = ("name", "position", "email", "phone")


def _normalise(fields: dict[str, Any]) -> dict[str, Any]:
    """Codes are compared upper case: « fr » and « FR » are the same country."""
    out = dict(fields)
    for name in ("country", "iati_identifier"):
        if isinstance(out.get(name), str):
            out[name] = out[name].strip()
    if isinstance(out.get("country"), str):
        out["country"] = out["country"].upper()
    return out


def _unknown(fields: dict[str, Any], allowed: tuple[str, ...], service: str) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"{service} cannot set {', '.join(sorted(unknown))}")


@transaction.atomic
def partner_create(*, actor: Any, **fields: Any) -> Partner:
    if not can_manage_partners(actor):
        raise PermissionDenied
    _unknown(fields, PARTNER_FIELDS, "partner_create")
    partner = Partner(**_normalise(fields))
    partner.full_clean()
    partner.save()
    audit_record(
        actor=actor,
        action=CREATE,
        obj=partner,
        changes=diff({}, snapshot(partner, PARTNER_FIELDS)),
    )
    return partner


@transaction.atomic
def partner_update(
    *, actor: Any, partner: Partner | int, version: int | None, **changes: Any
) -> Partner:
    _unknown(changes, PARTNER_EDITABLE, "partner_update")
    if not can_manage_partners(actor):
        raise PermissionDenied
    return versioned_update(
        actor=actor,
        model=Partner,
        obj=partner,
        version=version,
        changes=_normalise(changes),
        editable=PARTNER_EDITABLE,
        service="partner_update",
        allowed=lambda stored: True,
    )


@transaction.atomic
def partner_contact_add(*, actor: Any, partner: Partner, **fields: Any) -> PartnerContact:
    if not can_manage_partners(actor):
        raise PermissionDenied
    _unknown(fields, CONTACT_FIELDS, "partner_contact_add")
    contact = PartnerContact(partner=partner, **fields)
    contact.full_clean()
    contact.save()
    audit_record(
        actor=actor,
        action=CONTACT_ADD,
        obj=partner,
        changes={"contact": [None, contact.name]},
    )
    return contact


@transaction.atomic
def partner_contact_update(
    *, actor: Any, contact: PartnerContact | int, **changes: Any
) -> PartnerContact:
    _unknown(changes, CONTACT_FIELDS, "partner_contact_update")
    if not can_manage_partners(actor):
        raise PermissionDenied
    stored = locked(PartnerContact, contact)
    before = snapshot(stored, CONTACT_FIELDS)
    for name, value in changes.items():
        setattr(stored, name, value)
    stored.full_clean()
    delta = diff(before, snapshot(stored, CONTACT_FIELDS))
    if delta:
        stored.save(update_fields=list(changes))
        audit_record(
            actor=actor,
            action=CONTACT_UPDATE,
            obj=stored.partner,
            changes={f"contact.{k}": v for k, v in delta.items()},
        )
    return stored


@transaction.atomic
def partner_contact_remove(*, actor: Any, contact: PartnerContact | int) -> None:
    """A contact with a login (an external partner account) keeps the account; only the
    link to the partner goes."""
    if not can_manage_partners(actor):
        raise PermissionDenied
    stored = locked(PartnerContact, contact)
    partner = stored.partner
    name = stored.name
    stored.delete()
    audit_record(actor=actor, action=CONTACT_REMOVE, obj=partner, changes={"contact": [name, None]})
