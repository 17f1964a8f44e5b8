"""The indicators app's pages. Each part of the app keeps its routes in its views module."""

app_name = "indicators"

urlpatterns: list = []
from pilotage.indicators.views import pivot, reports  # noqa: E402

urlpatterns += pivot.urlpatterns + reports.urlpatterns
