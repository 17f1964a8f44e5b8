"""The cooperation app's tables, one module per part of the work."""

from pilotage.cooperation.models.agreements import Agreement, AgreementKind, AgreementParty
from pilotage.cooperation.models.codes import (
    ActivityStatus,
    OrganisationRole,
    OrganisationType,
    PartnerKind,
)
from pilotage.cooperation.models.finance import (
    Budget,
    BudgetLine,
    BudgetStatus,
    BudgetType,
    ExchangeRate,
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

from pilotage.cooperation.models.workplans import (  # isort: skip
    Activity,
    ActivityDisbursement,
    WorkplanRevision,
    WorkStatus,
)
from pilotage.cooperation.models.consultants import (  # isort: skip
    ActivityReport,
    Consultant,
    ConsultantScope,
    Contract,
    Deliverable,
    DeliverableStatus,
    DeliverableVersion,
    ReportStatus,
    Review,
    ReviewDecision,
)

__all__ = [
    "Activity",
    "ActivityDisbursement",
    "ActivityReport",
    "Consultant",
    "ConsultantScope",
    "Contract",
    "Deliverable",
    "DeliverableStatus",
    "DeliverableVersion",
    "ReportStatus",
    "Review",
    "ReviewDecision",
    "WorkStatus",
    "WorkplanRevision",
    "PARENT_LEVEL",
    "Agreement",
    "AgreementKind",
    "AgreementParty",
    "Budget",
    "BudgetLine",
    "BudgetStatus",
    "BudgetType",
    "ExchangeRate",
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
