"""The indicators app's audit actions and the links from the audit page to its objects."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from pilotage.core.audit import (
    audit_action,
    audit_change_labels_register,
    audit_links_by_pk,
    audit_links_register,
)

ACTION_NOTE = audit_action("action_note", _("Note de suivi d'une action"))
ACTION_EVIDENCE = audit_action("action_evidence", _("Pièce justificative d'une action"))
OVERDUE_NOTICE = audit_action("overdue_notice", _("Relance d'une action en retard"))
audit_links_register("indicators.action", audit_links_by_pk("indicators:action"))
audit_links_register("indicators.objective", audit_links_by_pk("indicators:objective"))
audit_links_register("indicators.target", audit_links_by_pk("indicators:target-edit"))
audit_change_labels_register(
    {"note": _("note"), "evidence": _("pièce justificative"), "size": _("taille (octets)")}
)
