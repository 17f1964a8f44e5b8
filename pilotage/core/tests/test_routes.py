"""Every route of the project, reached anonymously, must ask for a login unless it is on
the public allow-list below. The walk is generated from the URL configuration and the
OpenAPI schema, so a route added later is checked without touching this file."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

# Route names (namespace:name) that anyone may open, and why.
PUBLIC = {
    "accounts:login": "the login form",
    "accounts:logout": "logging out (POST only; harmless without a session)",
    "accounts:password_reset": "asking for a password e-mail (first access or forgotten)",
    "accounts:password_reset_done": "the 'e-mail sent' page",
    "accounts:password_reset_confirm": "the link from the e-mail, protected by its token",
    "accounts:password_reset_complete": "the 'password changed' page",
    "set_language": "choosing the interface language before logging in",
    "core:healthz": "reverse-proxy and monitoring probe; says only 'ok'",
    "api:openapi-json": "the API's OpenAPI schema (no data)",
    "api:openapi-view": "the API's documentation page (no data)",
    "api:api-root": "django-ninja's placeholder for reversing the API root; 404 for everyone",
    "contact:kb-public": "the public knowledge base: published articles by category, search",
    "contact:kb-public-article": "a published knowledge-base article (404 for any other)",
    "contact:kb-public-vote": "the 'was this helpful' vote on a published article (CSRF)",
    "contact:kb-download": "a form attached to a published article (staff reach the others)",
    "api:kb_search_api": "knowledge-base search: public articles only for anonymous callers",
    "api:kb_article_api": "a knowledge-base article: public ones only for anonymous callers",
    "contact:public-form": "the contact centre's public web form (honeypot, rate limits)",
    "contact:public-sent": "shows once, from the session, the reference and code just given",
    "contact:public-track": "tracking form: reference + secret code, rate-limited",
    "contact:public-ticket": "a tracked request; only for a session that gave its code",
    "contact:public-appeal": "the requester reopens their answered request; same session check",
    "contact:public-survey": "satisfaction link from the e-mail, protected by its token",
    "contact:public-survey-appeal": "reopen from the satisfaction link, protected by its token",
    "surveys:respond": "a respondent's personal survey link, protected by its signed token",
    "surveys:respond-public": "an open survey's public link (random key, rate-limited posts)",
}
# API operations open to anonymous callers (their names are in PUBLIC with the reason).
PUBLIC_API = {("GET", "/api/v1/kb/search"), ("GET", "/api/v1/kb/articles/{article_id}")}
SAMPLES = {"int": "1", "str": "x", "slug": "x", "uuid": str(uuid.UUID(int=1)), "path": "x"}
LOGIN_PREFIXES = ("/accounts/login/",)
# The Django admin does not exist for anyone but staff: even its login form answers 404
# (pilotage/core/adminsite.py); staff log in through accounts:login.
HIDDEN_PREFIXES = ("/admin/",)


def _sample_route(route: str) -> str:
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES[m.group(1) or "str"], route)


def _sample_regex(regex: str) -> str:
    # Named groups become a sample value: alternations take their first branch.
    def group(match: re.Match[str]) -> str:
        body = match.group(1)
        return body.split("|")[0] if re.fullmatch(r"[\w|]+", body) else "1"

    text = re.sub(r"\(\?P<\w+>((?:[^()]|\([^()]*\))*)\)", group, regex)
    return text.replace("^", "").replace("$", "").replace("\\", "").replace("\\Z", "")


def walk(patterns: list, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        part = pattern.pattern
        if isinstance(part, RoutePattern):
            sample = _sample_route(str(part))
        elif isinstance(part, RegexPattern):
            sample = _sample_regex(part.regex.pattern)
        else:  # pragma: no cover - Django has only these two
            raise AssertionError(part)
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern.url_patterns, prefix + sample, ns)
        elif isinstance(pattern, URLPattern):
            name = (
                f"{namespace}:{pattern.name}"
                if namespace and pattern.name
                else (pattern.name or "")
            )
            yield "/" + prefix + sample, name


ROUTES = sorted(set(walk(get_resolver().url_patterns)))


def test_walk_finds_every_app() -> None:
    names = {name.split(":")[0] for _url, name in ROUTES}
    assert {"core", "accounts", "orgunits", "api", "admin"} <= names
    assert len(ROUTES) > 40


@pytest.mark.parametrize(("url", "name"), ROUTES, ids=[f"{n or u}" for u, n in ROUTES])
def test_anonymous_is_sent_to_login(client, db, url: str, name: str) -> None:  # type: ignore[no-untyped-def]
    if name in PUBLIC:
        return
    match = resolve(url)  # the sample must reach the route it stands for
    # (ninja names one pattern per operation; GET and PUT of one path resolve to the first)
    same = match.view_name == name or (
        name.startswith("api:") and match.view_name.startswith("api:")
    )
    assert same or not name, f"{url} resolved to {match.view_name}"
    statuses = []
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        statuses.append(response.status_code)
        if url.startswith(HIDDEN_PREFIXES):
            assert response.status_code == 404, f"{method.upper()} {url}: {response.status_code}"
        elif name.startswith("api:"):
            # 405: the operation does not exist for this method (ninja checks that first).
            assert response.status_code in (401, 405), (
                f"{method.upper()} {url}: {response.status_code}"
            )
        else:
            assert response.status_code == 302, f"{method.upper()} {url}: {response.status_code}"
            assert response["Location"].startswith(LOGIN_PREFIXES), response["Location"]
    assert 401 in statuses or not name.startswith("api:")


def test_public_routes_answer_anonymously(client, db) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200
    assert client.get("/api/v1/").status_code == 404
    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "ar"


def test_public_allow_list_has_no_stale_entry() -> None:
    assert set(PUBLIC) <= {name for _url, name in ROUTES}


def _api_operations(client) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    schema = client.get("/api/v1/openapi.json").json()
    operations = []
    for path, item in schema["paths"].items():
        url = re.sub(r"\{(\w+)\}", lambda m: SAMPLES["uuid"] if "id" in m.group(1) else "x", path)
        operations += [
            (method.upper(), url)
            for method in item
            if method in {"get", "post", "put", "patch", "delete"}
            and (method.upper(), path) not in PUBLIC_API
        ]
    return operations


def test_every_api_operation_needs_authentication(client, db) -> None:  # type: ignore[no-untyped-def]
    operations = _api_operations(client)
    assert len(operations) >= 4
    for method, url in operations:
        response = client.generic(method, url)
        assert response.status_code == 401, f"{method} {url}: {response.status_code}"
        bad_token = client.generic(method, url, HTTP_AUTHORIZATION="Bearer plt_not-a-token")
        assert bad_token.status_code == 401, (
            f"{method} {url} with a bad token: {bad_token.status_code}"
        )
