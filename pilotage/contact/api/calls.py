"""The telephony server's webhook: ``POST /api/v1/contact/calls/incoming``.

Authenticated by a telephony token (``Authorization: Bearer tel_…``), not by a user's
session or API token: the server is not a person. See docs/contact.md, "Telephony"."""

from __future__ import annotations

import re
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer
from pydantic import Field, field_validator

from pilotage.contact.models import TelephonyToken
from pilotage.contact.services.intake import call_announce, telephony_token_check
from pilotage.core.apischema import errors

router = Router(tags=["contact"])

# Calls announced per token and per minute before 429 (a centre of a few dozen agents
# announces far fewer; a loop in a dialplan is stopped).
RATE_PER_MINUTE = 120


class TelephonyAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> TelephonyToken | None:
        found = telephony_token_check(token)
        if found is not None:
            request.telephony_token = found  # type: ignore[attr-defined]
        return found


def _clean(value: str) -> str:
    # PostgreSQL refuses NUL in text; control characters have no place in these fields.
    return re.sub(r"[\x00-\x1f\x7f]", "", value).strip()


class IncomingCallIn(Schema):
    caller: str = Field(..., min_length=1, max_length=40, description="Caller's number")
    called: str = Field("", max_length=40, description="Number dialled (the centre's line)")
    agent: str = Field(
        "", max_length=150, description="Username or extension of the agent it rings for"
    )
    call_id: str = Field(..., min_length=1, max_length=100, description="Unique id of the call")

    @field_validator("caller", "called", "agent", "call_id")
    @classmethod
    def _printable(cls, value: str) -> str:
        return _clean(value)

    @field_validator("caller")
    @classmethod
    def _has_digits(cls, value: str) -> str:
        if len(re.sub(r"\D", "", value)) < 3:
            raise ValueError("caller must be a phone number (at least 3 digits)")
        return value

    @field_validator("call_id")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value:
            raise ValueError("call_id must not be blank")
        return value


class IncomingCallOut(Schema):
    id: int
    call_id: str
    created: bool
    agent_found: bool
    requester_found: bool


def _rate_limited(token: TelephonyToken) -> bool:
    key = f"contact:calls:rate:{token.pk}"
    cache.add(key, 0, timeout=60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=60)
        count = 1
    return count > RATE_PER_MINUTE


@router.post(
    "/calls/incoming",
    auth=TelephonyAuth(),
    response={200: IncomingCallOut, 201: IncomingCallOut, **errors(401, 429)},
    summary="A call reaches an agent (telephony server webhook)",
)
def call_incoming(request: HttpRequest, body: IncomingCallIn) -> Any:
    token: TelephonyToken = request.telephony_token  # type: ignore[attr-defined]
    if _rate_limited(token):
        raise HttpError(429, "Too many calls announced with this token; retry in a minute.")
    call, created = call_announce(
        token=token, call_id=body.call_id, caller=body.caller, called=body.called, agent=body.agent
    )
    return Status(
        201 if created else 200,
        IncomingCallOut(
            id=call.pk,
            call_id=call.call_id,
            created=created,
            agent_found=call.agent_id is not None,
            requester_found=call.requester_id is not None,
        ),
    )
