from django.urls import path

from pilotage.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit_list, name="audit"),
    path("jobs/<uuid:pk>/", views.job_detail, name="job"),
    path("jobs/<uuid:pk>/progress/", views.job_progress, name="job-progress"),
    path("jobs/<uuid:pk>/problems.csv", views.job_problems, name="job-problems"),
    path("healthz", views.healthz, name="healthz"),
]
