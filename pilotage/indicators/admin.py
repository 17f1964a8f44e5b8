"""The indicators app in the Django admin (see core/admin.py): validation rules are edited
through their services (and so the audit log); violations, receipts and the rest are kept
by the app and only shown."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models as db_models
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from pilotage.core.admin import ServiceAdmin
from pilotage.indicators import models
from pilotage.indicators.quality.rules import (
    validation_rule_create,
    validation_rule_delete,
    validation_rule_update,
)


@admin.register(models.ValidationRule)
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


@admin.register(models.ValidationViolation)
class ValidationViolationAdmin(ServiceAdmin):
    list_display = ("rule", "org_unit", "period", "left_value", "right_value", "found_at")
    edit_url = "indicators:quality-validation"
    edit_hint = _("Tenues à jour par le contrôle des règles (page « Qualité des données »).")


@admin.register(models.DataSetReport)
class DataSetReportAdmin(ServiceAdmin):
    list_display = ("data_set", "org_unit", "period", "received_at")
    edit_hint = _("Notés à la première saisie ou au premier import du formulaire.")
