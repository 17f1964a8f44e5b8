"""The REST API under /api/v1/ (django-ninja). Session or bearer-token authentication on
every operation; the OpenAPI schema and the docs page are the only public routes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI, Swagger
from ninja import security as ninja_security
from ninja.security import HttpBearer

from pilotage.accounts.api import router as accounts_router
from pilotage.accounts.services import token_authenticate
from pilotage.core.api import router as core_router
from pilotage.core.apischema import declare_errors
from pilotage.orgunits.api import router as orgunits_router
from pilotage.schooling.api import router as schooling_router


class SessionAuth(ninja_security.SessionAuth):
    """django-ninja's session authentication, CSRF-checked on writes as it is, but only
    once the session holds a user.

    The library checks CSRF before it looks at the session, so an anonymous write (or
    one whose bearer token was refused and fell through to the session) was answered
    "403 CSRF check failed": a caller with no credentials must hear 401. Without a
    logged-in user there is nothing for a forged request to ride on, so nothing is lost.
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class PilotageAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return declare_errors(super().get_openapi_schema(*args, **kwargs))


class PilotageDocs(Swagger):
    """Swagger UI inside the site's layout: the top bar leads back to the application,
    and the introduction above the operations is in the reader's language (the OpenAPI
    description stays the schema's own, in English)."""

    template = "core/api_docs.html"


api = PilotageAPI(
    title="Pilotage API",
    version="1",
    description=(
        "Org units, people, jobs, school records (classes, pupils, marks sheets), "
        "indicators, cooperation programmes, the contact centre and its knowledge base."
    ),
    # The token first: a bearer request must not be asked for the session's CSRF token.
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs=PilotageDocs(),
)
api.add_router("/orgunits", orgunits_router)
api.add_router("/schooling", schooling_router)
api.add_router("/indicators", "pilotage.indicators.api.router")
api.add_router("/cooperation", "pilotage.cooperation.api.router")
api.add_router("/contact", "pilotage.contact.api.router")
api.add_router("/kb", "pilotage.contact.api.kb_router")
api.add_router("/surveys", "pilotage.surveys.api.router")
api.add_router("/", accounts_router)
api.add_router("/", core_router)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # Django raises it on reading a body over DATA_UPLOAD_MAX_MEMORY_SIZE; ninja has no
    # handler for it and answered 500.
    return api.create_response(request, {"detail": "request body too large"}, status=413)


def _leave_to_ninja(patterns: list[URLPattern | URLResolver]) -> None:
    """Ninja answers 401 itself; Django's login-required redirect must not catch these."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _leave_to_ninja(pattern.url_patterns)
        else:
            pattern.callback.login_required = False  # type: ignore[attr-defined]


api_patterns, api_app, api_namespace = api.urls
_leave_to_ninja(api_patterns)
