"""The custom indicator form: the formulas are checked as they are typed back, each
problem shown under its field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pilotage.indicators.custom import FormulaError, catalogue_elements, parse_formula
from pilotage.indicators.models import CustomIndicator


class CustomIndicatorForm(forms.ModelForm):
    class Meta:
        model = CustomIndicator
        fields = [
            "code",
            "name_fr",
            "name_ar",
            "name_en",
            "numerator",
            "denominator",
            "factor",
            "unit",
            "higher_is_better",
            "description",
        ]
        widgets = {
            "name_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
            "numerator": forms.TextInput(attrs={"dir": "ltr", "spellcheck": "false"}),
            "denominator": forms.TextInput(attrs={"dir": "ltr", "spellcheck": "false"}),
            "description": forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
            "name_fr": forms.TextInput(attrs={"dir": "auto"}),
            "name_en": forms.TextInput(attrs={"dir": "auto"}),
        }
        help_texts = {
            "numerator": _(
                "Ex. #{toilets.girls} + #{toilets.boys}, ou ger.numerator ; opérateurs + - * / "
                "et parenthèses."
            ),
            "denominator": _("Facultatif : sans dénominateur, l'indicateur est un total."),
            "factor": _("100 pour un pourcentage."),
        }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._elements: dict[str, set[str]] | None = None
        if self.instance.pk:
            self.fields["code"].disabled = True

    def _formula(self, name: str, required: bool) -> str:
        text: str = self.cleaned_data.get(name) or ""
        if self._elements is None:
            self._elements = catalogue_elements()
        try:
            parse_formula(text, elements=self._elements, required=required)
        except FormulaError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return text

    def clean_numerator(self) -> str:
        return self._formula("numerator", True)

    def clean_denominator(self) -> str:
        return self._formula("denominator", False)
