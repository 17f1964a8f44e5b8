"""The indicators app's pages. Each part of the app keeps its routes in its views module."""

from pilotage.indicators.views import dashboards

app_name = "indicators"

urlpatterns: list = []
urlpatterns += dashboards.urlpatterns
