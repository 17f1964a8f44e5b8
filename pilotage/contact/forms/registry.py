"""Forms of the registry pages: an association, a requester (citizen or contact person),
and the list's filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pilotage.contact.models import ActionField, Association, LegalForm, Requester
from pilotage.contact.roles import HANDLE_TICKETS, USE_CONTACT
from pilotage.core.scope import scope_of
from pilotage.orgunits.models import OrgUnit

# Regions (2), provinces (3), communes (4): where an association has its seat.
SEAT_DEPTHS = (3, 4)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})"


def _units(actor: Any, capability: str, depths: tuple[int, ...]) -> Any:
    return (
        OrgUnit.objects.filter(scope_of(actor).q_for(capability, "path"), depth__in=depths)
        .order_by("path")
        .only("pk", "code", "name_fr", "name_ar", "path", "depth")
    )


class AssociationFilter(forms.Form):
    q = forms.CharField(label=_("Nom ou numéro d'enregistrement"), required=False, max_length=100)
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Région ou province"),
        queryset=OrgUnit.objects.none(),
        required=False,
        to_field_name="code",
    )
    field = forms.ModelChoiceField(
        label=_("Domaine d'action"),
        queryset=ActionField.objects.all(),
        required=False,
        to_field_name="code",
    )
    legal_form = forms.ChoiceField(
        label=_("Forme juridique"), choices=[("", "—"), *LegalForm.choices], required=False
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = self.fields["unit"]
        assert isinstance(units, forms.ModelChoiceField)  # noqa: S101
        units.queryset = _units(actor, USE_CONTACT, (2, 3))


class AssociationForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Association
        fields = (
            "name_fr",
            "name_ar",
            "acronym",
            "registration_number",
            "legal_form",
            "org_unit",
            "fields",
            "employees",
            "volunteers",
            "founded_on",
            "email",
            "phone",
            "address",
            "language",
            "notes",
            "is_active",
        )
        widgets = {
            "name_ar": forms.TextInput(attrs={"dir": "rtl"}),
            "registration_number": forms.TextInput(attrs={"dir": "ltr"}),
            "email": forms.EmailInput(attrs={"dir": "ltr"}),
            "phone": forms.TextInput(attrs={"dir": "ltr", "inputmode": "tel"}),
            "fields": forms.CheckboxSelectMultiple,
            "founded_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "address": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"org_unit": UnitChoiceField}

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        seat = self.fields["org_unit"]
        assert isinstance(seat, forms.ModelChoiceField)  # noqa: S101
        seat.queryset = _units(actor, HANDLE_TICKETS, SEAT_DEPTHS)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class RequesterForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Requester
        fields = (
            "first_name",
            "last_name",
            "name_ar",
            "phone",
            "email",
            "cin",
            "language",
            "position",
            "org_unit",
        )
        widgets = {
            "name_ar": forms.TextInput(attrs={"dir": "rtl"}),
            "email": forms.EmailInput(attrs={"dir": "ltr"}),
            "phone": forms.TextInput(attrs={"dir": "ltr", "inputmode": "tel"}),
            "cin": forms.TextInput(attrs={"dir": "ltr"}),
        }
        field_classes = {"org_unit": UnitChoiceField}

    def __init__(self, *args: Any, actor: Any, contact: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if contact:
            # A contact person is reached through their association: no residence.
            del self.fields["org_unit"]
        else:
            del self.fields["position"]
            place = self.fields["org_unit"]
            assert isinstance(place, forms.ModelChoiceField)  # noqa: S101
            place.queryset = _units(actor, HANDLE_TICKETS, (2, 3, 4))
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
