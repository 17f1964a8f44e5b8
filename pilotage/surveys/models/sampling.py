"""A sample draw: the frame it was drawn from, its design (method, strata, allocation,
seed) and the units drawn with their inclusion probability and design weight. A draw is
never changed: drawing again makes a new one, and the seed lets anyone redo it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FrameSource(models.TextChoices):
    ASSOCIATIONS = "associations", _("Registre des associations")
    SCHOOLS = "schools", _("Établissements de l'arborescence")
    UPLOAD = "upload", _("Liste chargée")


class SampleDraw(models.Model):
    survey = models.ForeignKey(
        "surveys.Survey",
        on_delete=models.CASCADE,
        related_name="draws",
        verbose_name=_("enquête"),
    )
    source = models.CharField(_("base de sondage"), max_length=20, choices=FrameSource.choices)
    # The frame's filters (e.g. the region chosen), the stratification variables, the
    # method and allocation, n and N, the confidence parameters: what docs/surveys.md
    # describes, as the page shows it.
    design = models.JSONField(_("plan de sondage"))
    seed = models.BigIntegerField(_("graine du tirage"))
    population = models.PositiveIntegerField(_("taille de la base (N)"))
    size = models.PositiveIntegerField(_("taille de l'échantillon (n)"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tiré par"),
    )
    created_at = models.DateTimeField(_("tiré le"), auto_now_add=True)

    class Meta:
        verbose_name = _("tirage d'échantillon")
        verbose_name_plural = _("tirages d'échantillon")
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.survey} · n={self.size}"


class SampledUnit(models.Model):
    draw = models.ForeignKey(
        SampleDraw, on_delete=models.CASCADE, related_name="units", verbose_name=_("tirage")
    )
    # The unit's key in its frame (an association's or a school's id, or the uploaded
    # list's identifier column) and its label as shown.
    unit_key = models.CharField(_("identifiant de l'unité"), max_length=100)
    label = models.CharField(_("libellé"), max_length=300)
    stratum = models.CharField(_("strate"), max_length=300, blank=True)
    # How many units of the frame the stratum holds (N_h), for the weights and the fpc.
    stratum_population = models.PositiveIntegerField(_("taille de la strate (N_h)"))
    inclusion_probability = models.FloatField(_("probabilité d'inclusion"))
    weight = models.FloatField(_("poids de sondage"))
    order = models.PositiveIntegerField(_("ordre de tirage"))
    email = models.EmailField(_("courriel"), blank=True)

    class Meta:
        verbose_name = _("unité tirée")
        verbose_name_plural = _("unités tirées")
        ordering = ("draw", "order")
        constraints = [
            models.UniqueConstraint(
                fields=("draw", "unit_key"), name="surveys_sampledunit_once_per_draw"
            ),
            models.CheckConstraint(
                condition=models.Q(inclusion_probability__gt=0)
                & models.Q(inclusion_probability__lte=1),
                name="surveys_sampledunit_probability_range",
            ),
        ]

    def __str__(self) -> str:
        return self.label
