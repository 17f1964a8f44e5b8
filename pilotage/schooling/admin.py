"""School records in the Django admin. The education structure comes from
``manage.py load_structure`` and is only shown here; mark-entry deadlines go through their
services, like on their page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models as db_models
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from pilotage.core.admin import ServiceAdmin
from pilotage.schooling import models
from pilotage.schooling.services.deadlines import deadline_remove, deadline_set

STRUCTURE = _("Chargé par « manage.py load_structure » ; consultable, non modifiable ici.")


class StructureAdmin(ServiceAdmin):
    edit_hint = STRUCTURE


@admin.register(models.GradeLevel)
class GradeLevelAdmin(StructureAdmin):
    list_display = ("code", "name_fr", "cycle", "order", "entry_age")


@admin.register(models.SubjectCoefficient)
class SubjectCoefficientAdmin(StructureAdmin):
    list_display = ("grade_level", "stream", "subject", "coefficient")
    list_filter = ("grade_level", "stream")


@admin.register(models.ExamWeighting)
class ExamWeightingAdmin(StructureAdmin):
    list_display = ("grade_level", "continuous", "local_exam", "regional_exam", "national_exam")


@admin.register(models.CouncilPolicy)
class CouncilPolicyAdmin(StructureAdmin):
    list_display = ("cycle", "promote_from", "max_repeats")


@admin.register(models.GradingScale)
class GradingScaleAdmin(StructureAdmin):
    list_display = (
        "cycle",
        "mark_max",
        "pass_mark",
        "first_semester_weight",
        "second_semester_weight",
    )


admin.site.register([models.Stream, models.Subject], StructureAdmin)


@admin.register(models.MarkDeadline)
class MarkDeadlineAdmin(ServiceAdmin):
    list_display = ("semester", "org_unit", "closes_at")
    raw_id_fields = ("org_unit",)
    create_service = deadline_set
    update_service = deadline_set
    delete_service = deadline_remove
    edit_url = "schooling:deadlines"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["semester", "org_unit"] if obj is not None else []

    def create_kwargs(self, request: HttpRequest, form: ModelForm) -> dict[str, Any]:
        return {**form.cleaned_data, "check": False}

    def update_kwargs(
        self, request: HttpRequest, stored: db_models.Model, form: ModelForm
    ) -> dict[str, Any]:
        assert isinstance(stored, models.MarkDeadline)  # noqa: S101
        if "closes_at" not in form.changed_data:
            return {}
        return {
            "semester": stored.semester,
            "org_unit": stored.org_unit,
            "closes_at": form.cleaned_data["closes_at"],
            "check": False,
        }

    def delete_kwargs(self, request: HttpRequest, obj: db_models.Model) -> dict[str, Any]:
        return {"deadline": obj, "check": False}
