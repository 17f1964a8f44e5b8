"""Deadlines (SLA): a calendar's working hours (ordinary and Ramadan), its corrections of
the Ramadan dates and of the public holidays, the policies per ticket type × priority, and
the warnings and breaches already sent (each once). The arithmetic is in
``businesstime.py``; ``services/sla.py`` ties them to the tickets."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from pilotage.contact.models.tickets import BusinessCalendar, Priority, Ticket, TicketType


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Lundi")
    TUESDAY = 1, _("Mardi")
    WEDNESDAY = 2, _("Mercredi")
    THURSDAY = 3, _("Jeudi")
    FRIDAY = 4, _("Vendredi")
    SATURDAY = 5, _("Samedi")
    SUNDAY = 6, _("Dimanche")


class WorkingHours(models.Model):
    """One opening interval of a weekday (a day may have several: 08:30–12:30, 14:00–16:30);
    ``ramadan`` intervals replace the ordinary ones on Ramadan days."""

    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.CASCADE,
        related_name="hours",
        verbose_name=_("calendrier"),
    )
    weekday = models.PositiveSmallIntegerField(_("jour"), choices=Weekday.choices)
    start = models.TimeField(_("de"))
    end = models.TimeField(_("à"))
    ramadan = models.BooleanField(_("horaire de Ramadan"), default=False)

    class Meta:
        ordering = ["calendar", "ramadan", "weekday", "start"]
        verbose_name = _("plage horaire")
        verbose_name_plural = _("plages horaires")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="hours_end_after_start"
            ),
            models.UniqueConstraint(
                fields=["calendar", "ramadan", "weekday", "start"], name="hours_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class RamadanCorrection(models.Model):
    """The days Morocco's moon sighting moves the first and the last day of the Ramadan that
    starts in ``year``, against the computed Hijri calendar."""

    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.CASCADE,
        related_name="ramadan_corrections",
        verbose_name=_("calendrier"),
    )
    year = models.PositiveSmallIntegerField(
        _("année"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    start_shift = models.SmallIntegerField(
        _("décalage du premier jour"),
        default=0,
        validators=[MinValueValidator(-2), MaxValueValidator(2)],
    )
    end_shift = models.SmallIntegerField(
        _("décalage du dernier jour"),
        default=0,
        validators=[MinValueValidator(-2), MaxValueValidator(2)],
    )

    class Meta:
        ordering = ["calendar", "year"]
        verbose_name = _("correction de Ramadan")
        verbose_name_plural = _("corrections de Ramadan")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "year"], name="ramadan_correction_once"),
            models.CheckConstraint(
                condition=models.Q(
                    start_shift__gte=-2, start_shift__lte=2, end_shift__gte=-2, end_shift__lte=2
                ),
                name="ramadan_shift_two_days",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.calendar_id} {self.year} {self.start_shift:+d}/{self.end_shift:+d}"


class OverrideKind(models.TextChoices):
    ADD = "add", _("Jour férié ajouté")
    REMOVE = "remove", _("Jour férié retiré")
    MOVE = "move", _("Jour férié déplacé")


class HolidayOverride(models.Model):
    """A correction of the Morocco holidays on one calendar: a day added (an exceptional
    day off), removed, or moved (``day`` no longer off, ``moved_to`` off instead — an Aïd
    announced a day after the estimate)."""

    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.CASCADE,
        related_name="holiday_overrides",
        verbose_name=_("calendrier"),
    )
    kind = models.CharField(_("correction"), max_length=6, choices=OverrideKind.choices)
    day = models.DateField(_("jour"))
    moved_to = models.DateField(_("déplacé au"), null=True, blank=True)
    name = models.CharField(_("libellé"), max_length=120, blank=True)

    class Meta:
        ordering = ["calendar", "day"]
        verbose_name = _("correction des jours fériés")
        verbose_name_plural = _("corrections des jours fériés")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "day"], name="holiday_override_once"),
            models.CheckConstraint(
                condition=models.Q(kind="move", moved_to__isnull=False)
                | (~models.Q(kind="move") & models.Q(moved_to__isnull=True)),
                name="holiday_move_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}"


class SlaClock(models.TextChoices):
    BUSINESS = "business", _("Heures ouvrées (minutes)")
    WORKING_DAYS = "working_days", _("Jours ouvrés")
    CALENDAR = "calendar", _("Temps calendaire (minutes)")


class SlaPolicy(models.Model):
    """The deadlines of a ticket type × priority, counted on the ticket's queue's calendar.

    The three delays are in the unit of ``clock``: minutes of business time, working days,
    or calendar minutes. Empty: no such deadline."""

    type = models.CharField(_("type"), max_length=12, choices=TicketType.choices)
    priority = models.CharField(_("priorité"), max_length=8, choices=Priority.choices)
    clock = models.CharField(_("décompte"), max_length=12, choices=SlaClock.choices)
    ack_delay = models.PositiveIntegerField(_("délai d'accusé de réception"), null=True, blank=True)
    response_delay = models.PositiveIntegerField(
        _("délai de première réponse"), null=True, blank=True
    )
    resolution_delay = models.PositiveIntegerField(_("délai de résolution"), null=True, blank=True)
    basis = models.CharField(_("fondement"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["type", "priority"]
        verbose_name = _("politique de délais")
        verbose_name_plural = _("politiques de délais")
        constraints = [models.UniqueConstraint(fields=["type", "priority"], name="sla_policy_once")]

    def __str__(self) -> str:
        return f"{self.type} · {self.priority}"


class Deadline(models.TextChoices):
    ACK = "ack", _("Accusé de réception")
    RESPONSE = "response", _("Première réponse")
    RESOLUTION = "resolution", _("Résolution")


class SlaEventKind(models.TextChoices):
    WARNED = "warned", _("Alerte à 75 %")
    BREACHED = "breached", _("Délai dépassé")


class SlaEvent(models.Model):
    """A warning or a breach of one deadline of one ticket, recorded once (the unique
    constraint is what makes a second run of the check send nothing)."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="sla_events", verbose_name=_("ticket")
    )
    deadline = models.CharField(_("échéance"), max_length=10, choices=Deadline.choices)
    kind = models.CharField(_("événement"), max_length=8, choices=SlaEventKind.choices)
    due_at = models.DateTimeField(_("échéance au"))
    at = models.DateTimeField(_("le"), db_index=True)
    recipients = models.PositiveSmallIntegerField(_("destinataires"), default=0)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("événement de délai")
        verbose_name_plural = _("événements de délai")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "deadline", "kind"], name="sla_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.deadline} {self.kind}"
