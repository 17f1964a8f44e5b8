from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from pilotage.accounts.scope import scope_of
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
def me(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Who the caller is and which roles over which units they hold."""
    user = request.user
    grants = scope_of(user).grants
    codes = dict(
        OrgUnit.objects.filter(pk__in=[g.org_unit_id for g in grants]).values_list("pk", "code")
    )
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "preferred_language": user.preferred_language,  # type: ignore[union-attr]
        "roles": [{"role": g.role, "org_unit": codes.get(g.org_unit_id)} for g in grants],
    }
