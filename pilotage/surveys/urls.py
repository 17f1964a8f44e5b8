from pilotage.surveys.views import analysis, collect, surveys

app_name = "surveys"

urlpatterns: list = [
    *surveys.urlpatterns,
    *collect.urlpatterns,
    *analysis.urlpatterns,
]
