"""Writing the meeting log: meetings (version column), and their follow-up actions, which
their owner marks done. Each write checks the permission, runs in one transaction and is
audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pilotage.cooperation.audit import FOLLOWUP_ADD, FOLLOWUP_DONE
from pilotage.cooperation.models import (
    FollowUpAction,
    FollowUpStatus,
    Meeting,
    Partner,
)
from pilotage.cooperation.permissions import can_manage_partners, can_mark_followup_done
from pilotage.cooperation.services.common import locked, version_check
from pilotage.core.audit import CREATE, UPDATE, audit_record, diff, snapshot

MEETING_FIELDS = (
    "kind",
    "date",
    "title",
    "programme",
    "external_participants",
    "minutes",
    "decisions",
)


def _people(users: Iterable[Any]) -> list[str]:
    return sorted(u.get_username() for u in users)


def _partner_codes(partners: Iterable[Partner]) -> list[str]:
    return sorted(p.code for p in partners)


def _needs_partner(partners: list[Partner]) -> None:
    if not partners:
        raise ValidationError({"partners": _("Une réunion se tient avec au moins un partenaire.")})


@transaction.atomic
def meeting_create(
    *,
    actor: Any,
    partners: Iterable[Partner],
    participants: Iterable[Any] = (),
    **fields: Any,
) -> Meeting:
    if not can_manage_partners(actor):
        raise PermissionDenied
    unknown = set(fields) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"meeting_create cannot set {', '.join(sorted(unknown))}")
    partners = list(partners)
    participants = list(participants)
    meeting = Meeting(created_by=actor if getattr(actor, "pk", None) else None, **fields)
    meeting.full_clean()
    _needs_partner(partners)
    meeting.save()
    meeting.partners.set(partners)
    meeting.participants.set(participants)
    changes = diff({}, snapshot(meeting, MEETING_FIELDS))
    changes["partners"] = [None, _partner_codes(partners)]
    if participants:
        changes["participants"] = [None, _people(participants)]
    audit_record(actor=actor, action=CREATE, obj=meeting, changes=changes)
    return meeting


@transaction.atomic
def meeting_update(
    *,
    actor: Any,
    meeting: Meeting | int,
    version: int | None,
    partners: Iterable[Partner] | None = None,
    participants: Iterable[Any] | None = None,
    **changes: Any,
) -> Meeting:
    unknown = set(changes) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"meeting_update cannot change {', '.join(sorted(unknown))}")
    if not can_manage_partners(actor):
        raise PermissionDenied
    stored = locked(Meeting, meeting)
    version_check(stored, version)
    before = snapshot(stored, MEETING_FIELDS)
    for name, value in changes.items():
        setattr(stored, name, value)
    stored.full_clean()
    delta = diff(before, snapshot(stored, MEETING_FIELDS))
    if partners is not None:
        partners = list(partners)
        _needs_partner(partners)
        old = _partner_codes(stored.partners.all())
        if old != _partner_codes(partners):
            stored.partners.set(partners)
            delta["partners"] = [old, _partner_codes(partners)]
    if participants is not None:
        participants = list(participants)
        old = _people(stored.participants.all())
        if old != _people(participants):
            stored.participants.set(participants)
            delta["participants"] = [old, _people(participants)]
    if not delta:
        return stored
    stored.version += 1
    stored.save(update_fields=[*changes, "version"])
    audit_record(actor=actor, action=UPDATE, obj=stored, changes=delta)
    return stored


@transaction.atomic
def followup_add(
    *, actor: Any, meeting: Meeting, description: str, owner: Any, due_date: dt.date
) -> FollowUpAction:
    if not can_manage_partners(actor):
        raise PermissionDenied
    action = FollowUpAction(
        meeting=meeting, description=description, owner=owner, due_date=due_date
    )
    action.full_clean()
    action.save()
    audit_record(
        actor=actor,
        action=FOLLOWUP_ADD,
        obj=meeting,
        changes={
            "followup": [
                None,
                f"{description[:80]} · {owner.get_username()} · {due_date.isoformat()}",
            ]
        },
    )
    return action


@transaction.atomic
def followup_mark_done(
    *, actor: Any, action: FollowUpAction | int, done_on: dt.date | None = None
) -> FollowUpAction:
    """Done today unless told otherwise; marking an action already done changes nothing."""
    stored = locked(FollowUpAction, action)
    if not can_mark_followup_done(actor, stored):
        raise PermissionDenied
    if stored.status == FollowUpStatus.DONE:
        return stored
    if stored.status == FollowUpStatus.CANCELLED:
        raise ValidationError(_("Cette action de suivi a été annulée."))
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("Une action ne peut pas être faite dans le futur.")})
    stored.status = FollowUpStatus.DONE
    stored.done_on = done_on
    stored.save(update_fields=["status", "done_on"])
    audit_record(
        actor=actor,
        action=FOLLOWUP_DONE,
        obj=stored.meeting,
        changes={"followup": [stored.description[:80], done_on.isoformat()]},
    )
    return stored
