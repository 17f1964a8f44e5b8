"""The REST API under /api/v1/ (django-ninja). Session or bearer-token authentication on
every operation; the OpenAPI schema and the docs page are the only public routes."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI
from ninja.security import APIKeyCookie, HttpBearer

from pilotage.accounts.api import router as accounts_router
from pilotage.accounts.services import token_authenticate
from pilotage.core.api import router as core_router
from pilotage.orgunits.api import router as orgunits_router
from pilotage.schooling.api import router as schooling_router


class SessionAuth(APIKeyCookie):
    """The browser's session cookie (with CSRF protection on writes)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if request.user.is_authenticated else None


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Pilotage API",
    version="1",
    description="Org units, people, jobs and school records (classes, pupils, marks sheets).",
    # The token first: a bearer request must not be asked for the session's CSRF token.
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)
api.add_router("/orgunits", orgunits_router)
api.add_router("/schooling", schooling_router)
api.add_router("/", accounts_router)
api.add_router("/", core_router)


def _leave_to_ninja(patterns: list[URLPattern | URLResolver]) -> None:
    """Ninja answers 401 itself; Django's login-required redirect must not catch these."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _leave_to_ninja(pattern.url_patterns)
        else:
            pattern.callback.login_required = False  # type: ignore[attr-defined]


api_patterns, api_app, api_namespace = api.urls
_leave_to_ninja(api_patterns)
