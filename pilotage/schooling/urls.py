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
    transfers,
)

app_name = "schooling"
urlpatterns = [
    *classes.urlpatterns,
    *marks.urlpatterns,
    *school.urlpatterns,
    *transfers.urlpatterns,
    *reports.urlpatterns,
    *imports.urlpatterns,
    *deadlines.urlpatterns,
    *portal.urlpatterns,
    *progress.urlpatterns,
    *pupils.urlpatterns,
    *schools.urlpatterns,
]
