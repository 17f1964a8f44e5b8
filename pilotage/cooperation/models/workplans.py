"""A programme's work plan: activities under the outputs of its results framework, each
with a responsible person, dates, a status, a budget line and its progress; the plan is
revised every two weeks, and each revision keeps a snapshot of every activity so two can
be compared. An activity is linked to the planned disbursements (cash-flow plan) that pay
for it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from pilotage.cooperation.models.finance import BudgetLine, PlannedDisbursement
from pilotage.cooperation.models.programmes import Programme, Project, TitledModel
from pilotage.cooperation.models.results import ResultLevel, ResultNode


class WorkStatus(models.TextChoices):
    PLANNED = "planned", _("Prévue")
    ONGOING = "ongoing", _("En cours")
    DONE = "done", _("Réalisée")
    DELAYED = "delayed", _("En retard")
    CANCELLED = "cancelled", _("Annulée")


class Activity(TitledModel):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="activities", verbose_name=_("programme")
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("projet"),
    )
    output = models.ForeignKey(
        ResultNode,
        on_delete=models.PROTECT,
        related_name="activities",
        limit_choices_to={"level": ResultLevel.OUTPUT},
        verbose_name=_("produit"),
    )
    code = models.CharField(_("code"), max_length=20)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cooperation_activities",
        verbose_name=_("responsable"),
    )
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"))
    status = models.CharField(
        _("statut"), max_length=10, choices=WorkStatus.choices, default=WorkStatus.PLANNED
    )
    budget_line = models.ForeignKey(
        BudgetLine,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("ligne budgétaire"),
    )
    progress = models.PositiveSmallIntegerField(
        _("avancement (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        ordering = ["programme", "code"]
        verbose_name = _("activité")
        verbose_name_plural = _("activités")
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="activity_code_once"),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="activity_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="activity_progress_range"
            ),
        ]

    def clean(self) -> None:
        problems: dict[str, Any] = {}
        if self.output_id is not None:
            output = self.output
            if output.level != ResultLevel.OUTPUT:
                problems["output"] = _(
                    "Une activité se rattache à un produit (niveau « produit »)."
                )
            elif output.programme_id != self.programme_id:
                problems["output"] = _("Ce produit appartient à un autre programme.")
        if self.project is not None and self.project.programme_id != self.programme_id:
            problems["project"] = _("Ce projet appartient à un autre programme.")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            problems["end_date"] = _("La fin précède le début.")
        if problems:
            raise ValidationError(problems)

    @property
    def audit_path(self) -> str:
        return self.project.audit_path if self.project is not None else ""


class ActivityDisbursement(models.Model):
    """Which planned disbursements of the cash-flow plan pay for an activity."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="disbursement_links"
    )
    disbursement = models.ForeignKey(
        PlannedDisbursement, on_delete=models.CASCADE, related_name="activity_links"
    )

    class Meta:
        verbose_name = _("décaissement prévu d'une activité")
        verbose_name_plural = _("décaissements prévus des activités")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "disbursement"], name="activity_disbursement_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} · {self.disbursement_id}"


class WorkplanRevision(models.Model):
    """The work plan as it stood at a revision (every two weeks): ``snapshot`` maps each
    activity's code to its fields then, so later edits do not rewrite the history."""

    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="workplan_revisions",
        verbose_name=_("programme"),
    )
    number = models.PositiveIntegerField(_("numéro"))
    note = models.TextField(_("motif"), blank=True)
    snapshot = models.JSONField(_("état des activités"), default=dict)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créée par"),
    )

    class Meta:
        ordering = ["programme", "-number"]
        verbose_name = _("révision du plan de travail")
        verbose_name_plural = _("révisions du plan de travail")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"], name="workplan_revision_number_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} r{self.number}"

    @property
    def audit_path(self) -> str:
        return ""
