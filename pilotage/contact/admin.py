"""The contact centre in the Django admin (see core/admin.py): shown only, each pointing to
the page that edits it (the pages write through the services)."""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin

from pilotage.contact.models import (
    ActionField,
    Article,
    Association,
    Attachment,
    BusinessCalendar,
    Category,
    Queue,
    QueueMember,
    Requester,
    Ticket,
    TicketCounter,
    TicketLink,
    TicketMessage,
)
from pilotage.core.admin import ServiceAdmin


@admin.register(Ticket)
class TicketAdmin(ServiceAdmin):
    list_display = ("reference", "subject", "channel", "type", "status", "queue", "created_at")
    list_filter = ("status", "channel", "type")
    search_fields = ("reference", "subject")
    edit_url = "contact:tickets"


@admin.register(
    TicketMessage,
    Attachment,
    TicketLink,
    TicketCounter,
    Queue,
    QueueMember,
    Category,
    BusinessCalendar,
    Requester,
    Association,
    ActionField,
    Article,
)
class ContactPartAdmin(ServiceAdmin):
    edit_url = "contact:tickets"


# phone: the telephony link and the walk-in reception, shown only.
from pilotage.contact.models import (  # noqa: E402
    AgentExtension,
    IncomingCall,
    TelephonyToken,
    Visit,
    VisitCounter,
)


@admin.register(IncomingCall, AgentExtension, Visit, VisitCounter)
class PhonePartAdmin(ServiceAdmin):
    edit_url = "contact:intake"


@admin.register(TelephonyToken)
class TelephonyTokenAdmin(ServiceAdmin):
    edit_url = "contact:telephony"


# mail:
from pilotage.contact.models import InboundMail  # noqa: E402


@admin.register(InboundMail)
class InboundMailAdmin(ServiceAdmin):
    list_display = ("received_at", "from_address", "subject", "outcome", "ticket")
    list_filter = ("outcome",)
    search_fields = ("message_id", "from_address", "subject")
    edit_url = "contact:tickets"


class ContactShownAdmin(ServiceAdmin):
    """The rest of the app's tables (statistics, SLA, …): shown only; their pages edit them."""

    edit_url = "contact:tickets"


for _model in apps.get_app_config("contact").get_models():
    if not admin.site.is_registered(_model):
        admin.site.register(_model, ContactShownAdmin)
