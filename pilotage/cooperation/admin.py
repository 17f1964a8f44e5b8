"""The cooperation programmes in the Django admin (see core/admin.py): shown only, each
pointing to the page that edits it (the pages write through the services)."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from pilotage.cooperation.models import (
    Activity,
    ActivityDisbursement,
    ActivityReport,
    Agreement,
    AgreementDocument,
    AgreementParty,
    Amendment,
    Attendance,
    Budget,
    BudgetLine,
    Consultant,
    Contract,
    Deliverable,
    DeliverableVersion,
    Distribution,
    EducationalResource,
    ExchangeRate,
    FollowUpAction,
    IndicatorTarget,
    Meeting,
    MonthlyReport,
    Obligation,
    ObligationReminder,
    Opportunity,
    Participant,
    Partner,
    PartnerAction,
    PartnerContact,
    PlannedDisbursement,
    PlanRevision,
    PrintRun,
    Programme,
    ProgrammeCountry,
    ProgrammeMember,
    ProgrammeSector,
    Project,
    ProjectLocation,
    ProjectSector,
    ResultIndicator,
    ResultNode,
    ResultUpdate,
    Review,
    TrainingSession,
    Transaction,
    UpdateCell,
    UpdateComment,
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
    Agreement, AgreementParty, AgreementDocument, Obligation, ObligationReminder, Amendment
)
class AgreementAdmin(ServiceAdmin):
    edit_url = "cooperation:agreements"


@admin.register(
    Budget,
    BudgetLine,
    ExchangeRate,
    MonthlyReport,
    PlannedDisbursement,
    PlanRevision,
    ResultNode,
    Transaction,
)
class ProgrammeRecordAdmin(ServiceAdmin):
    edit_url = "cooperation:programmes"


@admin.register(PartnerAction)
class PartnerActionAdmin(ServiceAdmin):
    """Read here; edited on the partner actions pages (their services check the reach)."""

    list_display = ("title", "partner", "country", "topic", "status", "updated_at")
    list_filter = ("topic", "status")
    edit_url = "cooperation:actions"


@admin.register(TrainingSession, Participant, Attendance)
class TrainingAdmin(ServiceAdmin):
    edit_url = "cooperation:programmes"


@admin.register(EducationalResource, PrintRun, Distribution)
class ResourceAdmin(ServiceAdmin):
    edit_url = "cooperation:programmes"


# --- Finance: the aggregates are read-only; finance_facts_rebuild() recomputes them.
from pilotage.cooperation.models import FinanceCountryFact, FinanceFact  # noqa: E402


@admin.register(FinanceFact, FinanceCountryFact)
class FinanceFactAdmin(ServiceAdmin):
    edit_url = "cooperation:finance"


# --- Results framework -------------------------------------------------------------------
@admin.register(IndicatorTarget, ResultIndicator, ResultUpdate, UpdateCell, UpdateComment)
class ResultsAdmin(ServiceAdmin):
    edit_hint = _("Le cadre de résultats se modifie dans l'onglet « Résultats » du programme.")


# Work plans and consultants: shown only, edited from their pages.


@admin.register(Activity, ActivityDisbursement, WorkplanRevision)
class WorkplanAdmin(ServiceAdmin):
    edit_url = "cooperation:programmes"


@admin.register(Consultant, Contract, Deliverable, DeliverableVersion, Review, ActivityReport)
class ConsultantAdmin(ServiceAdmin):
    edit_url = "cooperation:consultants"
