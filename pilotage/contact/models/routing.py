"""Who takes tickets right now: an agent marks themself unavailable (a break, a meeting,
leave) and the automatic assignment passes them over until they come back. An agent
without a row is available."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AgentStatus(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="contact_status",
        verbose_name=_("agent"),
    )
    available = models.BooleanField(_("disponible"), default=True)
    since = models.DateTimeField(_("depuis"))
    note = models.CharField(_("motif"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("disponibilité d'un agent")
        verbose_name_plural = _("disponibilités des agents")

    def __str__(self) -> str:
        return f"{self.user_id} · {self.available}"
