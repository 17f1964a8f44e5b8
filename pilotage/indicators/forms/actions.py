"""Forms of the action plans (HTTP only: the services check and write)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from pilotage.accounts.models import User
from pilotage.core.tabular import parse_decimal
from pilotage.indicators.forms.targets import indicator_choices
from pilotage.indicators.models import ActionStatus
from pilotage.orgunits.models import AcademicYear

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ObjectiveForm(forms.Form):
    title = forms.CharField(
        label=_("Intitulé"), max_length=200, widget=forms.TextInput(attrs={"dir": "auto"})
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"dir": "auto", "rows": 4}),
    )
    start_year = forms.ModelChoiceField(
        label=_("De l'année"), queryset=AcademicYear.objects.order_by("-start")
    )
    end_year = forms.ModelChoiceField(
        label=_("À l'année"), required=False, queryset=AcademicYear.objects.order_by("-start")
    )
    indicator = forms.ChoiceField(
        label=_("Indicateur suivi"),
        required=False,
        choices=lambda: [("", "—"), *indicator_choices()],
    )


class ActionForm(forms.Form):
    title = forms.CharField(
        label=_("Intitulé"), max_length=200, widget=forms.TextInput(attrs={"dir": "auto"})
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"dir": "auto", "rows": 4}),
    )
    owner: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Responsable"), queryset=User.objects.none()
    )
    budget = forms.CharField(
        label=_("Budget (MAD)"),
        required=False,
        max_length=30,
        help_text=_("En dirhams, par ex. 12 500,00"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr"}),
    )
    start_date = forms.DateField(label=_("Début"), widget=DATE)
    due_date = forms.DateField(label=_("Échéance"), widget=DATE)

    def clean_budget(self) -> Decimal | None:
        """Typed as people write amounts: spaces between thousands, a decimal comma."""
        text = self.cleaned_data["budget"].strip()
        if not text:
            return None
        try:
            amount = parse_decimal(text)
        except ValueError as exc:
            raise ValidationError(_("Montant illisible : %(value)s") % {"value": text}) from exc
        if amount < 0:
            raise ValidationError(_("Le budget ne peut pas être négatif."))
        if amount != amount.quantize(Decimal("0.01")):
            raise ValidationError(_("Deux décimales au plus (centimes)."))
        return amount.quantize(Decimal("0.01"))

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        field.queryset = owners  # type: ignore[attr-defined]
        field.label_from_instance = lambda u: u.get_full_name() or u.username  # type: ignore[attr-defined]


class ActionUpdateForm(ActionForm):
    status = forms.ChoiceField(label=_("Statut"), choices=ActionStatus.choices)
    progress = forms.IntegerField(label=_("Avancement (%)"), min_value=0, max_value=100)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note de suivi"), widget=forms.Textarea(attrs={"dir": "auto", "rows": 3})
    )
    progress = forms.IntegerField(
        label=_("Avancement (%)"), required=False, min_value=0, max_value=100
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Pièce justificative"))
