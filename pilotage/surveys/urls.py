from pilotage.surveys.views import analysis, builder, collect, sampling, surveys

app_name = "surveys"

urlpatterns: list = [
    *surveys.urlpatterns,
    *collect.urlpatterns,
    *sampling.urlpatterns,
    *analysis.urlpatterns,
    *builder.urlpatterns,
]
