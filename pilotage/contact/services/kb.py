"""Writing the knowledge base: agents draft and rewrite articles, supervisors publish them
(``permissions.writes_kb`` / ``publishes_kb``). Every save keeps the text it replaces as an
``ArticleVersion`` and refreshes the search index (``search.index_article``: the SQLite
FTS5 row; PostgreSQL's generated column follows by itself). Readers' votes are counted with
``F()`` so two votes at once both count."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.text import slugify
from django.utils.translation import gettext as _

from pilotage.contact import permissions as perms
from pilotage.contact import search
from pilotage.contact.audit import KB_CREATE, KB_FILE, KB_STATUS, KB_TWIN, KB_UPDATE
from pilotage.contact.models import (
    Article,
    ArticleFile,
    ArticleKind,
    ArticleStatus,
    ArticleVersion,
    ArticleVote,
    Category,
)
from pilotage.core.audit import audit_record
from pilotage.core.versioning import locked, version_check

FILE_MAX_BYTES = 10 * 1024 * 1024
# What a downloadable form may be, recognised by its first bytes (not by its name).
FILE_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"PK\x03\x04": "application/zip",  # docx, xlsx, odt, ods
    b"\xd0\xcf\x11\xe0": "application/msword",  # doc, xls
}


def _index(article: Article) -> None:
    article.search_title = search.normalise(article.title)
    article.search_body = search.normalise(article.body)


def _unique_slug(title: str, lang: str) -> str:
    base = (slugify(title)[:100] or "article").strip("-") or "article"
    slug, n = base, 1
    while Article.objects.filter(slug=slug, lang=lang).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _check_closing(kind: str, closes_on: dt.date | None) -> None:
    if closes_on is not None and kind != ArticleKind.FUNDING:
        raise ValidationError(
            {"closes_on": _("Seul un appel à projets a une date de clôture.")}, code="closing"
        )


@transaction.atomic
def article_create(
    *,
    actor: Any,
    lang: str,
    kind: str,
    title: str,
    body: str,
    category: Category | None = None,
    closes_on: dt.date | None = None,
    slug: str = "",
) -> Article:
    """A new draft (publishing is :func:`article_status_set`)."""
    if not perms.writes_kb(actor):
        raise PermissionDenied
    article = Article(
        slug=slug or _unique_slug(title, lang),
        lang=lang,
        kind=kind,
        title=(title or "").strip(),
        body=(body or "").strip(),
        category=category,
        closes_on=closes_on,
        status=ArticleStatus.DRAFT,
        updated_by=actor,
    )
    article.full_clean()
    _check_closing(article.kind, article.closes_on)
    _index(article)
    article.save()
    search.index_article(article)
    audit_record(
        actor=actor,
        action=KB_CREATE,
        obj=article,
        changes={"title": [None, article.title], "lang": [None, lang], "kind": [None, kind]},
    )
    return article


EDITABLE = ("title", "body", "kind", "category", "closes_on")


@transaction.atomic
def article_update(
    *,
    actor: Any,
    article: Article | int,
    version: int | None,
    **changes: Any,
) -> Article:
    """Rewrites an article (``EDITABLE`` fields); the text it had is kept as a version.
    ``version`` is the one the form was loaded at (:class:`Conflict` if someone saved
    since)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"article_update cannot change {', '.join(sorted(unknown))}")
    stored = locked(Article, article)
    if not perms.edits_article(actor, stored):
        raise PermissionDenied
    version_check(stored, version)
    before = {name: getattr(stored, name) for name in EDITABLE}
    for name, value in changes.items():
        setattr(stored, name, value.strip() if isinstance(value, str) else value)
    stored.full_clean()
    _check_closing(stored.kind, stored.closes_on)
    delta: dict[str, list[Any]] = {}
    for name in EDITABLE:
        old, new = before[name], getattr(stored, name)
        if old == new:
            continue
        if name == "body":
            continue  # the versions hold the texts; the audit says which
        shown = {"category": lambda c: c.pk if c else None, "closes_on": lambda d: d and str(d)}
        show = shown.get(name, lambda v: v)
        delta[name] = [show(old), show(new)]
    if before["body"] != stored.body or before["title"] != stored.title:
        delta["text"] = [f"v{stored.version}", f"v{stored.version + 1}"]
    if not delta:
        return stored
    ArticleVersion.objects.create(
        article=stored,
        number=stored.version,
        title=before["title"],
        body=before["body"],
        status=stored.status,
        saved_by=stored.updated_by,
        saved_at=stored.updated_at,
    )
    stored.version += 1
    stored.updated_by = actor
    _index(stored)
    stored.save(
        update_fields=[
            *changes,
            "version",
            "updated_by",
            "updated_at",
            "search_title",
            "search_body",
        ]
    )
    search.index_article(stored)
    audit_record(actor=actor, action=KB_UPDATE, obj=stored, changes=delta)
    return stored


