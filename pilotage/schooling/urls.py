from pilotage.schooling.views import classes, imports, marks, reports, school

app_name = "schooling"
urlpatterns = [
    *classes.urlpatterns,
    *marks.urlpatterns,
    *school.urlpatterns,
    *reports.urlpatterns,
    *imports.urlpatterns,
]
