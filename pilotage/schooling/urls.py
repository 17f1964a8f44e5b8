from pilotage.schooling.views import classes, deadlines, imports, marks, reports, school

app_name = "schooling"
urlpatterns = [
    *classes.urlpatterns,
    *marks.urlpatterns,
    *school.urlpatterns,
    *reports.urlpatterns,
    *imports.urlpatterns,
    *deadlines.urlpatterns,
]
