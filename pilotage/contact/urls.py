"""The contact centre's pages. Each part of the app keeps its routes in its views module."""

from pilotage.contact.views import kb, public, satisfaction, tickets  # public

app_name = "contact"

urlpatterns: list = [
    *tickets.urlpatterns,
    *kb.urlpatterns,
    *public.urlpatterns,
    *satisfaction.urlpatterns,
]
