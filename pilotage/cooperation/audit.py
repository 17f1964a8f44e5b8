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

# --- agreements ---
PARTY_ADD = audit_action("agreement_party_add", _("Ajout d'une partie à un accord"))
PARTY_REMOVE = audit_action("agreement_party_remove", _("Retrait d'une partie d'un accord"))
DOCUMENT_ADD = audit_action("agreement_document_add", _("Dépôt d'un document d'accord"))
OBLIGATION_SUBMIT = audit_action("obligation_submit", _("Remise d'une obligation"))
OBLIGATION_REVIEW = audit_action("obligation_review", _("Examen d'une obligation"))
OBLIGATION_REMIND = audit_action("obligation_remind", _("Rappel d'échéance envoyé"))
AMENDMENT_RECORD = audit_action("amendment_record", _("Enregistrement d'un avenant"))

audit_change_labels_register(
    {
        "signed_on": _("signée le"),
        "effective_on": _("entrée en vigueur"),
        "ends_on": _("fin"),
        "amount": _("montant"),
        "currency": _("devise"),
        "party": _("partie"),
        "document": _("document"),
        "due_on": _("échéance"),
        "amendment": _("avenant"),
    }
)
audit_links_register("cooperation.agreement", audit_links_by_pk("cooperation:agreement"))
# --- Capacity building and educational resources ---------------------------------------------

ATTENDANCE_SET = audit_action("attendance_set", _("Présence à une formation"))
PARTICIPANTS_IMPORT = audit_action("participants_import", _("Import des participants"))
DISTRIBUTION_CONFIRM = audit_action("distribution_confirm", _("Réception confirmée"))

audit_links_register("cooperation.trainingsession", audit_links_by_pk("cooperation:training"))
# --- Partners, meeting log, opportunity pipeline ---------------------------------------
CONTACT_ADD = audit_action("partner_contact_add", _("Ajout d'un contact de partenaire"))
CONTACT_UPDATE = audit_action("partner_contact_update", _("Modification d'un contact"))
CONTACT_REMOVE = audit_action("partner_contact_remove", _("Retrait d'un contact"))
FOLLOWUP_ADD = audit_action("followup_add", _("Action de suivi ajoutée"))
FOLLOWUP_DONE = audit_action("followup_done", _("Action de suivi faite"))
STAGE_MOVE = audit_action("opportunity_stage", _("Changement d'étape d'une opportunité"))

audit_change_labels_register(
    {
        "acronym": _("sigle"),
        "iati_type": _("type d'organisation IATI"),
        "iati_identifier": _("identifiant IATI"),
        "stage": _("étape"),
        "expected_amount": _("montant attendu"),
        "probability": _("probabilité (%)"),
        "expected_year": _("année de signature attendue"),
        "next_step": _("prochaine étape"),
        "partners": _("partenaires"),
        "participants": _("participants du service"),
        "external_participants": _("participants externes"),
        "minutes": _("compte rendu"),
        "decisions": _("décisions"),
        "contact": _("contact"),
        "followup": _("action de suivi"),
    }
)
audit_links_register("cooperation.partner", audit_links_by_pk("cooperation:partner"))
audit_links_register("cooperation.meeting", audit_links_by_pk("cooperation:meeting"))
audit_links_register("cooperation.opportunity", audit_links_by_pk("cooperation:opportunity"))
# --- Finance
audit_links_register("cooperation.budget", audit_links_by_pk("cooperation:budget"))
# --- Results framework -------------------------------------------------------------------
RESULT_SUBMIT = audit_action("result_submit", _("Résultat soumis"))
RESULT_RETURN = audit_action("result_return", _("Résultat renvoyé pour révision"))
RESULT_APPROVE = audit_action("result_approve", _("Résultat approuvé"))
RESULT_COMMENT = audit_action("result_comment", _("Commentaire sur un résultat"))
audit_links_register("cooperation.resultupdate", audit_links_by_pk("cooperation:result-update"))
audit_links_register(
    "cooperation.resultindicator", audit_links_by_pk("cooperation:result-indicator")
)
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
