"""The contact centre's pages. Each part of the app keeps its routes in its views module."""

from pilotage.contact.views import (
    board,
    intake,
    kb,
    public,
    registry,
    routing,
    satisfaction,
    sla,
    stats,
    tickets,
    visits,
)

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
