"""The cooperation programmes in the Django admin (see core/admin.py): shown only, each
pointing to the page that edits it (the pages write through the services)."""

from __future__ import annotations

from django.contrib import admin

from pilotage.cooperation.models import (
    Agreement,
    AgreementParty,
    Budget,
    BudgetLine,
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


# --- Finance: the aggregates are read-only; finance_facts_rebuild() recomputes them.
from pilotage.cooperation.models import FinanceCountryFact, FinanceFact  # noqa: E402


@admin.register(FinanceFact, FinanceCountryFact)
class FinanceFactAdmin(ServiceAdmin):
    edit_url = "cooperation:finance"
