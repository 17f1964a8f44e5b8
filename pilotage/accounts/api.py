from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from pilotage.core.scope import scope_of
from pilotage.orgunits.models import OrgUnit

router = Router(tags=["accounts"])


class GrantOut(Schema):
    role: str
    org_unit: str | None


class MeOut(Schema):
    username: str
    first_name: str
    last_name: str
    preferred_language: str
    roles: list[GrantOut]


@router.get("/me", response=MeOut)
def me(request: HttpRequest):
    """Who the caller is and which roles over which units they hold."""
    user: Any = request.user
    grants = scope_of(user).grants
    codes = dict(
        OrgUnit.objects.filter(pk__in=[g.org_unit_id for g in grants]).values_list("pk", "code")
    )
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "preferred_language": user.preferred_language,
        "roles": [{"role": g.role, "org_unit": codes.get(g.org_unit_id)} for g in grants],
    }
