from pilotage.schooling.views import (
    classes,
    deadlines,
    imports,
    marks,
    reports,
    school,
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
]
