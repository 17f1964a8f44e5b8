"""What the mailbox reader did with each mail it read: the log that makes a re-run
harmless (one row per Message-ID) and shows why a mail made no ticket (an auto-reply, a
bounce, a mail too large or unreadable)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pilotage.contact.models.tickets import Ticket


class InboundOutcome(models.TextChoices):
    CREATED = "created", _("Ticket créé")
    REPLY = "reply", _("Ajouté à un ticket")
    AUTO_REPLY = "auto_reply", _("Réponse automatique ignorée")
    BOUNCE = "bounce", _("Avis de non-remise ignoré")
    LOOP = "loop", _("Courriel du centre lui-même ignoré")
    TOO_LARGE = "too_large", _("Courriel trop volumineux")
    ERROR = "error", _("Erreur de lecture")


class InboundMail(models.Model):
    # The mail's Message-ID, or a digest of its bytes when it has none.
    message_id = models.CharField(_("Message-ID"), max_length=300, unique=True)
    source = models.CharField(_("boîte"), max_length=200, blank=True)
    from_address = models.CharField(_("expéditeur"), max_length=300, blank=True)
    subject = models.CharField(pgettext_lazy("contact", "objet"), max_length=300, blank=True)
    outcome = models.CharField(_("suite donnée"), max_length=12, choices=InboundOutcome.choices)
    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ticket"),
    )
    error = models.TextField(_("erreur"), blank=True)
    received_at = models.DateTimeField(_("lu le"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("courriel reçu")
        verbose_name_plural = _("courriels reçus")

    def __str__(self) -> str:
        return f"{self.message_id} · {self.outcome}"


__all__ = ["InboundMail", "InboundOutcome"]
