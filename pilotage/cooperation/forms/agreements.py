"""Forms of the agreement pages (HTTP only: the services validate)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from pilotage.accounts.models import User
from pilotage.cooperation.forms.programmes import DateInput
from pilotage.cooperation.models import (
    Agreement,
    AgreementKind,
    AgreementStatus,
    ObligationKind,
    OrganisationRole,
    Partner,
    Programme,
)


class AgreementForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Agreement
        fields = (
            "programme",
            "reference",
            "title_fr",
            "title_en",
            "title_ar",
            "kind",
            "status",
            "signed_on",
            "effective_on",
            "ends_on",
            "amount",
            "currency",
        )
        widgets = {
            "signed_on": DateInput(),
            "effective_on": DateInput(),
            "ends_on": DateInput(),
        }

    def __init__(
        self, *args: Any, programmes: QuerySet[Programme] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # Amounts typed the reader's way (a decimal comma in French and Arabic).
        amount = self.fields["amount"]
        amount.localize = True
        amount.widget = forms.TextInput(attrs={"inputmode": "decimal"})
        amount.widget.is_localized = True
        if self.instance.pk:
            self.fields["reference"].disabled = True
            self.fields["programme"].disabled = True
            self.fields["version"].initial = self.instance.version
        elif programmes is not None:
            self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]


class AgreementFilterForm(forms.Form):
    q = forms.CharField(label=_("Recherche"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Nature"), required=False, choices=[("", "—"), *AgreementKind.choices]
    )
    status = forms.ChoiceField(
        label=_("Statut"), required=False, choices=[("", "—"), *AgreementStatus.choices]
    )
    partner = forms.ModelChoiceField(
        label=_("Partie"), required=False, queryset=Partner.objects.none()
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"), required=False, queryset=Programme.objects.none()
    )

    def __init__(
        self,
        *args: Any,
        partners: QuerySet[Partner],
        programmes: QuerySet[Programme],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners  # type: ignore[attr-defined]
        self.fields["programme"].queryset = programmes.order_by("code")  # type: ignore[attr-defined]


class PartyForm(forms.Form):
    partner = forms.ModelChoiceField(
        label=_("Partenaire"), queryset=Partner.objects.filter(is_active=True)
    )
    role = forms.ChoiceField(label=_("Rôle (IATI)"), choices=OrganisationRole.choices)


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    file = forms.FileField(label=_("Fichier PDF"))


class SubmitForm(forms.Form):
    file = forms.FileField(label=_("Fichier PDF"))


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    status = forms.ChoiceField(
        choices=[("accepted", _("Accepter")), ("pending", _("Renvoyer")), ("waived", _("Lever"))]
    )


def _days(value: str) -> list[int]:
    parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
    try:
        return [int(p) for p in parts]
    except ValueError as exc:
        raise forms.ValidationError(
            _("« %(value)s » : des nombres de jours entiers séparés par des virgules (30, 7).")
            % {"value": value[:40]}
        ) from exc


class ObligationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Nature"), choices=ObligationKind.choices)
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    due_on = forms.DateField(label=_("Échéance"), widget=DateInput())
    responsible_party = forms.ModelChoiceField(
        label=_("Partie responsable"), required=False, queryset=Partner.objects.none()
    )
    owner = forms.ModelChoiceField(
        label=_("Responsable interne"), required=False, queryset=User.objects.none()
    )
    reminder_days = forms.CharField(
        label=_("Rappels (jours avant l'échéance)"),
        initial="30, 7",
        max_length=60,
        help_text=_("Un rappel part aussi le jour de l'échéance."),
    )

    def __init__(
        self, *args: Any, parties: QuerySet[Partner], owners: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible_party"].queryset = parties  # type: ignore[attr-defined]
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]

    def clean_reminder_days(self) -> list[int]:
        return _days(self.cleaned_data["reminder_days"])


class AmendmentForm(forms.Form):
    """The amendment and the new values of what it changes (left as they are: unchanged)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    signed_on = forms.DateField(label=_("Signé le"), widget=DateInput())
    signed_by = forms.CharField(label=_("Signataires"), max_length=300)
    summary = forms.CharField(label=_("Objet"), widget=forms.Textarea(attrs={"rows": 3}))
    ends_on = forms.DateField(label=_("Nouvelle date de fin"), required=False, widget=DateInput())
    amount = forms.DecimalField(
        label=_("Nouveau montant"),
        required=False,
        max_digits=18,
        decimal_places=2,
        min_value=0,
        localize=True,
    )
    currency = forms.CharField(label=_("Devise"), max_length=3, required=False)

    AMENDED = ("ends_on", "amount", "currency")

    def changes(self, agreement: Agreement) -> dict[str, Any]:
        out = {}
        for name in self.AMENDED:
            value = self.cleaned_data.get(name)
            if name == "currency":
                value = (value or "").upper() or agreement.currency
            if value is not None and value != getattr(agreement, name):
                out[name] = value
        return out
