"""Performance steering in the Django admin (see core/admin.py). Validation rules and the
aggregate data catalogue (category combinations, data elements, data sets) are edited here
through their services, and so the audit log; values come from the entry form and the
imports, custom indicators from their page, violations and receipts from the app: those
are shown only."""

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
from pilotage.indicators.models import (
    Action,
    ActionEvidence,
    ActionNote,
    CategoryCombo,
    CategoryOption,
    CustomIndicator,
    CycleSetting,
    DataApproval,
    DataElement,
    DataSet,
    DataSetReport,
    DataValue,
    Objective,
    Target,
    ValidationRule,
    ValidationViolation,
)
from pilotage.indicators.quality.rules import (
    validation_rule_create,
    validation_rule_delete,
    validation_rule_update,
)
from pilotage.indicators.services.aggregates import (
    category_combo_save,
    data_element_save,
    data_set_save,
)
from pilotage.indicators.services.cycles import cycle_setting_update


class _CatalogueAdmin(ServiceAdmin):
    """Create and update through the catalogue's ``*_save`` services, which take every
    field (the code is the key, fixed once created)."""

    fields_saved: tuple[str, ...] = ()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code"] if obj is not None else []

    def create_kwargs(self, request: HttpRequest, form: ModelForm) -> dict[str, Any]:
        return {name: form.cleaned_data[name] for name in ("code", *self.fields_saved)}

    def update_kwargs(self, request: HttpRequest, stored: Any, form: ModelForm) -> dict[str, Any]:
        if not form.changed_data:
            return {}
        return {"code": stored.code, **{n: form.cleaned_data[n] for n in self.fields_saved}}


def _options_text(combo: CategoryCombo) -> str:
    return "\n".join(
        " | ".join(part for part in (o.code, o.name_fr, o.name_ar, o.name_en))
        for o in combo.options.all()
    )


