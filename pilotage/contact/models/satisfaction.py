"""Satisfaction after an answer: one survey per resolution, reached by a link whose token
only the requester's e-mail holds (its SHA-256 is stored), answered once, expiring."""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pilotage.contact.models.tickets import Ticket

# How long the link of the e-mail stays valid.
SURVEY_VALIDITY = dt.timedelta(days=30)


class SatisfactionSurvey(models.Model):
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="surveys", verbose_name=_("ticket")
    )
    token_hash = models.CharField(_("jeton (empreinte)"), max_length=64, unique=True)
    sent_at = models.DateTimeField(_("envoyée le"))
    rating = models.PositiveSmallIntegerField(
        pgettext_lazy("contact", "note"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField(_("commentaire"), blank=True)
    answered_at = models.DateTimeField(_("répondue le"), null=True, blank=True)
    # The requester said "not satisfied, reopen" (from the survey or the tracking page).
    appealed_at = models.DateTimeField(_("recours le"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("enquête de satisfaction")
        verbose_name_plural = _("enquêtes de satisfaction")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="survey_rating_1_5",
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(answered_at__isnull=False),
                name="survey_rating_answered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} · {self.rating or '—'}"

    @property
    def audit_path(self) -> str:
        return self.ticket.org_unit.path

    @property
    def expires_at(self) -> dt.datetime:
        return self.sent_at + SURVEY_VALIDITY

    def is_expired(self, at: dt.datetime | None = None) -> bool:
        return (at or timezone.now()) >= self.expires_at


__all__ = ["SURVEY_VALIDITY", "SatisfactionSurvey"]
