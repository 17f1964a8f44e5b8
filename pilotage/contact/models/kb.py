"""The knowledge base: articles in French or Arabic (procedures, FAQ, forms, funding
calls), draft / internal / public."""

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


class Article(models.Model):
    slug = models.SlugField(_("identifiant"), max_length=120)
    lang = models.CharField(
        _("langue"), max_length=2, choices=[("fr", "Français"), ("ar", "العربية")]
    )
    kind = models.CharField(_("nature"), max_length=10, choices=ArticleKind.choices)
    title = models.CharField(_("titre"), max_length=300)
    body = models.TextField(_("texte"))
    status = models.CharField(
        _("statut"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
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

    def __str__(self) -> str:
        return self.title

    @property
    def audit_path(self) -> str:
        return ""
