"""The contact centre's pages. Each part of the app keeps its routes in its views module."""

from pilotage.contact.views import intake, kb, tickets, visits

app_name = "contact"

urlpatterns: list = [
    *tickets.urlpatterns,
    *kb.urlpatterns,
    *intake.urlpatterns,
    *visits.urlpatterns,
]
