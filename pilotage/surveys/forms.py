"""The surveys app's forms: HTTP input only; the services validate and write."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from pilotage.core.roles import roles_with
from pilotage.core.scope import scope_of
from pilotage.orgunits.models import OrgUnit
from pilotage.surveys.models import FrameSource, SurveyAccess
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


class SampleForm(forms.Form):
    """A sample's design: the frame, how n is found (from the precision wanted, or given),
    the method and, for a stratified sample, the strata and the allocation."""

    source = forms.ChoiceField(label=_("Base de sondage"), choices=FrameSource.choices)
    frame_file = forms.FileField(
        label=_(
            "Liste des unités (CSV ou XLSX : colonne id, et label, email, language, puis "
            "les variables de stratification)"
        ),
        required=False,
    )
    confidence = forms.TypedChoiceField(
        label=_("Niveau de confiance"),
        choices=[("0.9", "90 %"), ("0.95", "95 %"), ("0.99", "99 %")],
        coerce=float,
        initial="0.95",
    )
    margin = forms.DecimalField(
        label=_("Marge d'erreur (e)"),
        min_value=0.005,
        max_value=0.5,
        decimal_places=3,
        initial=0.05,
    )
    proportion = forms.DecimalField(
        label=_("Proportion attendue (p)"),
        min_value=0.01,
        max_value=0.99,
        decimal_places=2,
        initial=0.5,
        help_text=_("0,5 si elle est inconnue : la taille la plus prudente."),
    )
    response_rate = forms.DecimalField(
        label=_("Taux de réponse attendu"),
        min_value=0.05,
        max_value=1,
        decimal_places=2,
        initial=0.7,
    )
    size = forms.IntegerField(
        label=_("Taille imposée (n)"),
        min_value=1,
        required=False,
        help_text=_("Laisser vide pour la calculer à partir de la précision voulue."),
    )
    method = forms.ChoiceField(
        label=_("Méthode"),
        choices=[
            ("stratified", _("Aléatoire stratifié")),
            ("simple", _("Aléatoire simple")),
            ("systematic", _("Systématique")),
        ],
    )
    by = forms.CharField(
        label=_("Strates (variables de la base, séparées par des virgules)"),
        required=False,
        initial="region",
    )
    allocation = forms.ChoiceField(
        label=_("Répartition entre strates"),
        choices=[
            ("proportional", _("Proportionnelle")),
            ("equal", _("Égale")),
            ("neyman", _("Optimale de Neyman")),
        ],
    )
    neyman_variable = forms.CharField(
        label=_("Variable numérique de la base pour Neyman (écart-type par strate)"),
        required=False,
        initial="employees",
    )
    minimum = forms.IntegerField(label=_("Minimum par strate"), min_value=0, initial=1)
    seed = forms.IntegerField(
        label=_("Graine (laisser vide : tirée au hasard et enregistrée)"),
        required=False,
        min_value=0,
        max_value=10**9 - 1,
    )

    def by_list(self) -> list[str]:
        raw = str(self.cleaned_data.get("by") or "")
        return [b.strip() for b in raw.split(",") if b.strip()]
