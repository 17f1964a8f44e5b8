"""The cooperation programmes in the Django admin (see core/admin.py): shown only, each
pointing to the page that edits it (the pages write through the services)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from pilotage.cooperation.models import (
    Agreement,
    AgreementParty,
    Budget,
    BudgetLine,
    ExchangeRate,
    IndicatorTarget,
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
    ResultIndicator,
    ResultNode,
    ResultUpdate,
    Transaction,
    UpdateCell,
    UpdateComment,
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


# --- Results framework -------------------------------------------------------------------
@admin.register(IndicatorTarget, ResultIndicator, ResultUpdate, UpdateCell, UpdateComment)
class ResultsAdmin(ServiceAdmin):
    edit_hint = _("Le cadre de résultats se modifie dans l'onglet « Résultats » du programme.")
