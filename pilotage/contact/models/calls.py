"""The telephony link: the tokens the telephony server (Asterisk, FreePBX…) signs its
webhook with, which extension rings which agent, and the calls it announced."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pilotage.contact.models.registry import Requester
from pilotage.contact.models.tickets import Ticket


class TelephonyToken(models.Model):
    """A secret the telephony server sends as ``Authorization: Bearer …``; only its SHA-256
    is kept (the token is shown once, when created)."""

    name = models.CharField(_("nom"), max_length=120)
    token_hash = models.CharField(_("empreinte"), max_length=64, unique=True)
    prefix = models.CharField(_("début du jeton"), max_length=12)
    is_active = models.BooleanField(_("actif"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créé par"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dernier usage le"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("jeton de téléphonie")
        verbose_name_plural = _("jetons de téléphonie")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AgentExtension(models.Model):
    """The telephone extension (poste) an agent answers on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="contact_extensions",
        verbose_name=_("agent"),
    )
    extension = models.CharField(_("poste"), max_length=20, unique=True)

    class Meta:
        ordering = ["extension"]
        verbose_name = _("poste d'un agent")
        verbose_name_plural = _("postes des agents")

    def __str__(self) -> str:
        return self.extension


class CallStatus(models.TextChoices):
    RINGING = "ringing", _("Sonne")
    TAKEN = "taken", _("Pris")


class IncomingCall(models.Model):
    """A call the telephony server announced; the agent's intake page shows it while it
    rings and opens the caller's record from it."""

    call_id = models.CharField(_("identifiant de l'appel"), max_length=100, unique=True)
    caller = models.CharField(_("appelant"), max_length=40)
    caller_digits = models.CharField(_("appelant (chiffres)"), max_length=20, blank=True)
    called = models.CharField(_("numéro appelé"), max_length=40, blank=True)
    agent_ref = models.CharField(_("agent ou poste annoncé"), max_length=150, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agent"),
    )
    requester = models.ForeignKey(
        Requester,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("demandeur reconnu"),
    )
    token = models.ForeignKey(
        TelephonyToken,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("jeton"),
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=CallStatus.choices, default=CallStatus.RINGING
    )
    received_at = models.DateTimeField(_("reçu le"))
    taken_at = models.DateTimeField(_("pris le"), null=True, blank=True)
    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ticket"),
    )

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("appel entrant")
        verbose_name_plural = _("appels entrants")
        indexes = [
            models.Index(fields=["agent", "status", "received_at"], name="call_agent_ringing")
        ]

    def __str__(self) -> str:
        return f"{self.call_id} {self.caller}"
