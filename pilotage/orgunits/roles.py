"""The territorial officers of the regional academies and provincial directorates, and the
capabilities over the org-unit tree (see core/roles.py)."""

from django.utils.translation import gettext_lazy as _

from pilotage.core.permissions import VIEW_AUDIT
from pilotage.core.roles import RoleDef

REGIONAL_OFFICER = "regional_officer"
PROVINCIAL_OFFICER = "provincial_officer"

BROWSE_TREE = "orgunits.browse"
# Edits any unit of the subtree, the unit of the assignment included.
EDIT_TREE = "orgunits.edit"
# Edits the units strictly below the unit of the assignment, never that unit itself.
EDIT_TREE_BELOW = "orgunits.edit_below"
IMPORT_TREE = "orgunits.import"

ROLES = [
    RoleDef(
        REGIONAL_OFFICER,
        _("Responsable régional (AREF)"),
        order=10,
        may=frozenset({BROWSE_TREE, EDIT_TREE_BELOW, VIEW_AUDIT}),
    ),
    RoleDef(
        PROVINCIAL_OFFICER,
        _("Responsable provincial (DP)"),
        order=20,
        granted_by=(REGIONAL_OFFICER,),
        may=frozenset({BROWSE_TREE, EDIT_TREE_BELOW, VIEW_AUDIT}),
    ),
]
