"""The indicators app's pages. Each part of the app keeps its routes in its views module."""

app_name = "indicators"

urlpatterns: list = []
from pilotage.indicators.views import actions as _actions, targets as _targets  # noqa: E402, I001

urlpatterns += _targets.urlpatterns + _actions.urlpatterns
