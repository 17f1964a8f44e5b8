"""The target entry form (HTTP only: the service checks and writes)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from pilotage.indicators.catalogue import BUILTIN
from pilotage.indicators.models import CustomIndicator, Direction
from pilotage.indicators.targets import parse_dims
from pilotage.orgunits.models import AcademicYear


def indicator_choices() -> list[tuple[str, str]]:
    """The built-in indicators, then the custom ones (one query)."""
    return [(i.code, f"{i.name} ({i.code})") for i in BUILTIN] + [
        (c.code, f"{c.name} ({c.code})") for c in CustomIndicator.objects.order_by("code")
    ]


class TargetForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicateur"), choices=indicator_choices)
    disaggregation = forms.CharField(
        label=_("Ventilation"),
        required=False,
        max_length=200,
        help_text=_(
            "Vide pour le total, ou dimension=valeur séparées par « ; » : sex=F;cycle=primaire"
        ),
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )
    baseline = forms.DecimalField(
        label=_("Valeur de référence"),
        required=False,
        max_digits=14,
        decimal_places=4,
        localize=True,
    )
    baseline_year = forms.ModelChoiceField(
        label=_("Année de référence"),
        required=False,
        queryset=AcademicYear.objects.order_by("-start"),
    )
    target = forms.DecimalField(label=_("Cible"), max_digits=14, decimal_places=4, localize=True)
    tolerance = forms.DecimalField(
        label=_("Tolérance"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=4,
        localize=True,
        help_text=_(
            "Dans l'unité de l'indicateur : en deçà de la cible de moins que la tolérance, "
            "la valeur est « à risque »."
        ),
    )
    direction = forms.ChoiceField(
        label=_("Sens"),
        required=False,
        choices=[("", _("Celui de l'indicateur")), *Direction.choices],
    )
    version = forms.IntegerField(widget=forms.HiddenInput, initial=0, min_value=0)

    def __init__(self, *args: Any, locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if locked:  # editing: the key of the target does not change
            for name in ("indicator", "disaggregation"):
                self.fields[name].disabled = True

    def clean_disaggregation(self) -> dict[str, str]:
        try:
            return parse_dims(self.cleaned_data.get("disaggregation") or "")
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
