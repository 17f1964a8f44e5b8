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

# Work plans and consultants.
WORKPLAN_REVISE = audit_action("workplan_revise", _("Révision du plan de travail"))
ACTIVITY_PROGRESS = audit_action("activity_progress", _("Avancement d'une activité"))
ACTIVITY_DISBURSEMENTS = audit_action(
    "activity_disbursements", _("Décaissements prévus d'une activité")
)
DELIVERABLE_SUBMIT = audit_action("deliverable_submit", _("Remise d'un livrable"))
DELIVERABLE_REVIEW = audit_action("deliverable_review", _("Examen d'un livrable"))
REPORT_SUBMIT = audit_action("activity_report_submit", _("Remise d'un rapport d'activité"))
REPORT_REVIEW = audit_action("activity_report_review", _("Lecture d'un rapport d'activité"))
audit_links_register("cooperation.activity", audit_links_by_pk("cooperation:activity"))
audit_links_register("cooperation.contract", audit_links_by_pk("cooperation:contract"))
audit_links_register("cooperation.deliverable", audit_links_by_pk("cooperation:deliverable"))
