"""The contact centre's audit actions, change labels and links (see core/audit.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from pilotage.core.audit import (
    audit_action,
    audit_change_labels_register,
    audit_links_by_pk,
    audit_links_register,
)

TICKET_CREATE = audit_action("ticket_create", _("Ticket enregistré"))
TICKET_REPLY = audit_action("ticket_reply", _("Réponse au demandeur"))
TICKET_NOTE = audit_action("ticket_note", _("Note interne"))
TICKET_INCOMING = audit_action("ticket_incoming", _("Message du demandeur"))
TICKET_STATUS = audit_action("ticket_status", _("Changement de statut d'un ticket"))
TICKET_ASSIGN = audit_action("ticket_assign", _("Attribution d'un ticket"))

audit_change_labels_register(
    {
        "status": _("statut"),
        "assignee": _("agent"),
        "queue": _("file"),
        "priority": _("priorité"),
        "category": _("catégorie"),
        "reference": _("référence"),
        "subject": _("objet"),
        "channel": _("canal"),
        "confidential": _("confidentiel"),
        "message": _("message"),
    }
)
audit_links_register("contact.ticket", audit_links_by_pk("contact:ticket"))
# public: the web form, the requester's satisfaction, appeal and the Médiateur referral.
SURVEY_SEND = audit_action("survey_send", _("Enquête de satisfaction envoyée"))
SURVEY_ANSWER = audit_action("survey_answer", _("Réponse à l'enquête de satisfaction"))
TICKET_APPEAL = audit_action("ticket_appeal", _("Recours du demandeur (ticket rouvert)"))
TICKET_MEDIATOR = audit_action("ticket_mediator", _("Saisine du Médiateur du Royaume"))
