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
