"""Action plans: the ministry's operational plan. An objective (what a unit wants to reach
over some years, optionally tied to an indicator and its target) holds actions; an action
has an owner, a budget, dates, a status, a progress, notes and evidence files. A
*corrective* action is opened from a gap: it points to the target whose status is at risk
or off track."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pilotage.indicators.models.targets import Target
from pilotage.orgunits.models import AcademicYear, OrgUnit

CURRENCY = "MAD"


class Objective(models.Model):
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="objectives", verbose_name=_("unité")
    )
    start_year = models.ForeignKey(
        AcademicYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("de l'année")
    )
    end_year = models.ForeignKey(
        AcademicYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("à l'année")
    )
    indicator = models.CharField(_("indicateur"), max_length=64, blank=True)
    target = models.ForeignKey(
        Target,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="objectives",
        verbose_name=_("cible"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créé par"),
    )

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("objectif")
        verbose_name_plural = _("objectifs")

    def __str__(self) -> str:
        return self.title

    @property
    def audit_path(self) -> str:
        return self.org_unit.path


class ActionStatus(models.TextChoices):
    """The stored status; *late* is derived (see :attr:`Action.shown_status`)."""

    PLANNED = "planned", _("Prévue")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Réalisée")
    CANCELLED = "cancelled", _("Annulée")


LATE = "late"
LATE_LABEL = _("En retard")
OPEN_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


def overdue_q(today: dt.date) -> Q:
    """Overdue: the due date has passed and the action is neither done nor cancelled."""
    return Q(due_date__lt=today, status__in=OPEN_STATUSES)


class Action(models.Model):
    objective = models.ForeignKey(
        Objective,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("objectif"),
    )
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_actions",
        verbose_name=_("responsable"),
    )
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="actions", verbose_name=_("unité")
    )
    budget = models.DecimalField(
        _("budget (MAD)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("devise"), max_length=3, default=CURRENCY, editable=False)
    start_date = models.DateField(_("début"))
    due_date = models.DateField(_("échéance"))
    status = models.CharField(
        _("statut"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    # The gap this corrective action answers: its target carries indicator, unit and year.
    gap_target = models.ForeignKey(
        Target,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="corrective_actions",
        verbose_name=_("écart traité"),
    )
    gap_value = models.FloatField(_("valeur à l'ouverture"), null=True, blank=True)
    gap_status = models.CharField(_("statut à l'ouverture"), max_length=12, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    overdue_notified_on = models.DateField(_("relance envoyée le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créée par"),
    )
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="action_progress_lte_100"),
            models.CheckConstraint(
                condition=Q(due_date__gte=models.F("start_date")), name="action_due_after_start"
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0), name="action_budget_gte_0"
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"], name="action_status_due")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("indicators:action", args=[self.pk])

    @property
    def audit_path(self) -> str:
        return self.org_unit.path

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.due_date < today and self.status in OPEN_STATUSES

    @property
    def shown_status(self) -> str:
        return LATE if self.is_overdue() else self.status

    @property
    def shown_status_label(self) -> str:
        return str(LATE_LABEL) if self.is_overdue() else self.get_status_display()


class ActionNote(models.Model):
    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="notes", verbose_name=_("action")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    created_at = models.DateTimeField(_("le"), auto_now_add=True)
    text = models.TextField(_("note"))
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("note de suivi")
        verbose_name_plural = _("notes de suivi")

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def audit_path(self) -> str:
        return self.action.org_unit.path


class ActionEvidence(models.Model):
    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("action")
    )
    file = models.FileField(_("fichier"), upload_to="indicators/evidence/%Y/%m/", max_length=300)
    name = models.CharField(_("nom"), max_length=200)
    size = models.PositiveBigIntegerField(_("taille"))
    content_type = models.CharField(_("type"), max_length=100)
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("déposé par"),
    )

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("pièce justificative")
        verbose_name_plural = _("pièces justificatives")

    def __str__(self) -> str:
        return self.name

    @property
    def audit_path(self) -> str:
        return self.action.org_unit.path
