"""The indicators app's audit actions, change labels and the links from the audit page
to its objects (see core/audit.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from pilotage.core.audit import (
    audit_action,
    audit_change_labels_register,
    audit_links_by_pk,
    audit_links_register,
)

VALIDATION_RUN = audit_action("validation_run", _("Contrôle des règles de validation"))
DATA_APPROVE = audit_action("data_approve", _("Approbation de données"))
DATA_UNAPPROVE = audit_action("data_unapprove", _("Retrait d'approbation de données"))

# Aggregate data values, population estimates and custom indicators.
audit_change_labels_register(
    {
        "value": _("valeur"),
        "population": _("population"),
        "numerator": _("numérateur"),
        "denominator": _("dénominateur"),
        "factor": _("facteur"),
        "higher_is_better": _("plus haut est mieux"),
        "elements": _("éléments de données"),
        "period_type": _("périodicité"),
        "value_type": _("type de valeur"),
        "timely_days": _("délai de saisie (jours)"),
        "options": _("options"),
    }
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
