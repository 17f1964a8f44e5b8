"""The indicators app's audit actions (see core/audit.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from pilotage.core.audit import audit_action

VALIDATION_RUN = audit_action("indicators.validation_run", _("Contrôle des règles de validation"))
DATA_APPROVE = audit_action("indicators.data_approve", _("Approbation de données"))
DATA_UNAPPROVE = audit_action("indicators.data_unapprove", _("Retrait d'approbation de données"))
