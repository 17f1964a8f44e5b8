"""Targets and action plans in the Django admin: read-only, each pointing to the page that
edits it (those pages go through the services and so the audit log)."""

from __future__ import annotations

from django.contrib import admin

from pilotage.core.admin import ServiceAdmin
from pilotage.indicators import models


@admin.register(models.Target)
class TargetAdmin(ServiceAdmin):
    list_display = ("indicator", "org_unit", "academic_year", "dims_key", "target", "tolerance")
    list_filter = ("indicator", "academic_year")
    raw_id_fields = ("org_unit",)
    edit_url = "indicators:targets"


@admin.register(models.Objective)
class ObjectiveAdmin(ServiceAdmin):
    list_display = ("title", "org_unit", "start_year", "end_year", "indicator")
    edit_url = "indicators:objectives"


@admin.register(models.Action)
class ActionAdmin(ServiceAdmin):
    list_display = ("title", "org_unit", "owner", "due_date", "status", "progress")
    list_filter = ("status",)
    edit_url = "indicators:actions"


@admin.register(models.ActionNote, models.ActionEvidence)
class ActionPartAdmin(ServiceAdmin):
    edit_url = "indicators:actions"
