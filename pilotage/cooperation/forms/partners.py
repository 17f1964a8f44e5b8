"""Forms of the partners, meetings and pipeline pages (HTTP only: the services validate)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from pilotage.cooperation.forms.programmes import DateInput
from pilotage.cooperation.models import (
    FollowUpAction,
    Meeting,
    Opportunity,
    OrganisationType,
    Partner,
    PartnerContact,
    PartnerKind,
    Stage,
)
from pilotage.cooperation.models.pipeline import OPEN_STAGES


class PartnerFilterForm(forms.Form):
    q = forms.CharField(label=_("Nom ou sigle"), required=False)
    kind = forms.ChoiceField(
        label=_("Catégorie"), choices=[("", "—"), *PartnerKind.choices], required=False
    )
    iati_type = forms.ChoiceField(
        label=_("Type IATI"), choices=[("", "—"), *OrganisationType.choices], required=False
    )
    country = forms.ChoiceField(label=_("Pays"), choices=[("", "—")], required=False)

    def __init__(self, *args: Any, countries: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = [("", "—"), *countries]


class PartnerForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    website = forms.URLField(label=_("Site web"), required=False, assume_scheme="https")

    class Meta:
        model = Partner
        fields = (
            "code",
            "name_fr",
            "name_ar",
            "name_en",
            "acronym",
            "kind",
            "iati_type",
            "iati_identifier",
            "country",
            "website",
            "notes",
            "is_active",
        )
        widgets = {
            "iati_identifier": forms.TextInput(attrs={"dir": "ltr", "placeholder": "XM-DAC-41304"}),
            "country": forms.TextInput(attrs={"dir": "ltr", "placeholder": "FR", "size": 3}),
            "name_ar": forms.TextInput(attrs={"dir": "rtl"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["version"].initial = self.instance.version

    def clean_country(self) -> str:
        return (self.cleaned_data.get("country") or "").strip().upper()

    def clean_iati_identifier(self) -> str:
        return (self.cleaned_data.get("iati_identifier") or "").strip()


class ContactForm(forms.ModelForm):
    class Meta:
        model = PartnerContact
        fields = ("name", "position", "email", "phone")


class MeetingForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Meeting
        fields = (
            "kind",
            "date",
            "title",
            "partners",
            "programme",
            "participants",
            "external_participants",
            "minutes",
            "decisions",
        )
        widgets = {
            "date": DateInput(),
            "partners": forms.SelectMultiple(attrs={"size": 6}),
            "participants": forms.SelectMultiple(attrs={"size": 6}),
            "external_participants": forms.Textarea(attrs={"rows": 3}),
            "minutes": forms.Textarea(attrs={"rows": 8}),
            "decisions": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"external_participants": _("Une personne par ligne.")}

    def __init__(self, *args: Any, people: Any, programmes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["participants"]).queryset = people
        cast(forms.ModelChoiceField, self.fields["programme"]).queryset = programmes
        cast(forms.ModelMultipleChoiceField, self.fields["partners"]).queryset = (
            Partner.objects.filter(is_active=True) | Partner.objects.filter(pk__in=self._current())
        ).order_by("name_fr")
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def _current(self) -> list[int]:
        if not self.instance.pk:
            return []
        return list(self.instance.partners.values_list("pk", flat=True))


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUpAction
        fields = ("description", "owner", "due_date")
        widgets = {"due_date": DateInput()}

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = people


class OpportunityForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Opportunity
        fields = (
            "title_fr",
            "title_ar",
            "title_en",
            "partner",
            "stage",
            "expected_amount",
            "currency",
            "probability",
            "expected_year",
            "next_step",
            "next_step_on",
            "iati_identifier",
        )
        widgets = {
            "next_step_on": DateInput(),
            "currency": forms.TextInput(attrs={"dir": "ltr", "size": 4}),
            "title_ar": forms.TextInput(attrs={"dir": "rtl"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stage = cast(forms.ChoiceField, self.fields["stage"])
        if self.instance.pk:
            # The stage moves on the opportunity's page (audited, with its rules).
            del self.fields["stage"]
            self.fields["version"].initial = self.instance.version
        else:
            stage.choices = [(s.value, s.label) for s in OPEN_STAGES]

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "").strip().upper()


class MoveForm(forms.Form):
    stage = forms.ChoiceField(label=_("Nouvelle étape"), choices=Stage.choices)
    next_step = forms.CharField(label=_("Prochaine étape"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
