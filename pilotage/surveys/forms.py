"""The surveys app's forms: HTTP input only; the services validate and write."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from pilotage.core.roles import roles_with
from pilotage.core.scope import scope_of
from pilotage.orgunits.models import OrgUnit
from pilotage.surveys.models import SurveyAccess
from pilotage.surveys.roles import MANAGE_SURVEYS
from pilotage.surveys.xlsform import MAX_BYTES


def managed_units(actor: Any) -> list[OrgUnit]:
    """The units a new survey may belong to: those of the actor's manager assignments."""
    paths = scope_of(actor).paths(roles_with(MANAGE_SURVEYS))
    return list(OrgUnit.objects.filter(path__in=paths).order_by("path"))


class SurveyForm(forms.Form):
    title_fr = forms.CharField(label=_("Intitulé (français)"), max_length=300)
    title_ar = forms.CharField(
        label=_("Intitulé (arabe)"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
    )
    description = forms.CharField(
        label=_("Présentation aux répondants"), required=False, widget=forms.Textarea
    )
    org_unit: forms.ModelChoiceField[OrgUnit] = forms.ModelChoiceField(
        label=_("Service responsable"), queryset=OrgUnit.objects.none()
    )
    access = forms.ChoiceField(label=_("Accès"), choices=SurveyAccess.choices)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = managed_units(actor)
        field = cast("forms.ModelChoiceField[OrgUnit]", self.fields["org_unit"])
        field.queryset = OrgUnit.objects.filter(pk__in=[u.pk for u in units])
        if len(units) == 1:
            field.initial = units[0]


class WorkbookForm(forms.Form):
    workbook = forms.FileField(
        label=_("Classeur XLSForm (.xlsx ou .xls)"),
        help_text=_("Feuilles survey, choices et settings ; %(max)s Mo au plus.")
        % {"max": MAX_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.xls,application/vnd.openxmlformats-officedocument"
                ".spreadsheetml.sheet"
            }
        ),
    )
