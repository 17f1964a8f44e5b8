"""The indicators app's audit labels (the verbs are the kernel's: create, update, delete,
import)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from pilotage.core.audit import audit_change_labels_register

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
