"""The statistics' filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pilotage.contact.models import Queue
from pilotage.orgunits.models import OrgUnit

MAX_DAYS = 3 * 366


class StatsFilterForm(forms.Form):
    start = forms.DateField(
        label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    queue = forms.ModelChoiceField(
        label=_("File"), queryset=Queue.objects.all(), required=False, empty_label=_("Toutes")
    )
    region: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Région"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("Toutes")
    )

    def __init__(self, *args: Any, regions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if regions is not None:
            self.fields["region"].queryset = regions  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("La fin de la période précède son début."))
            elif (end - start) > dt.timedelta(days=MAX_DAYS):
                self.add_error("end", _("Une période de trois ans au plus."))
        return data


class MonthForm(forms.Form):
    year = forms.IntegerField(label=_("Année"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("Mois"), min_value=1, max_value=12)
    lang = forms.ChoiceField(label=_("Langue"), choices=[("fr", "Français"), ("ar", "العربية")])