@transaction.atomic
def article_status_set(
    *, actor: Any, article: Article | int, status: str, version: int | None = None
) -> Article:
    """Publishes (public), keeps for the staff (internal) or withdraws (draft)."""
    stored = locked(Article, article)
    if not perms.publishes_kb(actor):
        raise PermissionDenied
    version_check(stored, version)
    if status not in ArticleStatus.values:
        raise ValidationError(
            {"status": _("Statut inconnu : « %(value)s ».") % {"value": str(status)[:40]}},
            code="status",
        )
    if stored.status == status:
        return stored
    old = stored.status
    stored.status = status
    stored.version += 1
    stored.updated_by = actor
    stored.save(update_fields=["status", "version", "updated_by", "updated_at"])
    audit_record(actor=actor, action=KB_STATUS, obj=stored, changes={"status": [old, status]})
    return stored


@transaction.atomic
def article_twin_set(*, actor: Any, article: Article | int, twin: Article | int | None) -> Article:
    """Links a French article with its Arabic counterpart (both ways), or unlinks it."""
    stored = locked(Article, article)
    if not perms.edits_article(actor, stored):
        raise PermissionDenied
    other = locked(Article, twin) if twin is not None else None
    if other is not None and other.lang == stored.lang:
        raise ValidationError(
            {"twin": _("La traduction doit être dans l'autre langue.")}, code="twin_lang"
        )
    old_pk = stored.twin_id
    if other is not None and old_pk == other.pk:
        return stored
    # Whoever pointed at either of them is unlinked first (one twin each).
    involved = [stored.pk] + ([other.pk] if other else [])
    Article.objects.filter(twin_id__in=involved).update(twin=None)
    Article.objects.filter(pk__in=involved).update(twin=None)
    if other is not None:
        Article.objects.filter(pk=stored.pk).update(twin=other)
        Article.objects.filter(pk=other.pk).update(twin=stored)
    stored.refresh_from_db()
    audit_record(
        actor=actor,
        action=KB_TWIN,
        obj=stored,
        changes={"twin": [old_pk, other.pk if other else None]},
    )
    return stored


@transaction.atomic
def article_file_add(
    *, actor: Any, article: Article | int, upload: UploadedFile, name: str = ""
) -> ArticleFile:
    stored = locked(Article, article)
    if not perms.edits_article(actor, stored):
        raise PermissionDenied
    label = (name or upload.name or "").strip()[:200]
    if not upload.size or upload.size > FILE_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("« %(name)s » : %(size)s octets ; un fichier fait au plus %(max)s Mo.")
                % {"name": label[:60], "size": upload.size or 0, "max": FILE_MAX_BYTES // 2**20}
            },
            code="file_size",
        )
    head = upload.read(8)
    upload.seek(0)
    content_type = next((t for sig, t in FILE_SIGNATURES.items() if head.startswith(sig)), "")
    if not content_type:
        raise ValidationError(
            {
                "file": _(
                    "« %(name)s » n'est ni un PDF ni un document bureautique "
                    "(Word, Excel, OpenDocument)."
                )
                % {"name": label[:60]}
            },
            code="file_type",
        )
    attached = ArticleFile(article=stored, name=label, size=upload.size, content_type=content_type)
    attached.file.save(upload.name or "document", upload, save=False)
    attached.save()
    audit_record(actor=actor, action=KB_FILE, obj=stored, changes={"file": [None, label]})
    return attached


def article_vote(*, article: Article, session_key: str, helpful: bool, comment: str = "") -> bool:
    """One "was this helpful" answer per article and session (the public's, so no actor
    and no audit row: the vote row is the record). False when the session already voted."""
    if not session_key:
        raise ValidationError(_("Session absente : rechargez la page."), code="session")
    if article.status != ArticleStatus.PUBLIC and article.status != ArticleStatus.INTERNAL:
        raise PermissionDenied
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise ValidationError(
            {
                "comment": _("Le commentaire fait %(count)s caractères ; 1000 au plus.")
                % {"count": len(comment)}
            },
            code="comment",
        )
    try:
        with transaction.atomic():
            ArticleVote.objects.create(
                article=article, session_key=session_key, helpful=helpful, comment=comment
            )
            counter = "helpful_yes" if helpful else "helpful_no"
            Article.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})
    except IntegrityError:
        return False
    return True


def article_reindex_all() -> int:
    """Rebuilds the normalised columns (and the FTS5 table) of every article, after a change
    of the normalisation; returns the number of articles."""
    count = 0
    with transaction.atomic():
        for article in Article.objects.only("pk", "title", "body").iterator():
            _index(article)
            Article.objects.filter(pk=article.pk).update(
                search_title=article.search_title, search_body=article.search_body
            )
            search.index_article(article)
            count += 1
    return count


__all__ = [
    "article_create",
    "article_file_add",
    "article_reindex_all",
    "article_status_set",
    "article_twin_set",
    "article_update",
    "article_vote",
]
