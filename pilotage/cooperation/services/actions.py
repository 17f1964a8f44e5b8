"""Writing partner actions ("who does what where"). Each write checks the rule of
``permissions.can_write_action`` (a partner only its own organisation's actions, a
coordinator those of its countries, staff any), runs in one transaction, stamps who
updated it and when, bumps the version and is audited."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pilotage.cooperation.models import Partner, PartnerAction
from pilotage.cooperation.permissions import can_edit_action, can_write_action
from pilotage.cooperation.services.common import locked, version_check
from pilotage.core.audit import CREATE, DELETE, IMPORT, UPDATE, audit_record, diff, snapshot
from pilotage.orgunits.models import OrgUnit

ACTION_FIELDS = (
    "partner",
    "programme",
    "country",
    "external_ref",
    "title",
    "description",
    "topic",
    "keywords",
    "beneficiary_type",
    "planned",
    "planned_female",
    "reached",
    "reached_female",
    "start_date",
    "end_date",
    "status",
    "budget_amount",
    "budget_currency",
    "contact_name",
    "contact_email",
)


def subdivisions_check(country: OrgUnit, subdivisions: Iterable[OrgUnit]) -> list[OrgUnit]:
    """The regions, read afresh (adding a unit may renumber the callers' paths); each is a
    first-level subdivision of ``country``."""
    wanted = list(subdivisions)
    fresh = OrgUnit.objects.in_bulk([u.pk for u in wanted])
    country = fresh.get(country.pk) or OrgUnit.objects.get(pk=country.pk)
    outside = [u.code for u in wanted if fresh[u.pk].depth != 2 or not country.covers(fresh[u.pk])]
    if outside:
        raise ValidationError(
            {
                "subdivisions": [
                    _("%(unit)s n'est pas une région de %(country)s.")
                    % {"unit": code, "country": country.code}
                    for code in outside
                ]
            }
        )
    return [fresh[u.pk] for u in wanted]


def _codes(units: Iterable[OrgUnit]) -> list[str]:
    return sorted(u.code for u in units)


def _unique_ref(action: PartnerAction) -> None:
    if not action.external_ref:
        return
    taken = PartnerAction.objects.filter(
        partner_id=action.partner_id, external_ref=action.external_ref
    ).exclude(pk=action.pk)
    if taken.exists():
        raise ValidationError(
            {"external_ref": _("Ce partenaire a déjà une action de cette référence.")}
        )


@transaction.atomic
def action_create(
    *, actor: Any, subdivisions: Iterable[OrgUnit] = (), **fields: Any
) -> PartnerAction:
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"action_create cannot set {', '.join(sorted(unknown))}")
    partner: Partner | None = fields.get("partner")
    country: OrgUnit | None = fields.get("country")
    if partner is None or country is None:
        raise ValidationError(_("Une action a un partenaire et un pays."))
    if not can_write_action(actor, partner, country):
        raise PermissionDenied
    regions = subdivisions_check(country, subdivisions)
    action = PartnerAction(
        **fields,
        updated_by=actor if getattr(actor, "is_authenticated", False) else None,
        updated_at=timezone.now(),
    )
    _unique_ref(action)
    action.full_clean(exclude=["updated_at"])
    action.save()
    action.subdivisions.set(regions)
    changes = diff({}, snapshot(action, ACTION_FIELDS))
    if regions:
        changes["subdivisions"] = [None, _codes(regions)]
    audit_record(actor=actor, action=CREATE, obj=action, changes=changes)
    return action


def _apply(
    actor: Any,
    stored: PartnerAction,
    changes: dict[str, Any],
    subdivisions: Iterable[OrgUnit] | None,
    action_code: str,
) -> bool:
    """Write ``changes`` on the locked row; False when nothing differed."""
    before = snapshot(stored, ACTION_FIELDS)
    for name, value in changes.items():
        setattr(stored, name, value)
    if not can_edit_action(actor, stored):
        # The new partner or country must be within the actor's reach too.
        raise PermissionDenied
    _unique_ref(stored)
    stored.full_clean(exclude=["updated_at"])
    delta = diff(before, snapshot(stored, ACTION_FIELDS))
    old_regions = _codes(stored.subdivisions.all())
    regions = None
    if subdivisions is not None:
        regions = subdivisions_check(stored.country, subdivisions)
        if _codes(regions) != old_regions:
            delta["subdivisions"] = [old_regions, _codes(regions)]
    elif "country" in delta and old_regions:
        regions = []
        delta["subdivisions"] = [old_regions, []]
    if not delta:
        return False
    stored.version += 1
    stored.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    stored.updated_at = timezone.now()
    stored.save(update_fields=[*changes, "version", "updated_by", "updated_at"])
    if regions is not None:
        stored.subdivisions.set(regions)
    audit_record(actor=actor, action=action_code, obj=stored, changes=delta)
    return True


@transaction.atomic
def action_update(
    *,
    actor: Any,
    action: PartnerAction | int,
    version: int | None,
    subdivisions: Iterable[OrgUnit] | None = None,
    **changes: Any,
) -> PartnerAction:
    """``subdivisions`` None keeps the regions (cleared when the country changes)."""
    unknown = set(changes) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"action_update cannot change {', '.join(sorted(unknown))}")
    stored = locked(PartnerAction, action)
    if not can_edit_action(actor, stored):
        raise PermissionDenied
    version_check(stored, version)
    _apply(actor, stored, changes, subdivisions, UPDATE)
    return stored


@transaction.atomic
def action_delete(*, actor: Any, action: PartnerAction | int, version: int | None) -> None:
    stored = locked(PartnerAction, action)
    if not can_edit_action(actor, stored):
        raise PermissionDenied
    version_check(stored, version)
    label = f"{stored.partner.code} · {stored.country.code} · {stored.title}"
    audit_record(actor=actor, action=DELETE, obj=stored, changes={"title": [label, None]})
    stored.delete()


@dataclass
class ActionRow:
    """One row of an import, checked: ``existing`` is the action it updates (None: new)."""

    fields: dict[str, Any]
    subdivisions: list[OrgUnit] = field(default_factory=list)
    existing: PartnerAction | None = None


@transaction.atomic
def actions_import_apply(*, actor: Any, rows: list[ActionRow]) -> dict[str, int]:
    """Creates or updates each row's action (the importer has checked every row); a row
    equal to the stored action is unchanged and writes nothing."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for row in rows:
        if row.existing is None:
            action_create(actor=actor, subdivisions=row.subdivisions, **row.fields)
            counts["created"] += 1
            continue
        stored = locked(PartnerAction, row.existing)
        if not can_edit_action(actor, stored):
            raise PermissionDenied
        changed = _apply(actor, stored, row.fields, row.subdivisions, IMPORT)
        counts["updated" if changed else "unchanged"] += 1
    return counts
