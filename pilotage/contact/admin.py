"""The contact centre in the Django admin (see core/admin.py): shown only, each pointing to
the page that edits it (the pages write through the services)."""

from __future__ import annotations

from django.contrib import admin

from pilotage.contact.models import (
    ActionField,
    Article,
    Association,
    Attachment,
    BusinessCalendar,
    Category,
    HolidayOverride,
    Queue,
    QueueMember,
    RamadanCorrection,
    Requester,
    StatsRebuild,
    SlaEvent,
    SlaPolicy,
    Ticket,
    TicketCounter,
    TicketFieldStat,
    TicketLink,
    TicketMessage,
    TicketStat,
    WorkingHours,
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


@admin.register(TicketStat, TicketFieldStat, StatsRebuild)
class StatsAdmin(ServiceAdmin):
    edit_url = "contact:stats"
# sla
@admin.register(WorkingHours, RamadanCorrection, HolidayOverride, SlaPolicy, SlaEvent)
class SlaAdmin(ServiceAdmin):
    edit_url = "contact:sla"
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
