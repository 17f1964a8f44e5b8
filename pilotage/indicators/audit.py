"""The indicators app's audit actions and change labels (see core/audit.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from pilotage.core.audit import audit_action, audit_change_labels_register

VALIDATION_RUN = audit_action("indicators.validation_run", _("Contrôle des règles de validation"))
DATA_APPROVE = audit_action("indicators.data_approve", _("Approbation de données"))
DATA_UNAPPROVE = audit_action("indicators.data_unapprove", _("Retrait d'approbation de données"))

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
