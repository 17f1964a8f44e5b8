"""What the contact centre lets each role do (see core/roles.py).

The contact centre is one service for the whole country, with agents who may be posted in a
region's academy: an agent's or a supervisor's assignment is a unit of the tree and covers
the tickets concerning that unit's subtree (an agent at the country's unit sees every
ticket). Supervisors also see who wrote a confidential ticket; nobody else does.
"""

from django.utils.translation import gettext_lazy as _

from pilotage.accounts.roles import NATIONAL_ADMIN
from pilotage.core.roles import Capability, RoleDef

CONTACT_AGENT = "contact_agent"
CONTACT_SUPERVISOR = "contact_supervisor"

# Opens the contact-centre pages at all (each ticket is then checked against the tree).
USE_CONTACT = "contact.use"
# Takes calls, e-mails and visits, answers tickets, records associations and requesters.
HANDLE_TICKETS = "contact.handle_tickets"
# Re-assigns, transfers between queues, sets the queues, calendars and SLA policies, reads
# the statistics and the SLA board, publishes knowledge-base articles.
SUPERVISE = "contact.supervise"
# Sees the identity of the requester of a confidential ticket (pages, API, exports).
SEE_CONFIDENTIAL = "contact.see_confidential"
# Writes knowledge-base articles (drafts; publishing is SUPERVISE).
WRITE_KB = "contact.write_kb"
# Reads the contact centre's statistics (volumes, SLA compliance, satisfaction).
READ_STATISTICS = "contact.read_statistics"

ROLES = [
    RoleDef(CONTACT_SUPERVISOR, _("Superviseur du centre de contact"), order=17),
    RoleDef(
        CONTACT_AGENT,
        _("Agent du centre de contact"),
        order=18,
        granted_by=(CONTACT_SUPERVISOR,),
    ),
]

CAPABILITIES = [
    Capability(USE_CONTACT, roles=(NATIONAL_ADMIN, CONTACT_SUPERVISOR, CONTACT_AGENT)),
    Capability(HANDLE_TICKETS, roles=(CONTACT_SUPERVISOR, CONTACT_AGENT)),
    Capability(SUPERVISE, roles=(NATIONAL_ADMIN, CONTACT_SUPERVISOR)),
    Capability(SEE_CONFIDENTIAL, roles=(CONTACT_SUPERVISOR,)),
    Capability(WRITE_KB, roles=(NATIONAL_ADMIN, CONTACT_SUPERVISOR, CONTACT_AGENT)),
    Capability(READ_STATISTICS, roles=(NATIONAL_ADMIN, CONTACT_SUPERVISOR)),
]
