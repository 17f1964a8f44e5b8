"""The cooperation app's pages. Each part of the app keeps its routes in its views module."""

from pilotage.cooperation.views import iati, programmes

app_name = "cooperation"

urlpatterns: list = [
    *programmes.urlpatterns,
    *iati.urlpatterns,
]
