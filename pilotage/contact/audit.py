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

# phone: the phone intake, the telephony webhook and the walk-in reception.
INTAKE_REQUESTER_CREATE = audit_action("intake_requester_create", _("Demandeur créé à l'appel"))
CALL_INCOMING = audit_action("call_incoming", _("Appel entrant annoncé"))
CALL_TAKE = audit_action("call_take", _("Appel pris par un agent"))
TELEPHONY_TOKEN_CREATE = audit_action("telephony_token_create", _("Jeton de téléphonie créé"))
VISIT_REGISTER = audit_action("visit_register", _("Visiteur enregistré à l'accueil"))
VISIT_CALL = audit_action("visit_call", _("Visiteur appelé au guichet"))
VISIT_SERVE = audit_action("visit_serve", _("Visite enregistrée en ticket"))
