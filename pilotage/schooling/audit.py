"""Schooling's audit actions and the links from the audit page to its objects."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from pilotage.core.audit import (
    audit_action,
    audit_change_labels_register,
    audit_links_by_pk,
    audit_links_register,
)

DECIDE = audit_action("decide", _("Décision du conseil"))
COUNCIL_CLOSE = audit_action("council_close", _("Clôture du conseil de classe"))
ATTENDANCE = audit_action("attendance", _("Appel"))


audit_links_register("schooling.schoolclass", audit_links_by_pk("schooling:class"))
audit_links_register("schooling.marksheet", audit_links_by_pk("schooling:sheet"))
audit_change_labels_register(
    {
        "validated": _("validée"),
        "locked": _("verrouillée"),
        "until": _("jusqu'au"),
        "next_year": _("inscriptions de l'année suivante"),
        "promoted": _("admis"),
        "graduated": _("diplômés"),
        "dismissed": _("exclus"),
        "repeating": _("redoublants"),
    }
)
