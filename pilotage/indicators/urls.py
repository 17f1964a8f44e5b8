"""The indicators app's pages. Each part of the app keeps its routes in its views module."""

app_name = "indicators"

urlpatterns: list = []

# Aggregate data entry and its imports; custom indicators.
from pilotage.indicators.views import aggregates, custom  # noqa: E402

urlpatterns += [*aggregates.urlpatterns, *custom.urlpatterns]
