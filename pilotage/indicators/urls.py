"""The indicators app's pages. Each part of the app keeps its routes in its views module."""

from django.urls import path

app_name = "indicators"

urlpatterns: list = []
