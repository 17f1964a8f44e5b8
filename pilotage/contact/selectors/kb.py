"""Knowledge-base reads: the search the agent screen, the public pages and the API share,
the staff's list, an article, its versions and the comparison of two of them.

The search runs on the normalised text (``contact/search.py``): PostgreSQL's ``tsvector``
column (``ts_rank_cd``, title weight A over body weight B) or SQLite's FTS5 table
(``bm25()``, title weighted ten times the body); both give the same result shape, best
first, and the same snippet (cut from the author's text around the first matching word)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse

from pilotage.contact import permissions as perms
from pilotage.contact import search
from pilotage.contact.models import Article, ArticleStatus, ArticleVersion

# ts_rank_cd's weights, in the order {D, C, B, A}: a title hit is worth ten body hits.
PG_WEIGHTS = "{0.01, 0.02, 0.1, 1.0}"
FTS5_WEIGHTS = (10.0, 1.0)  # title, body


def _is_staff(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and perms.can_use(actor)


def visible_statuses(actor: Any, *, drafts: bool = False) -> list[str]:
    """Public articles for everyone; internal ones too for the centre's staff; drafts too
    for those who write them, when asked (the staff's list)."""
    statuses = [ArticleStatus.PUBLIC.value]
    if _is_staff(actor):
        statuses.append(ArticleStatus.INTERNAL.value)
        if drafts and perms.writes_kb(actor):
            statuses.append(ArticleStatus.DRAFT.value)
    return statuses


def articles_visible(actor: Any, *, drafts: bool = False) -> QuerySet[Article]:
    return Article.objects.filter(status__in=visible_statuses(actor, drafts=drafts))


def article_get(actor: Any, pk: int, *, drafts: bool = False) -> Article:
    found = articles_visible(actor, drafts=drafts).select_related("category", "twin").filter(pk=pk)
    article = found.first()
    if article is None:
        raise Http404
    return article


def article_public_url(article_id: int) -> str:
    return reverse("contact:kb-public-article", args=[article_id])


def article_url(article: Article) -> str:
    """The public page of a public article, the staff's page of any other."""
    if article.status == ArticleStatus.PUBLIC:
        return article_public_url(article.pk)
    return reverse("contact:kb-article", args=[article.pk])


def _rows_postgres(
    query: str, statuses: list[str], lang: str, limit: int
) -> list[tuple[int, str, str, str, str, float]]:
    # The planner prices a tsvector match as if it were free: once a query's words are in
    # about half the articles it scans the whole table (or every article of the language,
    # by the status and language index) and unpacks each article's vector to test it,
    # where the GIN index hands over only those that match. So the match is alone in a
    # subquery that is not merged into the rest (OFFSET 0), with the sequential scan kept
    # off: the GIN index is its only way in; status and language are then filtered, and
    # only what is left is ranked (10 000 articles: bench/kb_search.py). SET LOCAL ends
    # with the transaction (a pooler in transaction mode keeps it on one connection) and
    # is put back for the rest of an enclosing one.
    sql = [
        "SELECT m.id, m.title, m.lang, m.body, m.status,",
        f"ts_rank_cd('{PG_WEIGHTS}'::float4[], m.search_vector, q) AS score",
        "FROM (SELECT a.id, a.title, a.lang, a.body, a.status, a.search_vector",
        "FROM contact_article a WHERE a.search_vector @@ to_tsquery('simple', %s)",
        "OFFSET 0) m, to_tsquery('simple', %s) q",
        "WHERE m.status = ANY(%s)",
    ]
    params: list[Any] = [query, query, statuses]
    if lang:
        sql.append("AND m.lang = %s")
        params.append(lang)
    sql.append("ORDER BY score DESC, m.id LIMIT %s")
    params.append(limit)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(" ".join(sql), params)
        rows = list(cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan TO DEFAULT")
    return rows


def _rows_sqlite(
    query: str, statuses: list[str], lang: str, limit: int
) -> list[tuple[int, str, str, str, str, float]]:
    table = search.FTS_TABLE
    rank = f"bm25({table}, {FTS5_WEIGHTS[0]}, {FTS5_WEIGHTS[1]})"
    marks = ", ".join(["%s"] * len(statuses))
    sql = [
        f"SELECT a.id, a.title, a.lang, a.body, a.status, -{rank} AS score",  # noqa: S608
        f"FROM {table} JOIN contact_article a ON a.id = {table}.rowid",
        f"WHERE {table} MATCH %s AND a.status IN ({marks})",
    ]
    params: list[Any] = [query, *statuses]
    if lang:
        sql.append("AND a.lang = %s")
        params.append(lang)
    sql.append(f"ORDER BY {rank}, a.id LIMIT %s")
    params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(" ".join(sql), params)
        return list(cursor.fetchall())


def kb_search(
    actor: Any, q: str, *, lang: str = "", limit: int = 10, drafts: bool = False
) -> list[dict[str, Any]]:
    """``[{"id", "title", "lang", "snippet", "score", "url"}]``, best first: the articles
    the actor may read holding any word of ``q`` (the last one also as a prefix, for a
    subject being typed). ``url`` is the public page for a public article, the staff's
    page otherwise."""
    words = search.query_terms(q)
    if not words:
        return []
    prefix_last = not (q or "")[: search.QUERY_MAX_CHARS].endswith(" ")
    statuses = visible_statuses(actor, drafts=drafts)
    limit = max(1, min(int(limit), 50))
    if connection.vendor == "postgresql":
        rows = _rows_postgres(
            search.pg_tsquery(words, prefix_last=prefix_last), statuses, lang, limit
        )
    else:
        rows = _rows_sqlite(
            search.fts5_query(words, prefix_last=prefix_last), statuses, lang, limit
        )
    return [
        {
            "id": pk,
            "title": title,
            "lang": article_lang,
            "snippet": search.snippet(body, words),
            "score": round(float(score), 6),
            "url": (
                article_public_url(pk)
                if status == ArticleStatus.PUBLIC
                else reverse("contact:kb-article", args=[pk])
            ),
        }
        for pk, title, article_lang, body, status, score in rows
    ]


def articles_list(
    actor: Any, *, status: str = "", lang: str = "", kind: str = ""
) -> QuerySet[Article]:
    """The staff's list: every article they may see, drafts included for writers."""
    rows = articles_visible(actor, drafts=True).select_related("category", "updated_by")
    if status:
        rows = rows.filter(status=status)
    if lang:
        rows = rows.filter(lang=lang)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("-updated_at", "pk")


def article_versions(article: Article) -> QuerySet[ArticleVersion]:
    return article.versions.select_related("saved_by").order_by("-number")


@dataclass
class VersionText:
    number: int
    title: str
    body: str


def article_version_text(article: Article, number: int) -> VersionText:
    """The title and text of version ``number`` (the current one included)."""
    if number == article.version:
        return VersionText(article.version, article.title, article.body)
    found = article.versions.filter(number=number).first()
    if found is None:
        raise Http404
    return VersionText(found.number, found.title, found.body)


@dataclass
class DiffLine:
    op: str  # "same", "added", "removed"
    text: str


def article_compare(article: Article, old: int, new: int) -> list[DiffLine]:
    """Line by line, what changed from version ``old`` to ``new`` (the title first)."""
    a, b = article_version_text(article, old), article_version_text(article, new)
    left = [a.title, "", *a.body.splitlines()]
    right = [b.title, "", *b.body.splitlines()]
    lines = []
    for line in difflib.ndiff(left, right):
        code, text = line[:2], line[2:]
        if code == "? ":
            continue
        op = {"+ ": "added", "- ": "removed"}.get(code, "same")
        lines.append(DiffLine(op, text))
    return lines
