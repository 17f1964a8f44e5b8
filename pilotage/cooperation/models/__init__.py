"""The cooperation app's tables, one module per part of the work."""

from pilotage.cooperation.models.codes import (
    ActivityStatus,
    OrganisationRole,
    OrganisationType,
    PartnerKind,
)
from pilotage.cooperation.models.partners import Partner, PartnerContact
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

__all__ = [
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
