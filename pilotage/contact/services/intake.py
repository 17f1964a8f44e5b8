"""Writes of the phone intake: a caller recorded on the spot, a call recorded as a ticket
(resolved at once when answered on the spot), the telephony server's announcement of a
call and the agent taking it, and the tokens that server signs with."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from pilotage.contact import permissions as perms
from pilotage.contact.audit import (
    CALL_INCOMING,
    CALL_TAKE,
    INTAKE_REQUESTER_CREATE,
    TELEPHONY_TOKEN_CREATE,
)
from pilotage.contact.models import (
    AgentExtension,
    Association,
    CallStatus,
    Category,
    Channel,
    IncomingCall,
    Language,
    Queue,
    Requester,
    Status,
    TelephonyToken,
    Ticket,
)
from pilotage.contact.roles import HANDLE_TICKETS
from pilotage.contact.selectors.intake import phone_digits, requester_by_phone
from pilotage.contact.services.tickets import ticket_create, ticket_status_set
from pilotage.core.audit import audit_record
from pilotage.core.roles import roles_with
from pilotage.core.scope import scope_of
from pilotage.orgunits.models import OrgUnit

TOKEN_PREFIX = "tel_"  # noqa: S105 - the visible start of every token, not a secret


@transaction.atomic
def requester_create(
    *,
    actor: Any,
    first_name: str = "",
    last_name: str = "",
    name_ar: str = "",
    phone: str = "",
    email: str = "",
    language: str = Language.FRENCH,
    association: Association | None = None,
) -> Requester:
    """A caller not yet on file, recorded from the intake screen."""
    if not perms.takes_calls(actor):
        raise PermissionDenied
    if association is not None and not perms.can_see_association(actor, association):
        raise PermissionDenied
    requester = Requester(
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        name_ar=name_ar.strip(),
        phone=phone.strip(),
        phone_digits=phone_digits(phone),
        email=email.strip(),
        language=language,
        association=association,
    )
    if not (requester.first_name or requester.last_name or requester.name_ar):
        raise ValidationError({"last_name": _("Indiquez le nom de l'appelant.")})
    requester.full_clean()
    requester.save()
    audit_record(
        actor=actor,
        action=INTAKE_REQUESTER_CREATE,
        obj=requester,
        changes={"name": [None, requester.display_name], "phone": [None, requester.phone]},
    )
    return requester


def org_unit_for(actor: Any, requester: Requester | None) -> OrgUnit:
    """The unit a call concerns when the agent does not say: the caller's association's
    seat or place of residence if the agent handles tickets there, else the widest unit
    the agent handles tickets in."""
    candidates: list[OrgUnit] = []
    if requester is not None:
        if requester.association is not None:
            candidates.append(requester.association.org_unit)
        if requester.org_unit is not None:
            candidates.append(requester.org_unit)
    for unit in candidates:
        if perms.can_handle_at(actor, unit.path):
            return unit
    roles = roles_with(HANDLE_TICKETS)
    grants = sorted(
        (g for g in scope_of(actor).grants if g.role in roles), key=lambda g: len(g.path)
    )
    if not grants:
        raise PermissionDenied
    return OrgUnit.objects.get(pk=grants[0].org_unit_id)


@transaction.atomic
def call_record(
    *,
    actor: Any,
    type: str,  # noqa: A002 - the ticket's field
    subject: str,
    notes: str,
    queue: Queue,
    priority: str,
    category: Category | None = None,
    requester: Requester | None = None,
    answered: bool = False,
    call: IncomingCall | None = None,
) -> Ticket:
    """A call recorded as a ticket (channel phone). ``answered``: the agent answered on the
    spot, the ticket is resolved at once and counts as a first-contact resolution;
    otherwise the queue assigns it."""
    if not perms.takes_calls(actor):
        raise PermissionDenied
    org_unit = org_unit_for(actor, requester)
    ticket = ticket_create(
        actor=actor,
        channel=Channel.PHONE,
        type=type,
        subject=subject,
        body=(notes or "").strip() or (subject or "").strip(),
        queue=queue,
        org_unit=org_unit,
        priority=priority,
        category=category,
        requester=requester,
        association=requester.association if requester is not None else None,
        language=requester.language if requester is not None else Language.FRENCH,
    )
    if answered:
        ticket = ticket_status_set(actor=actor, ticket=ticket, status=Status.RESOLVED)
        ticket.first_contact_resolution = True
        ticket.save(update_fields=["first_contact_resolution"])
    if call is not None:
        if call.agent_id != actor.pk:
            raise PermissionDenied
        call.ticket = ticket
        call.status = CallStatus.TAKEN
        call.taken_at = call.taken_at or timezone.now()
        call.save(update_fields=["ticket", "status", "taken_at"])
    return ticket


def _agent_for(ref: str) -> Any:
    """The agent a call rings for: an extension first, else a username; only someone who
    takes calls."""
    from django.contrib.auth import get_user_model

    ref = (ref or "").strip()
    if not ref:
        return None
    mapping = AgentExtension.objects.select_related("user").filter(extension=ref).first()
    user = mapping.user if mapping is not None else None
    if user is None:
        user = get_user_model().objects.filter(username=ref).first()
    if user is None or not user.is_active or not perms.takes_calls(user):
        return None
    return user


def call_announce(
    *, token: TelephonyToken, call_id: str, caller: str, called: str = "", agent: str = ""
) -> tuple[IncomingCall, bool]:
    """What the telephony server says when a call reaches an agent: recorded once per
    ``call_id`` (a retry returns the first record); the caller is recognised by number.
    Returns the call and whether it is new."""
    found = IncomingCall.objects.filter(call_id=call_id).first()
    if found is not None:
        return found, False
    user = _agent_for(agent)
    call = IncomingCall(
        call_id=call_id,
        caller=caller.strip(),
        caller_digits=phone_digits(caller),
        called=called.strip(),
        agent_ref=agent.strip(),
        agent=user,
        requester=requester_by_phone(caller),
        token=token,
        received_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            call.save()
            audit_record(
                actor=None,
                action=CALL_INCOMING,
                obj=call,
                changes={"call_id": [None, call_id], "agent": [None, agent]},
            )
    except IntegrityError:
        # The same call announced twice at once: the other request recorded it.
        return IncomingCall.objects.get(call_id=call_id), False
    return call, True


@transaction.atomic
def call_take(*, actor: Any, call: IncomingCall) -> IncomingCall:
    """The agent opens the ringing call: it stops ringing on their screen."""
    if call.agent_id != getattr(actor, "pk", None) or not perms.takes_calls(actor):
        raise PermissionDenied
    updated = IncomingCall.objects.filter(pk=call.pk, status=CallStatus.RINGING).update(
        status=CallStatus.TAKEN, taken_at=timezone.now()
    )
    call.refresh_from_db()
    if updated:
        audit_record(
            actor=actor, action=CALL_TAKE, obj=call, changes={"status": ["ringing", "taken"]}
        )
    return call


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.strip().encode()).hexdigest()


@transaction.atomic
def telephony_token_create(*, actor: Any, name: str) -> tuple[TelephonyToken, str]:
    """A new token for a telephony server; returns it and the secret, shown only now.
    ``actor`` None: the management command (run by whoever administers the server)."""
    if actor is not None and not perms.manages_telephony(actor):
        raise PermissionDenied
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Donnez un nom au jeton (le serveur qui l'utilise).")})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = TelephonyToken(name=name[:120], token_hash=token_hash(raw), prefix=raw[:12])
    token.created_by = actor
    token.save()
    audit_record(
        actor=actor, action=TELEPHONY_TOKEN_CREATE, obj=token, changes={"name": [None, name]}
    )
    return token, raw


def telephony_token_check(raw: str) -> TelephonyToken | None:
    if not raw or len(raw) > 200:
        return None
    token = TelephonyToken.objects.filter(Q(token_hash=token_hash(raw)), is_active=True).first()
    if token is not None:
        TelephonyToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token
