"""Baselines and targets: what a unit aims at for one indicator, one academic year and one
disaggregation (the status rule is in :mod:`pilotage.indicators.targets`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pilotage.orgunits.models import AcademicYear, OrgUnit


class Direction(models.TextChoices):
    HIGHER = "higher", _("Plus haut est mieux")
    LOWER = "lower", _("Plus bas est mieux")


class Status(models.TextChoices):
    ON_TRACK = "on_track", _("En bonne voie")
    AT_RISK = "at_risk", _("À risque")
    OFF_TRACK = "off_track", _("Hors trajectoire")


class Target(models.Model):
    """``disaggregation`` is ``{dimension: value}`` (``{}`` for the total); ``dims_key`` is
    its canonical text (``"sex=F;cycle=primaire"``), kept so the database enforces one
    target per indicator × unit × year × disaggregation."""

    indicator = models.CharField(_("indicateur"), max_length=64)
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="indicator_targets",
        verbose_name=_("unité"),
    )
    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("année scolaire")
    )
    disaggregation = models.JSONField(_("ventilation"), default=dict, blank=True)
    dims_key = models.CharField(_("clé de ventilation"), max_length=200, blank=True)
    baseline = models.DecimalField(
        _("valeur de référence"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    baseline_year = models.ForeignKey(
        AcademicYear,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("année de référence"),
    )
    target = models.DecimalField(_("cible"), max_digits=14, decimal_places=4)
    tolerance = models.DecimalField(
        _("tolérance"), max_digits=14, decimal_places=4, default=0, blank=True
    )
    direction = models.CharField(_("sens"), max_length=8, choices=Direction.choices)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("modifiée par"),
    )

    class Meta:
        ordering = ["indicator", "dims_key"]
        verbose_name = _("cible")
        verbose_name_plural = _("cibles")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "org_unit", "academic_year", "dims_key"],
                name="target_unique_indicator_unit_year_dims",
            ),
            models.CheckConstraint(condition=Q(tolerance__gte=0), name="target_tolerance_gte_0"),
        ]

    def __str__(self) -> str:
        dims = f" [{self.dims_key}]" if self.dims_key else ""
        return f"{self.indicator}{dims} · {self.org_unit_id} · {self.academic_year_id}"

    @property
    def audit_path(self) -> str:
        return self.org_unit.path
