"""The school's people and what the school records let each role do (see core/roles.py).

Officers (national, regional, provincial) see the schools of their subtree; a school head
runs a school; a teacher sees the classes they teach and enters those marks; a parent sees
only their own children.
"""

from django.utils.translation import gettext_lazy as _

from pilotage.accounts.roles import NATIONAL_ADMIN
from pilotage.core.permissions import VIEW_AUDIT
from pilotage.core.roles import Capability, RoleDef
from pilotage.orgunits.roles import BROWSE_TREE, PROVINCIAL_OFFICER, REGIONAL_OFFICER

SCHOOL_HEAD = "school_head"
TEACHER = "teacher"
PARENT = "parent"

# Sees every class and pupil of the schools of the subtree.
VIEW_SCHOOL = "schooling.view_school"
# Enrols, transfers, records council decisions, validates and unlocks sheets.
MANAGE_SCHOOL = "schooling.manage_school"
# Sees the classes they teach and enters those marks.
TEACH = "schooling.teach"
IMPORT_PUPILS = "schooling.import_pupils"
IMPORT_TEACHERS = "schooling.import_teachers"
IMPORT_MARKS = "schooling.import_marks"
# Closing mark entry is a ministry decision: the national administration anywhere, an
# academy or a directorate for the schools of its territory (school heads validate sheets).
SET_DEADLINES = "schooling.set_deadlines"
# Follows their own children's marks, absences and bulletins.
FOLLOW_CHILDREN = "schooling.follow_children"

_OFFICERS = (REGIONAL_OFFICER, PROVINCIAL_OFFICER)

ROLES = [
    RoleDef(
        SCHOOL_HEAD,
        _("Chef d'établissement"),
        order=30,
        granted_by=_OFFICERS,
        may=frozenset({BROWSE_TREE, VIEW_AUDIT}),
    ),
    RoleDef(
        TEACHER,
        _("Enseignant"),
        order=40,
        granted_by=(*_OFFICERS, SCHOOL_HEAD),
        may=frozenset({BROWSE_TREE}),
    ),
    RoleDef(PARENT, _("Parent / élève"), order=50, granted_by=(*_OFFICERS, SCHOOL_HEAD)),
]

CAPABILITIES = [
    Capability(VIEW_SCHOOL, roles=(NATIONAL_ADMIN, *_OFFICERS, SCHOOL_HEAD)),
    Capability(MANAGE_SCHOOL, roles=(NATIONAL_ADMIN, SCHOOL_HEAD)),
    Capability(TEACH, roles=(TEACHER,)),
    Capability(IMPORT_PUPILS, roles=(NATIONAL_ADMIN, PROVINCIAL_OFFICER, SCHOOL_HEAD)),
    Capability(IMPORT_TEACHERS, roles=(NATIONAL_ADMIN, PROVINCIAL_OFFICER, SCHOOL_HEAD)),
    Capability(IMPORT_MARKS, roles=(NATIONAL_ADMIN, SCHOOL_HEAD, TEACHER)),
    Capability(SET_DEADLINES, roles=(NATIONAL_ADMIN, *_OFFICERS)),
    Capability(FOLLOW_CHILDREN, roles=(PARENT,)),
]
