"""The org-unit tree in the Django admin: units and schools go through the services (which
audit them and keep a school's sector and milieu groups in step); the rest is created by
``load_country`` and the calendar services, and only shown here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models as db_models
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from pilotage.core.admin import ServiceAdmin
from pilotage.orgunits import models, services

LOAD_COUNTRY = _("Créé par « manage.py load_country » ; consultable, non modifiable ici.")
CALENDAR = _(
    "L'année scolaire, ses semestres et ses périodes sont créés ensemble par le service du "
    "calendrier ; consultables, non modifiables ici."
)


class OrgUnitAdminForm(forms.ModelForm):
    """A new unit is placed under its parent, given by code (the tree is too large for a
    list)."""

    parent_code = forms.CharField(
        label=_("Code de l'unité parente"), required=False, help_text=_("Vide pour une racine.")
    )

    class Meta:
        model = models.OrgUnit
        fields = ("code", "level", "name_fr", "name_ar", "name_en", "is_active")

    def clean_parent_code(self) -> models.OrgUnit | None:
        code = self.cleaned_data["parent_code"].strip()
        if not code:
            return None
        parent = models.OrgUnit.objects.filter(code=code).first()
        if parent is None:
            raise ValidationError(_("Aucune unité n'a ce code."))
        return parent


@admin.register(models.OrgUnit)
class OrgUnitAdmin(ServiceAdmin):
    form = OrgUnitAdminForm
    list_display = ("name_fr", "code", "level", "is_active")
    search_fields = ("code", "name_fr", "name_ar")
    list_filter = ("level", "is_active")
    ordering = ("path",)
    create_service = services.orgunit_create
    update_service = services.orgunit_update
    service_errors = (ValidationError, services.OrgUnitError)
    edit_hint = _("Une unité ne se supprime pas : elle se désactive.")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["parent_code", "level", "code", "name_fr", "name_ar", "name_en"]
        return ["code", "level", *services.ORGUNIT_FIELDS]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code", "level"] if obj is not None else []

    def create_kwargs(self, request: HttpRequest, form: ModelForm) -> dict[str, Any]:
        data = form.cleaned_data
        return {
            "parent": data["parent_code"],
            "level": data["level"],
            "code": data["code"],
            "name_fr": data["name_fr"],
            "name_ar": data["name_ar"],
            "name_en": data["name_en"],
        }

    def update_kwargs(
        self, request: HttpRequest, stored: db_models.Model, form: ModelForm
    ) -> dict[str, Any]:
        values = super().update_kwargs(request, stored, form)
        return {"org_unit": stored, **values} if values else {}


@admin.register(models.School)
class SchoolAdmin(ServiceAdmin):
    list_display = (
        "school_code",
        "org_unit",
        "sector",
        "milieu",
        "has_primaire",
        "has_college",
        "has_lycee",
    )
    list_filter = ("sector", "milieu", "has_primaire", "has_college", "has_lycee")
    search_fields = ("school_code", "org_unit__name_fr")
    raw_id_fields = ("org_unit",)
    create_service = services.school_save
    update_service = services.school_save
    edit_hint = _("Un établissement ne se supprime pas : son unité se désactive.")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["org_unit"] if obj is not None else []

    def _school_kwargs(self, org_unit: models.OrgUnit, form: ModelForm) -> dict[str, Any]:
        data = form.cleaned_data
        return {
            "org_unit": org_unit,
            "school_code": data["school_code"],
            "cycles": [c for c in ("primaire", "college", "lycee") if data[f"has_{c}"]],
            "sector": data["sector"],
            "milieu": data["milieu"],
        }

    def create_kwargs(self, request: HttpRequest, form: ModelForm) -> dict[str, Any]:
        return self._school_kwargs(form.cleaned_data["org_unit"], form)

    def update_kwargs(
        self, request: HttpRequest, stored: db_models.Model, form: ModelForm
    ) -> dict[str, Any]:
        assert isinstance(stored, models.School)  # noqa: S101
        return self._school_kwargs(stored.org_unit, form) if form.changed_data else {}


@admin.register(models.OrgUnitLevel, models.OrgUnitGroupSet)
class CountryConfigurationAdmin(ServiceAdmin):
    edit_hint = LOAD_COUNTRY


@admin.register(models.OrgUnitGroup)
class OrgUnitGroupAdmin(ServiceAdmin):
    list_display = ("name_fr", "code", "group_set")
    edit_hint = _(
        "Les groupes secteur et milieu suivent la fiche de chaque établissement ; "
        "consultables, non modifiables ici."
    )


@admin.register(models.AcademicYear, models.Semester, models.Period)
class CalendarAdmin(ServiceAdmin):
    edit_hint = CALENDAR
