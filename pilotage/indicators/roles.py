"""What performance steering lets each role do (see core/roles.py).

Steering is the officers' work: the national administration, the academies (regional
officers) and the directorates (provincial officers) see the indicators of their territory,
set its targets, run its action plans and approve its data; a school head sees their
school's indicators, enters its aggregate data and follows the actions it owns.
"""

from pilotage.accounts.roles import NATIONAL_ADMIN
from pilotage.core.roles import Capability
from pilotage.orgunits.roles import PROVINCIAL_OFFICER, REGIONAL_OFFICER
from pilotage.schooling.roles import SCHOOL_HEAD

# Sees indicators, dashboards, maps, the pivot table and the reports of the subtree.
VIEW_INDICATORS = "indicators.view"
# Sets baselines and targets for the units of the subtree.
SET_TARGETS = "indicators.set_targets"
# Opens and updates objectives and actions of the subtree.
MANAGE_ACTIONS = "indicators.manage_actions"
# Enters and imports aggregate data values for the units of the subtree.
ENTER_DATA = "indicators.enter_data"
# Approves (and un-approves) data of the units below, level by level.
APPROVE_DATA = "indicators.approve_data"
# Defines custom indicators, data elements, data sets and validation rules; imports the
# population estimates. A national decision: one catalogue for the country.
MANAGE_CATALOGUE = "indicators.manage_catalogue"

_OFFICERS = (NATIONAL_ADMIN, REGIONAL_OFFICER, PROVINCIAL_OFFICER)

ROLES: list = []

CAPABILITIES = [
    Capability(VIEW_INDICATORS, roles=(*_OFFICERS, SCHOOL_HEAD)),
    Capability(SET_TARGETS, roles=_OFFICERS),
    Capability(MANAGE_ACTIONS, roles=(*_OFFICERS, SCHOOL_HEAD)),
    Capability(ENTER_DATA, roles=(*_OFFICERS, SCHOOL_HEAD)),
    Capability(APPROVE_DATA, roles=_OFFICERS),
    Capability(MANAGE_CATALOGUE, roles=(NATIONAL_ADMIN,)),
]
