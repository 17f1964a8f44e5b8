"""What the surveys let each role do (see core/roles.py).

A survey belongs to a unit of the tree — the service that runs it — and a role's
assignment covers the surveys of its subtree:

- a survey manager designs the surveys of their unit: loads the XLSForm, draws the sample,
  invites and reminds, reads the response rate and the weighted results;
- an enumerator (and a contact-centre agent, for phone interviews) enters answers on a
  respondent's behalf in the surveys of their unit;
- respondents themselves hold no role: their personal link (or an open survey's public
  link) is their only key.
"""

from django.utils.translation import gettext_lazy as _

from pilotage.accounts.roles import NATIONAL_ADMIN
from pilotage.contact.roles import CONTACT_AGENT, CONTACT_SUPERVISOR
from pilotage.core.roles import Capability, RoleDef

SURVEY_MANAGER = "survey_manager"
ENUMERATOR = "enumerator"

# Opens the survey pages at all (each survey is then checked against the tree).
USE_SURVEYS = "surveys.use"
# Creates surveys, loads their forms, draws samples, invites, reads the results.
MANAGE_SURVEYS = "surveys.manage"
# Enters answers on a respondent's behalf (phone or face-to-face interviews).
ENTER_RESPONSES = "surveys.enter_responses"

ROLES = [
    RoleDef(SURVEY_MANAGER, _("Responsable d'enquêtes"), order=19),
    RoleDef(ENUMERATOR, _("Enquêteur"), order=55, granted_by=(SURVEY_MANAGER,)),
]

_MANAGERS = (NATIONAL_ADMIN, SURVEY_MANAGER)

CAPABILITIES = [
    Capability(USE_SURVEYS, roles=(*_MANAGERS, ENUMERATOR, CONTACT_AGENT, CONTACT_SUPERVISOR)),
    Capability(MANAGE_SURVEYS, roles=_MANAGERS),
    Capability(ENTER_RESPONSES, roles=(*_MANAGERS, ENUMERATOR, CONTACT_AGENT, CONTACT_SUPERVISOR)),
]
