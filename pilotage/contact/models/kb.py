"""The knowledge base: articles in French or Arabic (procedures, FAQ, forms, funding
calls), draft / internal / public, each save keeping the previous text as a version, the
files a form article offers, and the readers' "was this helpful" votes.

``search_title`` and ``search_body`` hold the normalised text (``contact/search.py``) that
PostgreSQL's full-text index and SQLite's FTS5 table are built from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    INTERNAL = "internal", _("Interne")
    PUBLIC = "public", _("Public")


class ArticleKind(models.TextChoices):
    FAQ = "faq", _("Question fréquente")
    PROCEDURE = "procedure", _("Procédure")
    FORM = "form", _("Formulaire ou document")
    FUNDING = "funding", _("Appel à projets ou financement")


class ArticleLang(models.TextChoices):
    FRENCH = "fr", "Français"
    ARABIC = "ar", "العربية"


class Article(models.Model):
    slug = models.SlugField(_("identifiant"), max_length=120)
    lang = models.CharField(_("langue"), max_length=2, choices=ArticleLang.choices)
    kind = models.CharField(_("nature"), max_length=10, choices=ArticleKind.choices)
    title = models.CharField(_("titre"), max_length=300)
    body = models.TextField(_("texte"))
    status = models.CharField(
        _("statut"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    category = models.ForeignKey(
        "contact.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("catégorie"),
    )
    # The same article in the other language (kept symmetrical by the services).
    twin = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("article jumeau dans l'autre langue"),
    )
    closes_on = models.DateField(_("date de clôture"), null=True, blank=True)
    search_title = models.TextField(editable=False, default="")
    search_body = models.TextField(editable=False, default="")
    helpful_yes = models.PositiveIntegerField(_("utile"), default=0)
    helpful_no = models.PositiveIntegerField(_("pas utile"), default=0)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True, null=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("modifié par"),
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["title"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(fields=["slug", "lang"], name="article_slug_lang_once")
        ]
        indexes = [models.Index(fields=["status", "lang"], name="article_status_lang")]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_path(self) -> str:
        return ""

    @property
    def is_rtl(self) -> bool:
        return self.lang == ArticleLang.ARABIC


class ArticleVersion(models.Model):
    """The text of an article as it was before a save (number = the version it had)."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="versions", verbose_name=_("article")
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("titre"), max_length=300)
    body = models.TextField(_("texte"))
    status = models.CharField(_("statut"), max_length=10, choices=ArticleStatus.choices)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rédigé par"),
    )
    saved_at = models.DateTimeField(_("enregistré le"))

    class Meta:
        ordering = ["article", "-number"]
        verbose_name = _("version d'article")
        verbose_name_plural = _("versions d'articles")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="article_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class ArticleFile(models.Model):
    """A form or document to download from an article."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="files", verbose_name=_("article")
    )
    name = models.CharField(_("nom"), max_length=200)
    file = models.FileField(_("fichier"), upload_to="contact/kb/%Y/", max_length=300)
    size = models.PositiveIntegerField(_("taille"), default=0)
    content_type = models.CharField(_("type"), max_length=100, blank=True)
    added_at = models.DateTimeField(_("ajouté le"), auto_now_add=True)

    class Meta:
        ordering = ["article", "name"]
        verbose_name = _("fichier d'article")
        verbose_name_plural = _("fichiers d'articles")

    def __str__(self) -> str:
        return self.name


class ArticleVote(models.Model):
    """One "was this helpful" answer per article and browser session."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="votes", verbose_name=_("article")
    )
    session_key = models.CharField(max_length=64)
    helpful = models.BooleanField(_("utile"))
    comment = models.TextField(_("commentaire"), blank=True, max_length=1000)
    voted_at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        ordering = ["-voted_at"]
        verbose_name = _("avis sur un article")
        verbose_name_plural = _("avis sur les articles")
        constraints = [
            models.UniqueConstraint(fields=["article", "session_key"], name="article_vote_once")
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.helpful}"
