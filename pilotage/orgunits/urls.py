from django.urls import path

from pilotage.core.imports import import_urls
from pilotage.orgunits import views
from pilotage.orgunits.imports import ORGUNITS

app_name = "orgunits"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("search/", views.search, name="search"),
    path("tree/", views.tree, name="tree"),
    *import_urls("import/", ORGUNITS.name, "import"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/edit/", views.edit, name="edit"),
    path("<str:code>/children/", views.children, name="children"),
]
