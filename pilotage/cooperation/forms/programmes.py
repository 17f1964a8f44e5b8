"""Forms of the programme and project pages (HTTP only: the services validate)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from pilotage.accounts.models import User
from pilotage.cooperation.models import MemberRole, Programme, Project
from pilotage.cooperation.roles import FINANCE_OFFICER, PROGRAMME_MANAGER
from pilotage.orgunits.models import OrgUnit


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ProgrammeForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Programme
        fields = (
            "code",
            "title_fr",
            "title_en",
            "title_ar",
            "description",
            "status",
            "start_date",
            "end_date",
            "default_currency",
            "lead_partner",
        )
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["version"].initial = self.instance.version


class ProjectForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Project
        fields = (
            "code",
            "title_fr",
            "title_en",
            "title_ar",
            "country",
            "description",
            "status",
            "start_date",
            "end_date",
            "default_currency",
        )
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country = cast(forms.ModelChoiceField, self.fields["country"])
        country.queryset = OrgUnit.objects.filter(
            depth=1, pk__in=programme.countries.values("country")
        )
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["country"].disabled = True
            self.fields["version"].initial = self.instance.version


def shares_parse(text: str) -> list[tuple[str, Decimal]]:
    """``CODE PERCENT`` per line (or separated by ``;``): what the shares forms send."""
    rows: list[tuple[str, Decimal]] = []
    for raw in text.replace(";", "\n").splitlines():
        parts = raw.replace(",", ".").split()
        if not parts:
            continue
        if len(parts) != 2:
            raise forms.ValidationError(
                _("« %(line)s » : un code et un pourcentage par ligne.") % {"line": raw[:60]}
            )
        try:
            rows.append((parts[0].upper(), Decimal(parts[1].rstrip("%"))))
        except ArithmeticError as exc:
            raise forms.ValidationError(
                _("« %(value)s » n'est pas un pourcentage.") % {"value": parts[1][:20]}
            ) from exc
    return rows


class SharesForm(forms.Form):
    shares = forms.CharField(
        label=_("Répartition"),
        widget=forms.Textarea(attrs={"rows": 6, "dir": "ltr"}),
        required=False,
        help_text=_("Un code et son pourcentage par ligne, par exemple « SN 40 »."),
    )

    def clean_shares(self) -> list[tuple[str, Decimal]]:
        return shares_parse(self.cleaned_data["shares"])


class MemberForm(forms.Form):
    """A member of the team is someone who holds a cooperation staff role: a programme
    manager (as manager or observer) or a finance officer."""

    user = forms.ModelChoiceField(
        label=_("Personne"),
        queryset=User.objects.filter(
            is_active=True, assignments__role__in=(PROGRAMME_MANAGER, FINANCE_OFFICER)
        )
        .distinct()
        .order_by("last_name", "first_name", "username"),
    )
    role = forms.ChoiceField(label=_("Rôle dans l'équipe"), choices=MemberRole.choices)
