"""The statistics' aggregate tables, rebuilt from the tickets by ``services/stats.py``
(a job and a command; the demo rebuilds them after seeding): the dashboard and the reports
read these, never the tickets one by one.

``TicketStat`` holds, per day of receipt and combination of dimensions, the counts of
tickets received and of what became of them (resolved, in time, first contact…);
``TicketFieldStat`` the tickets of associations by field of action (an association works
in several fields: a ticket counts once in each; confidential tickets are left out, so the
breakdown never points at a requester)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pilotage.contact.models.registry import ActionField
from pilotage.contact.models.tickets import Category, Channel, Priority, Queue, TicketType
from pilotage.orgunits.models import OrgUnit


class TicketStat(models.Model):
    day = models.DateField(_("jour de réception"))
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices)
    type = models.CharField(_("type"), max_length=12, choices=TicketType.choices)
    priority = models.CharField(_("priorité"), max_length=6, choices=Priority.choices)
    # The top of the category tree (the theme).
    category = models.ForeignKey(Category, on_delete=models.CASCADE, null=True, related_name="+")
    # The unit the tickets concern (scope filters on its path) and its region.
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(_("chemin"), max_length=255)
    region = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, null=True, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    received = models.PositiveIntegerField(_("reçus"), default=0)
    resolved = models.PositiveIntegerField(_("résolus"), default=0)
    # Resolved by the resolution deadline (among those with one).
    resolved_in_time = models.PositiveIntegerField(_("résolus dans les délais"), default=0)
    with_resolution_due = models.PositiveIntegerField(_("avec échéance de résolution"), default=0)
    responded = models.PositiveIntegerField(_("avec première réponse"), default=0)
    responded_in_time = models.PositiveIntegerField(_("réponse dans les délais"), default=0)
    acknowledged_in_time = models.PositiveIntegerField(_("accusés dans les délais"), default=0)
    with_ack_due = models.PositiveIntegerField(_("avec échéance d'accusé"), default=0)
    first_contact = models.PositiveIntegerField(_("résolus au premier contact"), default=0)
    # Sum of the hours from receipt to resolution of the resolved ones (for the mean).
    resolution_hours = models.FloatField(_("heures jusqu'à résolution (somme)"), default=0)
    # Satisfaction surveys of these tickets: sent, rated, the sum of the ratings (1–5, for
    # the mean), rated 4 or 5, and appeals (the requester asked to reopen).
    surveys_sent = models.PositiveIntegerField(_("enquêtes envoyées"), default=0)
    surveys_rated = models.PositiveIntegerField(_("enquêtes notées"), default=0)
    rating_sum = models.PositiveIntegerField(_("somme des notes"), default=0)
    satisfied = models.PositiveIntegerField(_("notes de 4 ou 5"), default=0)
    appeals = models.PositiveIntegerField(_("recours"), default=0)

    class Meta:
        verbose_name = _("statistique des tickets")
        verbose_name_plural = _("statistiques des tickets")
        indexes = [models.Index(fields=["day", "unit_path"], name="ticketstat_day_path")]

    def __str__(self) -> str:
        return f"{self.day} {self.queue_id} {self.received}"


class TicketFieldStat(models.Model):
    day = models.DateField(_("jour de réception"))
    field = models.ForeignKey(ActionField, on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(_("chemin"), max_length=255)
    received = models.PositiveIntegerField(_("reçus"), default=0)

    class Meta:
        verbose_name = _("statistique par domaine d'action")
        verbose_name_plural = _("statistiques par domaine d'action")
        indexes = [models.Index(fields=["day", "unit_path"], name="fieldstat_day_path")]

    def __str__(self) -> str:
        return f"{self.day} {self.field_id} {self.received}"


class StatsRebuild(models.Model):
    """When the aggregate tables were last rebuilt (the dashboard says "as of")."""

    finished_at = models.DateTimeField(_("reconstruit le"))
    tickets = models.PositiveIntegerField(_("tickets lus"))
    seconds = models.FloatField(_("durée (s)"))

    class Meta:
        ordering = ["-finished_at"]
        verbose_name = _("reconstruction des statistiques")
        verbose_name_plural = _("reconstructions des statistiques")

    def __str__(self) -> str:
        return str(self.finished_at)
