"""Writing the opportunity pipeline. An opportunity's details are edited with a version
column; its stage moves only through :func:`opportunity_move`, audited, under the rules:
an open stage (identified, proposal, negotiation) moves to any other stage; signed and
dropped are final, and only the head of the service reopens one (back to an open stage)."""

from __future__ import annotations

from typing import Any

import pycountry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pilotage.cooperation.audit import STAGE_MOVE
from pilotage.cooperation.models import Opportunity, Stage
from pilotage.cooperation.models.pipeline import FINAL_STAGES, FUNNEL, OPEN_STAGES
from pilotage.cooperation.permissions import can_manage_partners, can_reopen_opportunity
from pilotage.cooperation.services.common import locked, version_check, versioned_update
from pilotage.core.audit import CREATE, UNLOCK, audit_record, diff, snapshot

OPPORTUNITY_FIELDS = (
    "title_fr",
    "title_ar",
    "title_en",
    "partner",
    "stage",
    "expected_amount",
    "currency",
    "probability",
    "expected_year",
    "next_step",
    "next_step_on",
    "iati_identifier",
)
# The stage is not among them: it moves through opportunity_move.
OPPORTUNITY_EDITABLE = tuple(f for f in OPPORTUNITY_FIELDS if f != "stage")


def _currency_check(code: str) -> None:
    """An ISO 4217 code pycountry knows (the model only checks three capitals)."""
    if pycountry.currencies.get(alpha_3=code) is None:
        raise ValidationError(
            {
                "currency": _("« %(value)s » n'est pas un code de devise ISO 4217.")
                % {"value": code[:10]}
            }
        )


def _rank(stage: str) -> int:
    return FUNNEL.index(Stage(stage)) if stage in FUNNEL else -1


def _furthest(reached: str, stage: str) -> str:
    return stage if _rank(stage) > _rank(reached) else reached


@transaction.atomic
def opportunity_create(*, actor: Any, **fields: Any) -> Opportunity:
    """A new opportunity, at the stage given (identified by default; not a final one: an
    opportunity is signed or dropped by moving it)."""
    if not can_manage_partners(actor):
        raise PermissionDenied
    unknown = set(fields) - set(OPPORTUNITY_FIELDS)
    if unknown:
        raise TypeError(f"opportunity_create cannot set {', '.join(sorted(unknown))}")
    opportunity = Opportunity(**fields)
    if opportunity.stage not in OPEN_STAGES:
        raise ValidationError(
            {"stage": _("Une opportunité commence à une étape ouverte ; signez-la ensuite.")}
        )
    opportunity.stage_reached = opportunity.stage
    opportunity.full_clean()
    _currency_check(opportunity.currency)
    opportunity.save()
    audit_record(
        actor=actor,
        action=CREATE,
        obj=opportunity,
        changes=diff({}, snapshot(opportunity, OPPORTUNITY_FIELDS)),
    )
    return opportunity


@transaction.atomic
def opportunity_update(
    *, actor: Any, opportunity: Opportunity | int, version: int | None, **changes: Any
) -> Opportunity:
    if not can_manage_partners(actor):
        raise PermissionDenied
    return versioned_update(
        actor=actor,
        model=Opportunity,
        obj=opportunity,
        version=version,
        changes=changes,
        editable=OPPORTUNITY_EDITABLE,
        service="opportunity_update",
        allowed=lambda stored: True,
        check=(lambda stored: _currency_check(stored.currency)) if "currency" in changes else None,
    )


@transaction.atomic
def opportunity_move(
    *,
    actor: Any,
    opportunity: Opportunity | int,
    stage: str,
    version: int | None,
    next_step: str | None = None,
) -> Opportunity:
    """Move to ``stage`` (and optionally say the next step). Reopening a signed or dropped
    opportunity is the head's decision and is audited as a reopening."""
    if not can_manage_partners(actor):
        raise PermissionDenied
    if stage not in Stage.values:
        raise ValidationError({"stage": _("« %(value)s » n'est pas une étape.") % {"value": stage}})
    stored = locked(Opportunity, opportunity)
    version_check(stored, version)
    old = stored.stage
    if stage == old:
        return stored
    reopening = old in FINAL_STAGES
    if reopening:
        if not can_reopen_opportunity(actor):
            raise ValidationError(
                {
                    "stage": _(
                        "Une opportunité signée ou abandonnée est close : seul le chef du "
                        "service peut la rouvrir."
                    )
                }
            )
        if stage not in OPEN_STAGES:
            raise ValidationError({"stage": _("Une opportunité se rouvre à une étape ouverte.")})
    stored.stage = stage
    if reopening and old == Stage.SIGNED:
        # No longer signed: the funnel must not count it as having got there.
        stored.stage_reached = stage
    else:
        stored.stage_reached = _furthest(stored.stage_reached, stage)
    fields = ["stage", "stage_reached", "version"]
    changes: dict[str, list[Any]] = {"stage": [old, stage]}
    if next_step is not None and next_step != stored.next_step:
        changes["next_step"] = [stored.next_step, next_step]
        stored.next_step = next_step
        fields.append("next_step")
    stored.full_clean()
    stored.version += 1
    stored.save(update_fields=fields)
    audit_record(
        actor=actor, action=UNLOCK if reopening else STAGE_MOVE, obj=stored, changes=changes
    )
    return stored
