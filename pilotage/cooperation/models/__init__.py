"""The cooperation app's tables, one module per part of the work."""

from pilotage.cooperation.models.agreements import Agreement, AgreementKind, AgreementParty
from pilotage.cooperation.models.codes import (
    ActivityStatus,
    OrganisationRole,
    OrganisationType,
    PartnerKind,
)
from pilotage.cooperation.models.finance import (
    BUDGET_KIND,
    Budget,
    BudgetLine,
    BudgetStatus,
    BudgetType,
    ExchangeRate,
    FinanceCountryFact,
    FinanceFact,
    PlannedDisbursement,
    PlanRevision,
    Transaction,
    TransactionType,
)
from pilotage.cooperation.models.partners import Partner, PartnerContact
from pilotage.cooperation.models.pipeline import Opportunity, Stage
from pilotage.cooperation.models.programmes import (
    MemberRole,
    Programme,
    ProgrammeCountry,
    ProgrammeMember,
    ProgrammeSector,
    Project,
    ProjectLocation,
    ProjectSector,
)
from pilotage.cooperation.models.results import PARENT_LEVEL, ResultLevel, ResultNode

__all__ = [
    "PARENT_LEVEL",
    "Agreement",
    "AgreementKind",
    "AgreementParty",
    "Budget",
    "BudgetLine",
    "BudgetStatus",
    "BudgetType",
    "BUDGET_KIND",
    "ExchangeRate",
    "FinanceCountryFact",
    "FinanceFact",
    "PlanRevision",
    "PlannedDisbursement",
    "Opportunity",
    "ResultLevel",
    "Stage",
    "ResultNode",
    "Transaction",
    "TransactionType",
    "ActivityStatus",
    "MemberRole",
    "OrganisationRole",
    "OrganisationType",
    "Partner",
    "PartnerContact",
    "PartnerKind",
    "Programme",
    "ProgrammeCountry",
    "ProgrammeMember",
    "ProgrammeSector",
    "Project",
    "ProjectLocation",
    "ProjectSector",
]
