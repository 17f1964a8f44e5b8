from pilotage.surveys.views import collect, surveys

app_name = "surveys"

urlpatterns: list = [
    *surveys.urlpatterns,
    *collect.urlpatterns,
]
