"""Forms of the results pages (HTTP only: the services validate)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from pilotage.cooperation.forms.programmes import DateInput
from pilotage.cooperation.models import (
    CATEGORIES,
    Dimension,
    Measure,
    Project,
    ResultIndicator,
    ResultNode,
    ResultUpdate,
)
from pilotage.cooperation.services.results import Cell
from pilotage.orgunits.models import OrgUnit


def _number(label: Any, **kw: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=False, max_digits=18, decimal_places=4, localize=True, **kw
    )


class NodeForm(forms.ModelForm):
    class Meta:
        model = ResultNode
        fields = ("level", "parent", "code", "title_fr", "title_ar", "title_en", "description")

    def __init__(self, *args: Any, programme: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent = cast(forms.ModelChoiceField, self.fields["parent"])
        parent.queryset = ResultNode.objects.filter(programme=programme).exclude(level="output")


class IndicatorForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ResultIndicator
        fields = (
            "code",
            "title_fr",
            "title_ar",
            "title_en",
            "measure",
            "unit_label",
            "baseline_value",
            "baseline_date",
            "end_target",
            "end_target_text",
            "cumulative",
            "period_aggregation",
            "location_aggregation",
            "by_sex",
            "by_level",
            "means_of_verification",
            "catalogue_code",
        )
        widgets = {"baseline_date": DateInput()}


class TargetForm(forms.Form):
    period_start = forms.DateField(label=_("Début de période"), widget=DateInput())
    period_end = forms.DateField(label=_("Fin de période"), widget=DateInput())
    country: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Pays"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("Tout le programme"),
    )
    value = _number(_("Cible"))
    numerator = _number(_("Numérateur"))
    denominator = _number(_("Dénominateur"))
    text = forms.CharField(label=_("Cible qualitative"), required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, indicator: ResultIndicator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        programme = indicator.node.programme
        country = cast(forms.ModelChoiceField, self.fields["country"])
        country.queryset = OrgUnit.objects.filter(
            pk__in=programme.countries.values("country")
        ).order_by("code")
        _keep_measure_fields(self, indicator.measure)


def _keep_measure_fields(form: forms.Form, measure: str) -> None:
    drop = {
        Measure.UNIT: ("numerator", "denominator", "text"),
        Measure.PERCENTAGE: ("value", "text"),
        Measure.QUALITATIVE: ("value", "numerator", "denominator"),
    }[Measure(measure)]
    for name in drop:
        form.fields.pop(name, None)


def _project_label(project: Project) -> str:
    return project.country.name if project.country is not None else project.code


class UpdateForm(forms.Form):
    """The figures of an update, and its breakdown cells (``cell_<dimension>_<category>``
    or, for a percentage, ``..._num`` / ``..._den``) where the indicator allows them."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    project = forms.ModelChoiceField(label=_("Projet"), queryset=Project.objects.none())
    period_start = forms.DateField(label=_("Début de période"), widget=DateInput())
    period_end = forms.DateField(label=_("Fin de période"), widget=DateInput())
    value = _number(_("Valeur"))
    numerator = _number(_("Numérateur"))
    denominator = _number(_("Dénominateur"))
    text = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)

    def __init__(
        self,
        *args: Any,
        indicator: ResultIndicator,
        projects: list[Project],
        update: ResultUpdate | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        project = cast(forms.ModelChoiceField, self.fields["project"])
        project.queryset = Project.objects.filter(pk__in=[p.pk for p in projects])
        project.label_from_instance = _project_label  # type: ignore[method-assign,assignment]
        if len(projects) == 1:
            self.initial.setdefault("project", projects[0].pk)
        if update is not None:
            for name in ("project", "period_start", "period_end"):
                self.fields.pop(name)
        _keep_measure_fields(self, indicator.measure)
        self.cell_groups: list[tuple[str, list[tuple[str, str, list[str]]]]] = []
        existing = {(c.dimension, c.category): c for c in update.cells.all()} if update else {}
        for dimension in indicator.dimensions:
            rows = []
            for category, label in CATEGORIES[dimension].choices:
                names = []
                cell = existing.get((dimension, category))
                parts = (
                    (("num", "numerator"), ("den", "denominator"))
                    if indicator.measure == Measure.PERCENTAGE
                    else (("", "value"),)
                )
                for suffix, attr in parts:
                    name = f"cell_{dimension}_{category}" + (f"_{suffix}" if suffix else "")
                    self.fields[name] = _number(label)
                    if cell is not None:
                        self.initial[name] = getattr(cell, attr)
                    names.append(name)
                rows.append((category, str(label), names))
            self.cell_groups.append((str(Dimension(dimension).label), rows))

    def main_fields(self) -> list[forms.BoundField]:
        return [f for f in self.visible_fields() if not f.name.startswith("cell_")]

    def bound_cells(self) -> list[tuple[str, list[tuple[str, list[forms.BoundField]]]]]:
        return [
            (dim_label, [(label, [self[n] for n in names]) for _c, label, names in rows])
            for dim_label, rows in self.cell_groups
        ]

    def cells(self) -> list[Cell]:
        """The filled cells; a dimension left wholly empty is no breakdown."""
        out: list[Cell] = []
        percentage = self.indicator.measure == Measure.PERCENTAGE
        for dimension in self.indicator.dimensions:
            group: list[Cell] = []
            for category in CATEGORIES[dimension].values:
                base = f"cell_{dimension}_{category}"
                if percentage:
                    num: Decimal | None = self.cleaned_data.get(f"{base}_num")
                    den: Decimal | None = self.cleaned_data.get(f"{base}_den")
                    if num is not None or den is not None:
                        group.append(Cell(dimension, category, numerator=num, denominator=den))
                else:
                    value = self.cleaned_data.get(base)
                    if value is not None:
                        group.append(Cell(dimension, category, value=value))
            out.extend(group)
        return out

    def figures(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data.get(name)
            for name in ("value", "numerator", "denominator", "text")
            if name in self.fields
        }


class CommentForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(label=_("Commentaire"), required=False, widget=forms.Textarea)
