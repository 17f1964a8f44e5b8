"""The cooperation app's pages. Each part of the app keeps its routes in its views module."""

from pilotage.cooperation.views import (
    actions,
    agreements,
    programmes,
    reports,
    resources,
    trainings,
)

app_name = "cooperation"

urlpatterns: list = [
    *programmes.urlpatterns,
    *reports.urlpatterns,
    *actions.urlpatterns,
    *agreements.urlpatterns,
    *trainings.urlpatterns,
    *resources.urlpatterns,
]
