"""The contact centre's pages. Each part of the app keeps its routes in its views module."""

from pilotage.contact.views import kb, registry, tickets

app_name = "contact"

urlpatterns: list = [
    *tickets.urlpatterns,
    *kb.urlpatterns,
    *registry.urlpatterns,
]
