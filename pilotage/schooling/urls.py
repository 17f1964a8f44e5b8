from pilotage.schooling.views import classes, school

app_name = "schooling"
urlpatterns = [*classes.urlpatterns, *school.urlpatterns]
