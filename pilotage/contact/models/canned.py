"""Canned replies: a text an agent picks in the reply form, in French and in Arabic, with
placeholders filled from the ticket (``services/tickets.py`` renders them)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from pilotage.contact.models.tickets import Category, Queue

# The placeholders a canned reply may use (anything else is refused when it is saved).
PLACEHOLDERS = ("reference", "requester", "agent", "due_date", "association")


class CannedReply(models.Model):
    title = models.CharField(_("titre"), max_length=200)
    body_fr = models.TextField(_("texte (français)"), blank=True)
    body_ar = models.TextField(_("texte (arabe)"), blank=True)
    # Offered only for tickets of this queue / category (empty: everywhere).
    queue = models.ForeignKey(
        Queue,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_replies",
        verbose_name=_("file"),
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_replies",
        verbose_name=_("catégorie"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("réponse type")
        verbose_name_plural = _("réponses types")

    def __str__(self) -> str:
        return self.title

    @property
    def audit_path(self) -> str:
        return ""
