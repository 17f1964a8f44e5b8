"""Walk-in reception: a visitor gets a number of the day (A-001…), waits, is called to a
desk by an agent, and the visit becomes a ticket (channel walk-in)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pilotage.contact.models.registry import Association, Requester
from pilotage.contact.models.tickets import Ticket

NUMBER_PREFIX = "A"


class VisitStatus(models.TextChoices):
    WAITING = "waiting", _("En attente")
    CALLED = "called", _("Appelé")
    SERVED = "served", _("Reçu")
    LEFT = "left", _("Parti sans être reçu")


class VisitCounter(models.Model):
    """The last number given on a day (numbers restart each morning)."""

    day = models.DateField(_("jour"), primary_key=True)
    last = models.PositiveIntegerField(_("dernier numéro"), default=0)

    class Meta:
        verbose_name = _("compteur des visites")
        verbose_name_plural = _("compteurs des visites")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class Visit(models.Model):
    day = models.DateField(_("jour"))
    number = models.PositiveIntegerField(_("numéro du jour"))
    name = models.CharField(_("nom du visiteur"), max_length=200)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    association = models.ForeignKey(
        Association,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("association"),
    )
    requester = models.ForeignKey(
        Requester,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("demandeur"),
    )
    reason = models.CharField(_("motif"), max_length=300)
    arrived_at = models.DateTimeField(_("arrivé à"))
    called_at = models.DateTimeField(_("appelé à"), null=True, blank=True)
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reçu par"),
    )
    desk = models.CharField(_("guichet"), max_length=20, blank=True)
    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ticket"),
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.WAITING
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enregistré par"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["day", "number"]
        verbose_name = _("visite")
        verbose_name_plural = _("visites")
        constraints = [
            models.UniqueConstraint(fields=["day", "number"], name="visit_number_once_a_day")
        ]
        indexes = [models.Index(fields=["day", "status", "number"], name="visit_day_status")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{NUMBER_PREFIX}-{self.number:03d}"
