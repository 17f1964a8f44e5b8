"""Forms of the resources, print runs and distributions pages (the services validate)."""

from __future__ import annotations

from typing import Any, cast

import pycountry
from django import forms
from django.utils.translation import gettext_lazy as _

from pilotage.cooperation.forms.programmes import DateInput
from pilotage.cooperation.forms.trainings import subdivisions_of
from pilotage.cooperation.models import (
    EducationalResource,
    Licence,
    PrintRun,
    Programme,
    ResourceLevel,
)
from pilotage.orgunits.models import OrgUnit

COMMON_LANGUAGES = ("fr", "ar", "en", "pt", "es", "wo", "bm", "ff", "ha", "sw", "mg")


def language_choices() -> list[tuple[str, str]]:
    found = [pycountry.languages.get(alpha_2=code) for code in COMMON_LANGUAGES]
    return [(lang.alpha_2, f"{lang.alpha_2} — {lang.name}") for lang in found if lang]


class ResourceForm(forms.ModelForm):
    upload = forms.FileField(label=_("Fichier"), required=False)
    url = forms.URLField(label=_("Adresse externe"), required=False, assume_scheme="https")

    class Meta:
        model = EducationalResource
        fields = (
            "title_fr",
            "title_ar",
            "title_en",
            "kind",
            "level",
            "subject",
            "language",
            "licence",
            "url",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"] = forms.ChoiceField(
            label=_("Langue"), choices=language_choices(), initial="fr"
        )


class ResourceSearchForm(forms.Form):
    q = forms.CharField(label=_("Titre"), required=False)
    level = forms.ChoiceField(
        label=_("Niveau"), choices=[("", "—"), *ResourceLevel.choices], required=False
    )
    subject = forms.CharField(label=_("Matière"), required=False)
    language = forms.ChoiceField(label=_("Langue"), required=False)
    licence = forms.ChoiceField(
        label=_("Licence"), choices=[("", "—"), *Licence.choices], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["language"]).choices = [
            ("", "—"),
            *language_choices(),
        ]


class PrintRunForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    country: forms.ModelChoiceField[OrgUnit] = forms.ModelChoiceField(
        label=_("Pays"), queryset=OrgUnit.objects.none()
    )

    class Meta:
        model = PrintRun
        fields = (
            "resource",
            "subdivision",
            "planned",
            "printed",
            "delivered",
            "confirmed",
            "ordered_on",
            "printed_on",
        )
        widgets = {"ordered_on": DateInput(), "printed_on": DateInput()}

    def __init__(
        self, *args: Any, programme: Programme, countries: Any, resources: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["country"]).queryset = countries
        cast(forms.ModelChoiceField, self.fields["resource"]).queryset = resources
        cast(forms.ModelChoiceField, self.fields["subdivision"]).queryset = subdivisions_of(
            countries
        )
        if self.instance.pk:
            self.fields["country"].disabled = True
            self.fields["country"].initial = self.instance.country_id
            self.fields["resource"].disabled = True
            self.fields["version"].initial = self.instance.version


class DistributionForm(forms.Form):
    destination: forms.ModelChoiceField[OrgUnit] = forms.ModelChoiceField(
        label=_("Destination"), queryset=OrgUnit.objects.none()
    )
    quantity = forms.IntegerField(label=_("Quantité livrée"), min_value=1)
    delivered_on = forms.DateField(label=_("Livré le"), widget=DateInput())

    def __init__(self, *args: Any, country: OrgUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Regions and the level below them; a school is chosen on its own page.
        cast(forms.ModelChoiceField, self.fields["destination"]).queryset = subdivisions_of(
            [country], (2, 3)
        )


class ConfirmForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantité reçue"), min_value=0)
    on = forms.DateField(label=_("Reçu le"), widget=DateInput())
