"""The cooperation programmes in the Django admin (see core/admin.py): shown only, each
pointing to the page that edits it (the pages write through the services)."""

from __future__ import annotations

from django.contrib import admin
from django.db import models

from pilotage.cooperation.models import (
    Agreement,
    AgreementParty,
    Budget,
    BudgetLine,
    ExchangeRate,
    FollowUpAction,
    Meeting,
    Opportunity,
    Partner,
    PartnerContact,
    PlannedDisbursement,
    PlanRevision,
    Programme,
    ProgrammeCountry,
    ProgrammeMember,
    ProgrammeSector,
    Project,
    ProjectLocation,
    ProjectSector,
    ResultNode,
    Transaction,
)
from pilotage.core.admin import ServiceAdmin


@admin.register(Programme)
class ProgrammeAdmin(ServiceAdmin):
    list_display = ("code", "title_fr", "status", "start_date", "end_date")
    search_fields = ("code", "title_fr", "title_en")
    edit_url = "cooperation:programmes"


@admin.register(Project)
class ProjectAdmin(ServiceAdmin):
    list_display = ("code", "title_fr", "programme", "country", "status")
    list_filter = ("status",)
    search_fields = ("code", "title_fr")
    edit_url = "cooperation:programmes"


@admin.register(ProgrammeMember, ProgrammeCountry, ProgrammeSector, ProjectSector, ProjectLocation)
class ProgrammePartAdmin(ServiceAdmin):
    edit_url = "cooperation:programmes"


@admin.register(Partner)
class PartnerAdmin(ServiceAdmin):
    list_display = ("code", "name_fr", "acronym", "kind", "iati_type", "iati_identifier", "country")
    list_filter = ("kind", "iati_type")
    search_fields = ("code", "name_fr", "acronym", "iati_identifier")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    edit_url = "cooperation:partners"


@admin.register(PartnerContact)
class PartnerContactAdmin(ServiceAdmin):
    list_display = ("name", "partner", "position", "email")
    search_fields = ("name", "email")
    edit_url = "cooperation:partners"


@admin.register(Meeting, FollowUpAction)
class MeetingAdmin(ServiceAdmin):
    edit_url = "cooperation:meetings"


@admin.register(Opportunity)
class OpportunityAdmin(ServiceAdmin):
    list_display = ("title_fr", "partner", "stage", "expected_year", "expected_amount", "currency")
    list_filter = ("stage", "expected_year", "currency")
    edit_url = "cooperation:pipeline"


@admin.register(
    Agreement,
    AgreementParty,
    Budget,
    BudgetLine,
    ExchangeRate,
    PlannedDisbursement,
    PlanRevision,
    ResultNode,
    Transaction,
)
class ProgrammeRecordAdmin(ServiceAdmin):
    edit_url = "cooperation:programmes"
