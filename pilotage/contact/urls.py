"""The contact centre's pages. Each part of the app keeps its routes in its views module."""

from pilotage.contact.views import kb, stats, tickets
from pilotage.contact.views import kb, sla, tickets
from pilotage.contact.views import board, kb, routing, tickets
from pilotage.contact.views import kb, registry, tickets
from pilotage.contact.views import intake, kb, tickets, visits
from pilotage.contact.views import kb, public, satisfaction, tickets  # public

app_name = "contact"

urlpatterns: list = [
    *tickets.urlpatterns,
    *kb.urlpatterns,
    *stats.urlpatterns,
    *sla.urlpatterns,
    *routing.urlpatterns,
    *board.urlpatterns,
    *registry.urlpatterns,
    *intake.urlpatterns,
    *visits.urlpatterns,
    *public.urlpatterns,
    *satisfaction.urlpatterns,
]
