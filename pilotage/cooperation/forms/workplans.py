"""Forms of the work-plan pages (HTTP only: the services validate)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pilotage.accounts.models import User
from pilotage.cooperation.forms.programmes import DateInput
from pilotage.cooperation.models import (
    Activity,
    BudgetLine,
    Programme,
    Project,
    ResultLevel,
    ResultNode,
    WorkStatus,
)


class ActivityForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Activity
        fields = (
            "code",
            "title_fr",
            "title_ar",
            "title_en",
            "project",
            "output",
            "responsible",
            "start_date",
            "end_date",
            "status",
            "budget_line",
            "progress",
        )
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.programme = programme
        fields: Any = self.fields
        fields["project"].queryset = Project.objects.filter(programme=programme)
        fields["output"].queryset = ResultNode.objects.filter(
            programme=programme, level=ResultLevel.OUTPUT
        )
        fields["budget_line"].queryset = BudgetLine.objects.filter(
            budget__project__programme=programme
        ).select_related("budget")
        fields["responsible"].queryset = User.objects.filter(is_active=True).order_by("username")
        if self.instance.pk:
            fields["code"].disabled = True
            fields["version"].initial = self.instance.version

    def validate_unique(self) -> None:
        """The service checks the code (and says so under the field)."""


class ProgressForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    progress = forms.IntegerField(label=_("Avancement (%)"), min_value=0, max_value=100)
    status = forms.ChoiceField(label=_("Statut"), choices=WorkStatus.choices)


class RevisionForm(forms.Form):
    note = forms.CharField(
        label=_("Motif de la révision"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class FilterForm(forms.Form):
    project = forms.ModelChoiceField(
        label=_("Projet"), queryset=Project.objects.none(), required=False
    )
    output = forms.ModelChoiceField(
        label=_("Produit"), queryset=ResultNode.objects.none(), required=False
    )

    def __init__(self, *args: Any, programme: Programme, projects: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["project"].queryset = projects
        fields["output"].queryset = ResultNode.objects.filter(
            programme=programme, level=ResultLevel.OUTPUT
        ).order_by("code")
