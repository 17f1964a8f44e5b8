"""The national administrator, who may do everything, everywhere (see core/roles.py)."""

from django.utils.translation import gettext_lazy as _

from pilotage.core.permissions import VIEW_ALL_AUDIT, VIEW_ALL_JOBS, VIEW_AUDIT
from pilotage.core.roles import RoleDef
from pilotage.orgunits.roles import BROWSE_TREE, EDIT_TREE, IMPORT_TREE

NATIONAL_ADMIN = "national_admin"

# Hands out every installed role, including those of apps added later.
GRANT_ANY_ROLE = "accounts.grant_any_role"

ROLES = [
    RoleDef(
        NATIONAL_ADMIN,
        _("Administrateur national"),
        order=0,
        may=frozenset(
            {
                GRANT_ANY_ROLE,
                VIEW_AUDIT,
                VIEW_ALL_AUDIT,
                VIEW_ALL_JOBS,
                BROWSE_TREE,
                EDIT_TREE,
                IMPORT_TREE,
            }
        ),
    )
]
