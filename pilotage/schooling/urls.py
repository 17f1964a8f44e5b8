from pilotage.schooling.views import classes

app_name = "schooling"
urlpatterns = [*classes.urlpatterns]
