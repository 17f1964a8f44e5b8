"""The cooperation app's pages. Each part of the app keeps its routes in its views module."""

from pilotage.cooperation.views import (
    actions,
    agreements,
    consultants,
    finance,
    iati,
    meetings,
    partners,
    pipeline,
    programmes,
    reports,
    resources,
    results,
    trainings,
    workplans,
)

app_name = "cooperation"

urlpatterns: list = [
    *programmes.urlpatterns,
    *reports.urlpatterns,
    *partners.urlpatterns,
    *meetings.urlpatterns,
    *pipeline.urlpatterns,
    *agreements.urlpatterns,
    *finance.urlpatterns,
    *results.urlpatterns,
    *workplans.urlpatterns,
    *consultants.urlpatterns,
    *trainings.urlpatterns,
    *resources.urlpatterns,
    *actions.urlpatterns,
    *iati.urlpatterns,
]
