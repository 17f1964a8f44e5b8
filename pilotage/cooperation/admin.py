"""The cooperation programmes in the Django admin (see core/admin.py): shown only, each
pointing to the page that edits it (the pages write through the services)."""

from __future__ import annotations

from django.contrib import admin

from pilotage.cooperation.models import (
    Activity,
    ActivityDisbursement,
    ActivityReport,
    Agreement,
    AgreementParty,
    Budget,
    BudgetLine,
    Consultant,
    Contract,
    Deliverable,
    DeliverableVersion,
    ExchangeRate,
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
    Review,
    Transaction,
    WorkplanRevision,
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


@admin.register(Partner, PartnerContact)
class PartnerAdmin(ServiceAdmin):
    edit_url = "cooperation:programmes"


@admin.register(
    Agreement,
    AgreementParty,
    Budget,
    BudgetLine,
    ExchangeRate,
    Opportunity,
    PlannedDisbursement,
    PlanRevision,
    ResultNode,
    Transaction,
)
class ProgrammeRecordAdmin(ServiceAdmin):
    edit_url = "cooperation:programmes"


# Work plans and consultants: shown only, edited from their pages.


@admin.register(Activity, ActivityDisbursement, WorkplanRevision)
class WorkplanAdmin(ServiceAdmin):
    edit_url = "cooperation:programmes"


@admin.register(Consultant, Contract, Deliverable, DeliverableVersion, Review, ActivityReport)
class ConsultantAdmin(ServiceAdmin):
    edit_url = "cooperation:consultants"