class CategoryComboForm(forms.ModelForm):
    options = forms.CharField(
        label=_("options"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Une option par ligne : code | nom français | nom arabe | nom anglais."),
    )

    class Meta:
        model = CategoryCombo
        fields = ["code", "name_fr", "name_ar", "name_en"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["options"].initial = _options_text(self.instance)

    def clean_options(self) -> list[dict[str, str]]:
        options = []
        for number, line in enumerate(self.cleaned_data["options"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")] + ["", "", ""]
            if not parts[0] or not parts[1]:
                raise ValidationError(
                    _("ligne %(n)s : un code et un nom français sont obligatoires") % {"n": number}
                )
            options.append(
                {"code": parts[0], "name_fr": parts[1], "name_ar": parts[2], "name_en": parts[3]}
            )
        if not options:
            raise ValidationError(_("au moins une option"))
        return options


@admin.register(CategoryCombo)
class CategoryComboAdmin(_CatalogueAdmin):
    form = CategoryComboForm
    fields = ("code", "name_fr", "name_ar", "name_en", "options")
    list_display = ("code", "name_fr")
    fields_saved = ("name_fr", "name_ar", "name_en", "options")
    create_service = category_combo_save
    update_service = category_combo_save


@admin.register(DataElement)
class DataElementAdmin(_CatalogueAdmin):
    list_display = ("code", "name_fr", "value_type", "combo")
    list_filter = ("value_type",)
    search_fields = ("code", "name_fr", "name_ar")
    fields_saved = ("name_fr", "name_ar", "name_en", "value_type", "combo", "description")
    create_service = data_element_save
    update_service = data_element_save


@admin.register(DataSet)
class DataSetAdmin(_CatalogueAdmin):
    list_display = ("code", "name_fr", "period_type", "level", "timely_days")
    list_filter = ("period_type", "level")
    filter_horizontal = ("elements",)
    fields_saved = (
        "name_fr",
        "name_ar",
        "name_en",
        "period_type",
        "level",
        "elements",
        "timely_days",
    )
    create_service = data_set_save
    update_service = data_set_save


@admin.register(CategoryOption)
class CategoryOptionAdmin(ServiceAdmin):
    list_display = ("combo", "code", "name_fr", "order")
    edit_hint = _("Les options se modifient avec leur combinaison de catégories.")


@admin.register(DataValue)
class DataValueAdmin(ServiceAdmin):
    list_display = ("data_element", "category_option", "org_unit", "period", "value", "updated_at")
    list_filter = ("data_element",)
    raw_id_fields = ("org_unit",)
    edit_url = "indicators:data_entry"
    edit_hint = _("Les valeurs se saisissent dans le formulaire de saisie ou s'importent.")


@admin.register(DataApproval)
class DataApprovalAdmin(ServiceAdmin):
    list_display = ("data_set", "org_unit", "period", "approved_by", "approved_at")
    edit_hint = _("Les données s'approuvent depuis le formulaire d'approbation.")


@admin.register(CustomIndicator)
class CustomIndicatorAdmin(ServiceAdmin):
    list_display = ("code", "name_fr", "numerator", "denominator", "factor")
    edit_url = "indicators:custom_list"
    edit_hint = _("Les indicateurs personnalisés se modifient sur leur page.")


@admin.register(ValidationRule)
class ValidationRuleAdmin(ServiceAdmin):
    list_display = ("code", "name_fr", "left", "operator", "right", "importance", "period_type")
    list_filter = ("importance", "period_type", "is_active")
    create_service = validation_rule_create
    update_service = validation_rule_update
    delete_service = validation_rule_delete

    def update_kwargs(
        self, request: HttpRequest, stored: db_models.Model, form: ModelForm
    ) -> dict[str, Any]:
        return {"rule": stored, **super().update_kwargs(request, stored, form)}

    def delete_kwargs(self, request: HttpRequest, obj: db_models.Model) -> dict[str, Any]:
        return {"rule": obj}


@admin.register(ValidationViolation)
class ValidationViolationAdmin(ServiceAdmin):
    list_display = ("rule", "org_unit", "period", "left_value", "right_value", "found_at")
    edit_url = "indicators:quality-validation"
    edit_hint = _("Tenues à jour par le contrôle des règles (page « Qualité des données »).")


@admin.register(DataSetReport)
class DataSetReportAdmin(ServiceAdmin):
    list_display = ("data_set", "org_unit", "period", "received_at")
    edit_hint = _("Notés à la première saisie ou au premier import du formulaire.")


@admin.register(Target)
class TargetAdmin(ServiceAdmin):
    list_display = ("indicator", "org_unit", "academic_year", "dims_key", "target", "tolerance")
    list_filter = ("indicator", "academic_year")
    raw_id_fields = ("org_unit",)
    edit_url = "indicators:targets"


@admin.register(Objective)
class ObjectiveAdmin(ServiceAdmin):
    list_display = ("title", "org_unit", "start_year", "end_year", "indicator")
    edit_url = "indicators:objectives"


@admin.register(Action)
class ActionAdmin(ServiceAdmin):
    list_display = ("title", "org_unit", "owner", "due_date", "status", "progress")
    list_filter = ("status",)
    edit_url = "indicators:actions"


@admin.register(ActionNote, ActionEvidence)
class ActionPartAdmin(ServiceAdmin):
    edit_url = "indicators:actions"


@admin.register(CycleSetting)
class CycleSettingAdmin(ServiceAdmin):
    """The official ages of the three cycles (a migration sets Morocco's); a change is
    audited and queues the rebuild of the indicators' facts."""

    list_display = ("cycle", "entry_age", "duration")
    fields = ("cycle", "entry_age", "duration")
    readonly_fields = ("cycle",)
    update_service = cycle_setting_update

    def update_kwargs(
        self, request: HttpRequest, stored: db_models.Model, form: ModelForm
    ) -> dict[str, Any]:
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        return {"setting": stored, **changed} if changed else {}
