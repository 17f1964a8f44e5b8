"""Reads of the phone intake screen: finding the caller while the agent types, the
caller's recent tickets, the possible duplicates of what is being recorded, and the calls
ringing for an agent."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from pilotage.contact import permissions as perms
from pilotage.contact.models import (
    OPEN_STATUSES,
    Association,
    CallStatus,
    IncomingCall,
    Requester,
    Ticket,
)
from pilotage.contact.roles import USE_CONTACT
from pilotage.core.scope import scope_of

# A call announced longer ago than this no longer rings (the server sends no hang-up).
RINGING_FOR = dt.timedelta(minutes=2)
SIMILAR_DAYS = 30
STOP_WORDS = frozenset(
    [
        "les",
        "des",
        "une",
        "pour",
        "dans",
        "sur",
        "avec",
        "par",
        "est",
        "que",
        "qui",
        "aux",
        "ses",
        "nos",
        "vos",
        "leur",
        "demande",
    ]
)


def phone_digits(raw: str) -> str:
    """The national form of a Moroccan number, digits only: ``+212 6 12…``, ``00212612…``
    and ``06 12 …`` all give ``0612…``. Other numbers keep their digits."""
    digits = re.sub(r"\D", "", raw or "")
    if digits.startswith("00212"):
        digits = "0" + digits[5:]
    elif digits.startswith("212") and len(digits) >= 11:
        digits = "0" + digits[3:]
    return digits[:20]


def requesters_visible(actor: Any) -> QuerySet[Requester]:
    """The people an agent may look up: a contact person of an association in the agent's
    reach, a citizen living in it, or one recorded without a place."""
    scope = scope_of(actor)
    return Requester.objects.filter(
        scope.q_for(USE_CONTACT, "association__org_unit__path")
        | scope.q_for(USE_CONTACT, "org_unit__path")
        | Q(association__isnull=True, org_unit__isnull=True)
    )


def requester_get(actor: Any, pk: int | str | None) -> Requester:
    if not perms.takes_calls(actor):
        raise Http404
    try:
        number = int(pk or 0)
    except (TypeError, ValueError):
        raise Http404 from None
    found = requesters_visible(actor).select_related("association").filter(pk=number).first()
    if found is None:
        raise Http404
    return found


def association_get(actor: Any, pk: int | str | None) -> Association:
    try:
        number = int(pk or 0)
    except (TypeError, ValueError):
        raise Http404 from None
    found = Association.objects.filter(perms.associations_q(actor), pk=number).first()
    if found is None or not perms.takes_calls(actor):
        raise Http404
    return found


def callers_search(actor: Any, q: str, limit: int = 8) -> dict[str, list[Any]]:
    """``{"requesters": [...], "associations": [...]}`` matching a phone number (any of
    the usual ways of writing it), a name in Latin or Arabic script, or an association's
    name, acronym or registration number. Two queries at most."""
    q = (q or "").strip()[:100]
    if len(q) < 2 or not perms.takes_calls(actor):
        return {"requesters": [], "associations": []}
    digits = phone_digits(q)
    words = [w for w in q.split() if len(w) > 1][:5]
    looks_like_phone = len(digits) >= 3 and len(digits) * 2 >= len(re.sub(r"\s", "", q))
    person = Q()
    assoc = Q()
    if looks_like_phone:
        # Matched without the country code or the leading 0, which a partial number may
        # or may not carry: "+212 6 12", "00212 612", "0612" and "612" all look for "612".
        core = re.sub(r"\D", "", q).lstrip("0")
        core = core[3:] if core.startswith("212") and len(core) > 3 else core
        core = core or digits
        person = Q(phone_digits__contains=core)
        assoc = Q(phone__contains=core)
    else:
        for word in words:
            person &= (
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(name_ar__icontains=word)
                | Q(email__icontains=word)
                | Q(association__name_fr__icontains=word)
                | Q(association__name_ar__icontains=word)
                | Q(association__acronym__iexact=word)
            )
            assoc &= (
                Q(name_fr__icontains=word)
                | Q(name_ar__icontains=word)
                | Q(acronym__iexact=word)
                | Q(registration_number__iexact=word)
            )
    requesters = list(
        requesters_visible(actor).filter(person).select_related("association")[:limit]
    )
    associations = list(
        Association.objects.filter(perms.associations_q(actor)).filter(assoc)[:limit]
    )
    return {"requesters": requesters, "associations": associations}


def requester_by_phone(raw: str) -> Requester | None:
    """The person a number belongs to, for the telephony server (no actor: the caller is
    shown to the agent the call rings for, through :func:`calls_ringing`)."""
    digits = phone_digits(raw)
    if len(digits) < 6:
        return None
    return Requester.objects.filter(phone_digits=digits).order_by("pk").first()


def requester_tickets(actor: Any, requester: Requester, limit: int = 10) -> list[Ticket]:
    """The caller's recent tickets the actor may see, open ones first. A confidential one
    is left out for whoever may not see who wrote it: listing it under the caller's name
    would say just that."""
    rows = (
        Ticket.objects.filter(perms.tickets_q(actor), requester=requester)
        .filter(perms.confidential_visible_q(actor))
        .annotate(
            done=Case(
                When(status__in=OPEN_STATUSES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .select_related("queue")
        .order_by("done", "-created_at")
    )
    return list(rows[:limit])


def _keywords(subject: str) -> list[str]:
    words = re.findall(r"\w+", (subject or "").lower())
    return [w for w in words if len(w) > 3 and w not in STOP_WORDS][:6]


def tickets_similar_open(actor: Any, requester: Requester, subject: str) -> list[Ticket]:
    """Open tickets of the same requester from the last 30 days sharing a word of the
    subject: the agent may be about to record the same request twice."""
    words = _keywords(subject)
    if not words:
        return []
    cond = Q()
    for word in words:
        cond |= Q(subject__icontains=word)
    since = timezone.now() - dt.timedelta(days=SIMILAR_DAYS)
    return list(
        Ticket.objects.filter(perms.tickets_q(actor), perms.confidential_visible_q(actor))
        .filter(requester=requester, status__in=OPEN_STATUSES, created_at__gte=since)
        .filter(cond)
        .order_by("-created_at")[:3]
    )


def calls_ringing(actor: Any) -> IncomingCall | None:
    """The latest call ringing for this agent (one indexed query, with its caller)."""
    if not getattr(actor, "is_authenticated", False):
        return None
    since = timezone.now() - RINGING_FOR
    return (
        IncomingCall.objects.filter(agent=actor, status=CallStatus.RINGING, received_at__gte=since)
        .select_related("requester")
        .order_by("-received_at")
        .first()
    )


def call_get(actor: Any, pk: int | str | None) -> IncomingCall:
    """A call announced to this agent (another's is a 404)."""
    try:
        number = int(pk or 0)
    except (TypeError, ValueError):
        raise Http404 from None
    found = IncomingCall.objects.select_related("requester").filter(pk=number, agent=actor).first()
    if found is None:
        raise Http404
    return found
