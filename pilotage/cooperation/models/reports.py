"""The monthly progress report of a programme: its narrative (summary, risks, next steps)
is written by the programme team; the rest (activities, results, finance, trainings) is
read from the records when the PDF is produced (``reports.py``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pilotage.cooperation.models.programmes import Programme


class MonthlyReport(models.Model):
    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="monthly_reports",
        verbose_name=_("programme"),
    )
    year = models.PositiveSmallIntegerField(_("année"))
    month = models.PositiveSmallIntegerField(_("mois"))
    # The narrative in the two languages of the report: French for the ministry, English
    # for the donors.
    summary_fr = models.TextField(_("synthèse (français)"), blank=True)
    summary_en = models.TextField(_("synthèse (anglais)"), blank=True)
    risks_fr = models.TextField(_("risques (français)"), blank=True)
    risks_en = models.TextField(_("risques (anglais)"), blank=True)
    next_steps_fr = models.TextField(_("prochaines étapes (français)"), blank=True)
    next_steps_en = models.TextField(_("prochaines étapes (anglais)"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("modifié par"),
    )

    class Meta:
        ordering = ["programme", "-year", "-month"]
        verbose_name = _("rapport mensuel")
        verbose_name_plural = _("rapports mensuels")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "year", "month"], name="monthly_report_once"
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="monthly_report_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.year}-{self.month:02d}"

    @property
    def audit_path(self) -> str:
        return ""
