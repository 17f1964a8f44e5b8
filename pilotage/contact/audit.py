"""The contact centre's audit actions, change labels and links (see core/audit.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
        "subject": pgettext_lazy("contact", "objet"),
        "channel": _("canal"),
        "confidential": _("confidentiel"),
        "message": _("message"),
    }
)
audit_links_register("contact.ticket", audit_links_by_pk("contact:ticket"))
# sla
SLA_CALENDAR_EDIT = audit_action("sla_calendar_edit", _("Horaires d'un calendrier ouvré"))
SLA_RAMADAN_CORRECT = audit_action("sla_ramadan_correct", _("Correction des dates de Ramadan"))
SLA_HOLIDAY_OVERRIDE = audit_action("sla_holiday_override", _("Correction d'un jour férié"))
audit_links_register("contact.businesscalendar", audit_links_by_pk("contact:sla_calendar"))
# routing: taking, transfers between queues, availability and the queues' settings.
TICKET_TRANSFER = audit_action("ticket_transfer", _("Transfert d'un ticket vers une autre file"))
AGENT_AVAILABILITY = audit_action("agent_availability", _("Disponibilité d'un agent"))
QUEUE_UPDATE = audit_action("queue_update", _("Modification d'une file"))
audit_change_labels_register(
    {
        "available": _("disponible"),
        "note": _("motif"),
        "assignment": _("attribution"),
        "members": _("agents"),
    }
)
# tickets: the ticket page's edits, links, merge and split, attachments, canned replies.
TICKET_LINK = audit_action("ticket_link", _("Lien entre tickets"))
TICKET_MERGE = audit_action("ticket_merge", _("Fusion de tickets"))
TICKET_SPLIT = audit_action("ticket_split", _("Scission d'un ticket"))
TICKET_ATTACHMENT = audit_action("ticket_attachment", _("Pièce jointe ajoutée"))
CANNED_SAVE = audit_action("canned_reply_save", _("Réponse type enregistrée"))
audit_change_labels_register(
    {
        "type": _("type"),
        "org_unit": _("entité concernée"),
        "merged_into": _("fusionné dans"),
        "split_from": _("scindé de"),
        "link": pgettext_lazy("contact", "lien"),
        "attachment": _("pièce jointe"),
        "messages": _("messages"),
    }
)
# registry: the associations registry and requesters (services/registry.py).
ASSOCIATION_CREATE = audit_action("association_create", _("Association enregistrée"))
ASSOCIATION_IMPORT = audit_action("association_import", _("Import d'associations"))
REQUESTER_CREATE = audit_action("requester_create", _("Demandeur enregistré"))
audit_links_register("contact.association", audit_links_by_pk("contact:association"))
audit_links_register("contact.requester", audit_links_by_pk("contact:requester"))
# phone: the phone intake, the telephony webhook and the walk-in reception.
INTAKE_REQUESTER_CREATE = audit_action("intake_requester_create", _("Demandeur créé à l'appel"))
CALL_INCOMING = audit_action("call_incoming", _("Appel entrant annoncé"))
CALL_TAKE = audit_action("call_take", _("Appel pris par un agent"))
TELEPHONY_TOKEN_CREATE = audit_action("telephony_token_create", _("Jeton de téléphonie créé"))
VISIT_REGISTER = audit_action("visit_register", _("Visiteur enregistré à l'accueil"))
VISIT_CALL = audit_action("visit_call", _("Visiteur appelé au guichet"))
VISIT_SERVE = audit_action("visit_serve", _("Visite enregistrée en ticket"))
# kb: the knowledge base's writes (services/kb.py).
KB_CREATE = audit_action("kb_create", _("Article de la base de connaissances rédigé"))
KB_UPDATE = audit_action("kb_update", _("Article de la base de connaissances modifié"))
KB_STATUS = audit_action("kb_status", _("Article de la base de connaissances publié ou retiré"))
KB_TWIN = audit_action("kb_twin", _("Article relié à sa traduction"))
KB_FILE = audit_action("kb_file", _("Fichier ajouté à un article"))
audit_change_labels_register(
    {"title": _("titre"), "text": _("texte"), "twin": _("traduction"), "file": _("fichier")}
)
audit_links_register("contact.article", audit_links_by_pk("contact:kb-edit"))
# public: the web form, the requester's satisfaction, appeal and the Médiateur referral.
SURVEY_SEND = audit_action("survey_send", _("Enquête de satisfaction envoyée"))
SURVEY_ANSWER = audit_action("survey_answer", _("Réponse à l'enquête de satisfaction"))
TICKET_APPEAL = audit_action("ticket_appeal", _("Recours du demandeur (ticket rouvert)"))
TICKET_MEDIATOR = audit_action("ticket_mediator", _("Saisine du Médiateur du Royaume"))
