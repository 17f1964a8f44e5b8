"""Knowledge-base reads: the search the agent screen, the public pages and the API share."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse

from pilotage.contact import permissions as perms
from pilotage.contact.models import Article, ArticleStatus


def articles_visible(actor: Any) -> Any:
    """Public articles for everyone; internal ones too for the centre's staff."""
    statuses = [ArticleStatus.PUBLIC]
    if actor is not None and perms.can_use(actor):
        statuses.append(ArticleStatus.INTERNAL)
    return Article.objects.filter(status__in=statuses)


def kb_search(actor: Any, q: str, *, lang: str = "", limit: int = 10) -> list[dict[str, Any]]:
    """``[{"id", "title", "lang", "snippet", "score", "url"}]``, best first."""
    words = [w for w in (q or "").split() if len(w) > 1][:8]
    if not words:
        return []
    rows = articles_visible(actor)
    if lang:
        rows = rows.filter(lang=lang)
    cond = Q()
    for word in words:
        cond |= Q(title__icontains=word) | Q(body__icontains=word)
    return [
        {
            "id": a.pk,
            "title": a.title,
            "lang": a.lang,
            "snippet": a.body[:200],
            "score": 1.0,
            "url": reverse("contact:kb-article", args=[a.pk]),
        }
        for a in rows.filter(cond)[:limit]
    ]
