"""The knowledge base in the API: ``GET /api/v1/kb/search`` (public: anonymous callers get
the public articles, the centre's staff the internal ones too) and
``GET /api/v1/kb/articles/{id}``."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema
from pydantic import Field

from pilotage.accounts.services import token_authenticate
from pilotage.contact.search import QUERY_MAX_CHARS
from pilotage.contact.selectors.kb import article_get, article_url, kb_search
from pilotage.core.apischema import ROW_ID, errors

router = Router(tags=["kb"])


class SearchIn(Schema):
    q: str = Field(default="", max_length=QUERY_MAX_CHARS)
    # An unknown language is a 422 naming the parameter and the accepted values.
    lang: Literal["", "fr", "ar"] = ""
    limit: int = Field(default=10, ge=1, le=50)


class ResultOut(Schema):
    id: int
    title: str
    lang: str
    snippet: str
    score: float
    url: str


class SearchOut(Schema):
    results: list[ResultOut]


class ArticleOut(Schema):
    id: int
    title: str
    lang: str
    kind: str
    status: str
    body: str
    category: str | None
    closes_on: str | None
    twin: int | None
    version: int
    updated_at: str
    helpful_yes: int
    helpful_no: int
    url: str


def _reader(request: HttpRequest) -> Any:
    """These operations run without the API's auth (anonymous callers are welcome), so
    the caller is read here: a valid bearer token's user, else the session's, else None.
    A bad token is simply anonymous: it reaches only what anyone may read."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return token_authenticate(header[7:].strip())
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@router.get("/search", auth=None, response={200: SearchOut})
def kb_search_api(request: HttpRequest, filters: Query[SearchIn]) -> SearchOut:
    found = kb_search(_reader(request), filters.q, lang=filters.lang, limit=filters.limit)
    return SearchOut(results=[ResultOut(**r) for r in found])


@router.get("/articles/{article_id}", auth=None, response={200: ArticleOut, **errors(404)})
def kb_article_api(request: HttpRequest, article_id: int = Path(..., **ROW_ID)) -> ArticleOut:
    found = article_get(_reader(request), article_id)
    return ArticleOut(
        id=found.pk,
        title=found.title,
        lang=found.lang,
        kind=found.kind,
        status=found.status,
        body=found.body,
        category=found.category.code if found.category else None,
        closes_on=found.closes_on.isoformat() if found.closes_on else None,
        twin=found.twin_id,
        version=found.version,
        updated_at=found.updated_at.isoformat(),
        helpful_yes=found.helpful_yes,
        helpful_no=found.helpful_no,
        url=article_url(found),
    )
