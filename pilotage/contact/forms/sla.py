"""The supervisors' forms for the calendars and the deadline policies."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pilotage.contact.models import HolidayOverride, OverrideKind, SlaPolicy, Weekday

INTERVAL = re.compile(r"^\s*(\d{1,2})[:h](\d{2})\s*[-–]\s*(\d{1,2})[:h](\d{2})\s*$")


def parse_intervals(text: str) -> list[tuple[dt.time, dt.time]]:
    """'08:30-12:30, 14:00-16:30' → two intervals; empty text: closed that day."""
    found = []
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        match = INTERVAL.match(part)
        if match is None:
            raise forms.ValidationError(
                _("« %(value)s » n'est pas une plage horaire du type 08:30-12:30."),
                params={"value": part[:40]},
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        try:
            start, end = dt.time(h1, m1), dt.time(h2, m2)
        except ValueError:
            raise forms.ValidationError(
                _("« %(value)s » : heure impossible."), params={"value": part[:40]}
            ) from None
        if end <= start:
            raise forms.ValidationError(
                _("« %(value)s » : la fin doit suivre le début."), params={"value": part[:40]}
            )
        found.append((start, end))
    return found


def intervals_text(intervals: list[tuple[dt.time, dt.time]]) -> str:
    return ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in sorted(intervals))


class WeekForm(forms.Form):
    """The hours of each weekday, as '08:30-12:30, 14:00-16:30' (empty: closed)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in Weekday.choices:
            self.fields[f"day_{value}"] = forms.CharField(
                label=label, required=False, max_length=200
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        week = {}
        for value, _label in Weekday.choices:
            name = f"day_{value}"
            try:
                week[value] = parse_intervals(cleaned.get(name, ""))
            except forms.ValidationError as error:
                self.add_error(name, error)
        cleaned["week"] = week
        return cleaned


class RamadanForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    year = forms.IntegerField(label=_("Année"), min_value=2000, max_value=2100)
    start_shift = forms.IntegerField(label=_("Décalage du premier jour"), min_value=-2, max_value=2)
    end_shift = forms.IntegerField(label=_("Décalage du dernier jour"), min_value=-2, max_value=2)


class HolidayOverrideForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = HolidayOverride
        fields = ["kind", "day", "moved_to", "name"]
        widgets = {
            "day": forms.DateInput(attrs={"type": "date"}),
            "moved_to": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("kind") == OverrideKind.MOVE and not cleaned.get("moved_to"):
            self.add_error("moved_to", _("Indiquez le jour où le jour férié est déplacé."))
        return cleaned

    def validate_unique(self) -> None:
        """The service replaces an earlier override of the same day."""

    def _post_clean(self) -> None:
        """Validated by the service (it owns the model's checks)."""


class PolicyForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = SlaPolicy
        fields = ["clock", "ack_delay", "response_delay", "resolution_delay", "basis"]
