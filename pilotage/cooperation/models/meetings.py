"""The meeting log: policy dialogues, webinars, hackathons and workshops held with
partners, their minutes and decisions, and the follow-up actions each one leaves, with an
owner and a due date."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pilotage.cooperation.models.partners import Partner
from pilotage.cooperation.models.programmes import Programme


class MeetingKind(models.TextChoices):
    POLICY_DIALOGUE = "dialogue", _("Dialogue politique")
    WEBINAR = "webinar", _("Webinaire")
    HACKATHON = "hackathon", _("Hackathon")
    WORKSHOP = "workshop", _("Atelier")
    OTHER = "other", _("Autre")


class Meeting(models.Model):
    kind = models.CharField(_("type"), max_length=12, choices=MeetingKind.choices)
    date = models.DateField(_("date"))
    title = models.CharField(_("intitulé"), max_length=300)
    partners = models.ManyToManyField(
        Partner, related_name="meetings", verbose_name=_("partenaires")
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("programme"),
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="cooperation_meetings",
        verbose_name=_("participants du service"),
    )
    # One person per line: the partners' people and guests who have no account here.
    external_participants = models.TextField(_("participants externes"), blank=True)
    minutes = models.TextField(_("compte rendu"), blank=True)
    decisions = models.TextField(_("décisions"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saisi par"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("réunion")
        verbose_name_plural = _("réunions")
        indexes = [models.Index(fields=["date"], name="meeting_date")]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_path(self) -> str:
        return ""

    @property
    def external_list(self) -> list[str]:
        return [line.strip() for line in self.external_participants.splitlines() if line.strip()]


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("À faire")
    DONE = "done", _("Fait")
    CANCELLED = "cancelled", _("Annulé")


class FollowUpAction(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="followups", verbose_name=_("réunion")
    )
    description = models.CharField(_("action"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cooperation_followups",
        verbose_name=_("responsable"),
    )
    due_date = models.DateField(_("échéance"))
    done_on = models.DateField(_("fait le"), null=True, blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("action de suivi")
        verbose_name_plural = _("actions de suivi")
        indexes = [
            models.Index(fields=["owner", "status", "due_date"], name="followup_owner_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(status="done") & models.Q(done_on__isnull=False))
                | (~models.Q(status="done") & models.Q(done_on__isnull=True)),
                name="followup_done_on_iff_done",
            )
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def audit_path(self) -> str:
        return ""

    def is_overdue(self, today: dt.date) -> bool:
        return self.status == FollowUpStatus.OPEN and self.due_date < today
