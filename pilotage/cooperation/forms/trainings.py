"""Forms of the training pages (HTTP only: the services validate)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from pilotage.cooperation.forms.programmes import DateInput
from pilotage.cooperation.models import Project, TrainingSession
from pilotage.cooperation.models.trainings import Sex
from pilotage.orgunits.models import OrgUnit


def subdivisions_of(countries: Iterable[OrgUnit], depths: tuple[int, ...] = (2,)) -> Any:
    """The first-level subdivisions (or deeper, ``depths``) of ``countries``."""
    where = Q(pk__in=[])
    for country in countries:
        where |= Q(path__startswith=country.path)
    return OrgUnit.objects.filter(where, depth__in=depths).order_by("path")


def _project_label(project: Project) -> str:
    return str(project.country.name) if project.country else project.title


class SessionForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = TrainingSession
        fields = (
            "project",
            "topic",
            "audience",
            "start_date",
            "end_date",
            "modality",
            "venue",
            "location",
            "planned_participants",
        )
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def __init__(self, *args: Any, projects: QuerySet[Project], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        project = cast(forms.ModelChoiceField, self.fields["project"])
        project.queryset = projects
        if not self.is_bound and len(projects) == 1:
            project.initial = projects[0].pk
        project.label_from_instance = _project_label  # type: ignore[method-assign,assignment]
        location = cast(forms.ModelChoiceField, self.fields["location"])
        location.queryset = subdivisions_of(p.country for p in projects if p.country)
        if self.instance.pk:
            self.fields["project"].disabled = True
            self.fields["version"].initial = self.instance.version


class PersonForm(forms.Form):
    full_name = forms.CharField(label=_("Nom complet"), max_length=200)
    sex = forms.ChoiceField(label=_("Sexe"), choices=Sex.choices)
    role = forms.CharField(label=_("Fonction"), max_length=100, required=False)
    email = forms.EmailField(label=_("Courriel"), required=False)
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)
    national_id = forms.CharField(label=_("Identifiant national"), max_length=40, required=False)
    attended = forms.BooleanField(label=_("Présent"), required=False)
    completed = forms.BooleanField(label=_("Formation achevée"), required=False)


class ParticipantsImportForm(forms.Form):
    file = forms.FileField(label=_("Fichier CSV ou XLSX"))
    dry_run = forms.BooleanField(
        label=_("Vérifier seulement (rien n'est enregistré)"), required=False
    )
