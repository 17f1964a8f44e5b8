from pilotage.surveys.views import collect, sampling, surveys

app_name = "surveys"

urlpatterns: list = [
    *surveys.urlpatterns,
    *collect.urlpatterns,
    *sampling.urlpatterns,
]
