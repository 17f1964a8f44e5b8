"""Custom indicators: defined by the national administration as formulas over the data
elements and the built-in indicators' parts (see :mod:`pilotage.indicators.custom`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pilotage.core.i18n import MultilingualName


class CustomIndicator(MultilingualName):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    numerator = models.CharField(_("numérateur"), max_length=500)
    denominator = models.CharField(_("dénominateur"), max_length=500, blank=True)
    factor = models.DecimalField(_("facteur"), max_digits=10, decimal_places=2, default=1)
    unit = models.CharField(_("unité"), max_length=20, blank=True)
    higher_is_better = models.BooleanField(_("plus haut est mieux"), default=True)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créé par"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("indicateur personnalisé")
        verbose_name_plural = _("indicateurs personnalisés")
