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
