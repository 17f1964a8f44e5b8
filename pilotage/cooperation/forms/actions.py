"""Forms of the partner actions pages (HTTP only: the services validate)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from pilotage.cooperation.forms.programmes import DateInput
from pilotage.cooperation.models import (
    ActionStatus,
    ActionTopic,
    Partner,
    PartnerAction,
    Programme,
)
from pilotage.cooperation.selectors.actions import ActionFilters
from pilotage.orgunits.models import OrgUnit


def _choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


class RegionChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} · {obj.name}"


class ActionForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    subdivisions = RegionChoice(
        label=_("Régions"),
        queryset=OrgUnit.objects.none(),
        required=False,
        help_text=_("Aucune : tout le pays. Seules les régions du pays choisi sont acceptées."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = PartnerAction
        fields = (
            "partner",
            "programme",
            "country",
            "subdivisions",
            "external_ref",
            "title",
            "description",
            "topic",
            "keywords",
            "beneficiary_type",
            "planned",
            "planned_female",
            "reached",
            "reached_female",
            "start_date",
            "end_date",
            "status",
            "budget_amount",
            "budget_currency",
            "contact_name",
            "contact_email",
        )
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, own_partner: Partner | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "country").queryset = OrgUnit.objects.filter(depth=1).order_by("code")
        _choice(self, "subdivisions").queryset = OrgUnit.objects.filter(depth=2).order_by("code")
        _choice(self, "programme").queryset = Programme.objects.order_by("code")
        _choice(self, "partner").queryset = Partner.objects.filter(is_active=True).order_by(
            "name_fr"
        )
        if own_partner is not None:
            # A partner's account writes for its own organisation only.
            _choice(self, "partner").queryset = Partner.objects.filter(pk=own_partner.pk)
            self.fields["partner"].initial = own_partner.pk
            self.fields["partner"].disabled = True
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["subdivisions"].initial = list(self.instance.subdivisions.all())


class ActionFilterForm(forms.Form):
    country: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Pays"), queryset=OrgUnit.objects.none(), required=False, empty_label="—"
    )
    subdivision: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Région"), queryset=OrgUnit.objects.none(), required=False, empty_label="—"
    )
    topic = forms.ChoiceField(
        label=_("Thème"), choices=[("", "—"), *ActionTopic.choices], required=False
    )
    partner = forms.ModelChoiceField(
        label=_("Partenaire"), queryset=Partner.objects.none(), required=False, empty_label="—"
    )
    status = forms.ChoiceField(
        label=_("Statut"), choices=[("", "—"), *ActionStatus.choices], required=False
    )

    def __init__(self, *args: Any, partners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "country").queryset = OrgUnit.objects.filter(depth=1).order_by("code")
        regions = OrgUnit.objects.filter(depth=2).order_by("code")
        country_pk = self.data.get("country") if self.is_bound else None
        if country_pk and str(country_pk).isdigit():
            parent = OrgUnit.objects.filter(pk=int(country_pk), depth=1).first()
            if parent is not None:
                regions = OrgUnit.objects.filter(depth=2, path__startswith=parent.path).order_by(
                    "code"
                )
        _choice(self, "subdivision").queryset = regions
        _choice(self, "partner").queryset = (
            partners if partners is not None else Partner.objects.order_by("name_fr")
        )

    def filters(self) -> ActionFilters:
        """The filters the form holds; an invalid value is ignored (the table shows all)."""
        if not self.is_valid():
            return ActionFilters()
        data = self.cleaned_data
        return ActionFilters(
            country=data.get("country"),
            subdivision=data.get("subdivision"),
            topic=data.get("topic") or "",
            partner=data.get("partner"),
            status=data.get("status") or "",
        )
