"""Writing the registry: associations (create, edit, their fields of action) and
requesters (citizens and associations' contact people). Edits are versioned: two agents
editing the same record, the second is told to reload (``core/versioning``).

``phone_digits`` (re-exported from the selectors) is the one normalisation of phone
numbers every part of the app calls."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Upper
from django.utils.translation import gettext as _

from pilotage.contact import permissions as perms
from pilotage.contact.audit import ASSOCIATION_CREATE, REQUESTER_CREATE
from pilotage.contact.models import ActionField, Association, Requester
from pilotage.contact.selectors.registry import (
    email_normalised,
    phone_digits,
    registration_key,
)
from pilotage.core.audit import UPDATE, audit_record, snapshot
from pilotage.core.versioning import versioned_update

__all__ = [
    "ASSOCIATION_EDITABLE",
    "REQUESTER_EDITABLE",
    "association_create",
    "association_update",
    "phone_digits",
    "requester_create",
    "requester_update",
]

ASSOCIATION_EDITABLE = (
    "name_fr",
    "name_ar",
    "acronym",
    "registration_number",
    "legal_form",
    "org_unit",
    "employees",
    "volunteers",
    "founded_on",
    "email",
    "phone",
    "address",
    "language",
    "notes",
    "is_active",
)
REQUESTER_EDITABLE = (
    "first_name",
    "last_name",
    "name_ar",
    "phone",
    "email",
    "cin",
    "language",
    "association",
    "position",
    "org_unit",
)


def _association_clean(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    for name in ("name_fr", "name_ar", "acronym", "phone", "address", "notes"):
        if name in cleaned and isinstance(cleaned[name], str):
            cleaned[name] = (
                " ".join(cleaned[name].split()) if name != "address" else cleaned[name].strip()
            )
    if "email" in cleaned:
        cleaned["email"] = email_normalised(cleaned["email"])
    if "registration_number" in cleaned:
        cleaned["registration_number"] = registration_key(cleaned["registration_number"]) or None
    return cleaned


def _registration_free(number: str | None, exclude: int | None = None) -> None:
    if not number:
        return
    taken = Association.objects.annotate(reg=Upper("registration_number")).filter(reg=number)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    other = taken.first()
    if other is not None:
        raise ValidationError(
            {
                "registration_number": _(
                    "Le numéro %(number)s est déjà celui de l'association « %(name)s »."
                )
                % {"number": number, "name": other.name}
            }
        )


def _fields_set(association: Association, fields: Iterable[ActionField]) -> list[Any] | None:
    """Sets the fields of action; ``[old codes, new codes]`` when they changed."""
    before = sorted(f.code for f in association.fields.all())
    chosen = list(fields)
    after = sorted(f.code for f in chosen)
    if before == after:
        return None
    association.fields.set(chosen)
    return [before, after]


@transaction.atomic
def association_create(
    *, actor: Any, fields: Iterable[ActionField] = (), **values: Any
) -> Association:
    values = _association_clean(values)
    unknown = set(values) - set(ASSOCIATION_EDITABLE)
    if unknown:
        raise TypeError(f"association_create cannot set {', '.join(sorted(unknown))}")
    association = Association(**values)
    if association.org_unit_id is None:
        association.full_clean()
    if actor is not None and not perms.can_record_association_at(actor, association.org_unit.path):
        raise PermissionDenied
    association.full_clean(validate_constraints=False)
    _registration_free(association.registration_number)
    try:
        with transaction.atomic():
            association.save()
    except IntegrityError as exc:
        _registration_free(association.registration_number)
        raise ValidationError(_("Écriture concurrente : réessayez.")) from exc
    chosen = list(fields)
    association.fields.set(chosen)
    audit_record(
        actor=actor,
        action=ASSOCIATION_CREATE,
        obj=association,
        changes={
            **{
                k: [None, v]
                for k, v in snapshot(association, values).items()
                if v not in ("", None)
            },
            **({"fields": [None, sorted(f.code for f in chosen)]} if chosen else {}),
        },
    )
    return association


@transaction.atomic
def association_update(
    *,
    actor: Any,
    association: Association | int,
    version: int | None,
    changes: dict[str, Any],
    fields: Iterable[ActionField] | None = None,
) -> Association:
    """``changes``: fields of ``ASSOCIATION_EDITABLE``; ``fields``: the fields of action
    (None: unchanged). A new seat must also lie in the actor's reach."""
    changes = _association_clean(changes)
    pk = association.pk if isinstance(association, Association) else association

    def check(stored: Association) -> None:
        if "org_unit" in changes and not perms.can_record_association_at(
            actor, stored.org_unit.path
        ):
            raise PermissionDenied
        _registration_free(stored.registration_number, exclude=stored.pk)

    locked_at: dict[str, int] = {}

    def allowed(found: Association) -> bool:
        locked_at["version"] = found.version
        return actor is None or perms.can_edit_association(actor, found)

    stored = versioned_update(
        actor=actor,
        model=Association,
        obj=pk,
        version=version,
        changes=changes,
        editable=ASSOCIATION_EDITABLE,
        service="association_update",
        allowed=allowed,
        check=check,
    )
    if fields is not None:
        changed = _fields_set(stored, fields)
        if changed is not None:
            if stored.version == locked_at["version"]:
                # versioned_update saved nothing: the fields alone make a new version.
                stored.version += 1
                stored.save(update_fields=["version"])
            audit_record(actor=actor, action=UPDATE, obj=stored, changes={"fields": changed})
    return stored


