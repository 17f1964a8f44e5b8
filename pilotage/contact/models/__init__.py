from pilotage.contact.models.kb import Article, ArticleKind, ArticleStatus
from pilotage.contact.models.registry import (
    ActionField,
    Association,
    Language,
    LegalForm,
    Requester,
)
from pilotage.contact.models.tickets import (
    DONE_STATUSES,
    OPEN_STATUSES,
    PRIORITY_WEIGHT,
    AssignmentMode,
    Attachment,
    BusinessCalendar,
    Category,
    Channel,
    LinkKind,
    MessageKind,
    Priority,
    Queue,
    QueueMember,
    Status,
    Ticket,
    TicketCounter,
    TicketLink,
    TicketMessage,
    TicketType,
)

__all__ = [
    "DONE_STATUSES",
    "OPEN_STATUSES",
    "PRIORITY_WEIGHT",
    "ActionField",
    "Article",
    "ArticleKind",
    "ArticleStatus",
    "AssignmentMode",
    "Association",
    "Attachment",
    "BusinessCalendar",
    "Category",
    "Channel",
    "Language",
    "LegalForm",
    "LinkKind",
    "MessageKind",
    "Priority",
    "Queue",
    "QueueMember",
    "Requester",
    "Status",
    "Ticket",
    "TicketCounter",
    "TicketLink",
    "TicketMessage",
    "TicketType",
]
# phone:
from pilotage.contact.models.calls import (  # noqa: E402
    AgentExtension,
    CallStatus,
    IncomingCall,
    TelephonyToken,
)
from pilotage.contact.models.visits import Visit, VisitCounter, VisitStatus  # noqa: E402

__all__ += [
    "AgentExtension",
    "CallStatus",
    "IncomingCall",
    "TelephonyToken",
    "Visit",
    "VisitCounter",
    "VisitStatus",
]
