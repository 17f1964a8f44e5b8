from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "pilotage.demo"
    label = "demo"
    verbose_name = "Demo data"