def _requester_clean(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    for name in ("first_name", "last_name", "name_ar", "phone", "cin", "position"):
        if name in cleaned and isinstance(cleaned[name], str):
            cleaned[name] = " ".join(cleaned[name].split())
    if "email" in cleaned:
        cleaned["email"] = email_normalised(cleaned["email"])
    if "cin" in cleaned:
        cleaned["cin"] = cleaned["cin"].upper().replace(" ", "")
    return cleaned


def _requester_named(requester: Requester) -> None:
    if not (
        requester.first_name
        or requester.last_name
        or requester.name_ar
        or requester.phone_digits
        or requester.email
    ):
        raise ValidationError(
            {"last_name": _("Indiquez au moins un nom, un téléphone ou un courriel.")}
        )
    if requester.phone and len(requester.phone_digits) < 6:
        raise ValidationError(
            {
                "phone": _("« %(value)s » n'est pas un numéro de téléphone.")
                % {"value": requester.phone[:30]}
            }
        )


@transaction.atomic
def requester_create(*, actor: Any, **values: Any) -> Requester:
    values = _requester_clean(values)
    unknown = set(values) - set(REQUESTER_EDITABLE)
    if unknown:
        raise TypeError(f"requester_create cannot set {', '.join(sorted(unknown))}")
    requester = Requester(**values)
    requester.phone_digits = phone_digits(requester.phone)
    if actor is not None and not perms.can_edit_requester(actor, requester):
        raise PermissionDenied
    requester.full_clean()
    _requester_named(requester)
    requester.save()
    audit_record(
        actor=actor,
        action=REQUESTER_CREATE,
        obj=requester,
        changes={
            k: [None, v] for k, v in snapshot(requester, values).items() if v not in ("", None)
        },
    )
    return requester


@transaction.atomic
def requester_update(
    *, actor: Any, requester: Requester | int, version: int | None, changes: dict[str, Any]
) -> Requester:
    changes = _requester_clean(changes)
    if "phone" in changes:
        changes["phone_digits"] = phone_digits(changes["phone"])
    pk = requester.pk if isinstance(requester, Requester) else requester

    def check(stored: Requester) -> None:
        _requester_named(stored)
        if actor is not None and not perms.can_edit_requester(actor, stored):
            # The new association or residence lies outside the actor's reach.
            raise PermissionDenied

    return versioned_update(
        actor=actor,
        model=Requester,
        obj=pk,
        version=version,
        changes=changes,
        editable=(*REQUESTER_EDITABLE, "phone_digits"),
        service="requester_update",
        allowed=lambda r: actor is None or perms.can_edit_requester(actor, r),
        check=check,
    )
