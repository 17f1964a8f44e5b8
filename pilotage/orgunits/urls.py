from django.urls import path

from pilotage.orgunits import views

app_name = "orgunits"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("search/", views.search, name="search"),
    path("import/", views.import_units, name="import"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/edit/", views.edit, name="edit"),
    path("<str:code>/children/", views.children, name="children"),
]
