"""The surveys in the Django admin (see core/admin.py): shown only, each pointing to the
page that edits it (the pages write through the services)."""

from __future__ import annotations

from django.contrib import admin

from pilotage.core.admin import ServiceAdmin
from pilotage.surveys.models import (
    Attachment,
    FormVersion,
    Respondent,
    SampleDraw,
    SampledUnit,
    Submission,
    Survey,
)


@admin.register(Survey)
class SurveyAdmin(ServiceAdmin):
    list_display = ("title_fr", "org_unit", "status", "access", "created_at")
    list_filter = ("status", "access")
    search_fields = ("title_fr", "title_ar")
    edit_url = "surveys:surveys"


@admin.register(FormVersion, SampleDraw, SampledUnit, Respondent, Submission, Attachment)
class SurveyPartAdmin(ServiceAdmin):
    edit_url = "surveys:surveys"
