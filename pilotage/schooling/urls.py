from pilotage.schooling.views import (
    classes,
    deadlines,
    imports,
    marks,
    portal,
    progress,
    pupils,
    reports,
    school,
    schools,
)

app_name = "schooling"
urlpatterns = [
    *classes.urlpatterns,
    *marks.urlpatterns,
    *school.urlpatterns,
    *reports.urlpatterns,
    *imports.urlpatterns,
    *deadlines.urlpatterns,
    *portal.urlpatterns,
    *progress.urlpatterns,
    *pupils.urlpatterns,
    *schools.urlpatterns,
]
