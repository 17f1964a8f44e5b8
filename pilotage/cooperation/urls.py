"""The cooperation app's pages. Each part of the app keeps its routes in its views module."""

    actions,
    agreements,
    finance,
    meetings,
    partners,
    pipeline,
    programmes,
    reports,
    resources,
    trainings,
)

from pilotage.cooperation.views import (

app_name = "cooperation"

urlpatterns: list = [
    *programmes.urlpatterns,
    *reports.urlpatterns,
    *partners.urlpatterns,
    *meetings.urlpatterns,
    *pipeline.urlpatterns,
    *agreements.urlpatterns,
    *actions.urlpatterns,
    *trainings.urlpatterns,
    *resources.urlpatterns,
    *finance.urlpatterns,
]
