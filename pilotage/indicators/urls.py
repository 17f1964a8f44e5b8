"""The indicators app's pages. Each part of the app keeps its routes in its views module."""

from pilotage.indicators.views import (
    actions,
    aggregates,
    custom,
    dashboards,
    exports,
    pivot,
    quality,
    reports,
    targets,
)

app_name = "indicators"

urlpatterns: list = [
    *dashboards.urlpatterns,
    *quality.urlpatterns,
    # Aggregate data entry and its imports; custom indicators.
    *aggregates.urlpatterns,
    *custom.urlpatterns,
    *targets.urlpatterns,
    *actions.urlpatterns,
    *exports.urlpatterns,
    *pivot.urlpatterns,
    *reports.urlpatterns,
]
