"""The cooperation app's audit actions, change labels and links (see core/audit.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from pilotage.core.audit import (
    audit_action,
    audit_change_labels_register,
    audit_links_by_pk,
    audit_links_register,
)

MEMBER_ADD = audit_action("member_add", _("Ajout à l'équipe d'un programme"))
MEMBER_REMOVE = audit_action("member_remove", _("Retrait de l'équipe d'un programme"))
SHARES_SET = audit_action("shares_set", _("Répartition (pays, secteurs, lieux)"))

audit_change_labels_register(
    {
        "title_fr": _("intitulé (français)"),
        "title_ar": _("intitulé (arabe)"),
        "title_en": _("intitulé (anglais)"),
        "default_currency": _("devise par défaut"),
        "lead_partner": _("partenaire chef de file"),
        "countries": _("pays"),
        "sectors": _("secteurs"),
        "locations": _("lieux"),
    }
)

audit_links_register("cooperation.programme", audit_links_by_pk("cooperation:programme"))
audit_links_register("cooperation.project", audit_links_by_pk("cooperation:project"))

# --- Results framework -------------------------------------------------------------------
RESULT_SUBMIT = audit_action("result_submit", _("Résultat soumis"))
RESULT_RETURN = audit_action("result_return", _("Résultat renvoyé pour révision"))
RESULT_APPROVE = audit_action("result_approve", _("Résultat approuvé"))
RESULT_COMMENT = audit_action("result_comment", _("Commentaire sur un résultat"))
audit_links_register("cooperation.resultupdate", audit_links_by_pk("cooperation:result-update"))
audit_links_register(
    "cooperation.resultindicator", audit_links_by_pk("cooperation:result-indicator")
)
