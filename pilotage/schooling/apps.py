from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolingConfig(AppConfig):
    name = "pilotage.schooling"
    label = "schooling"
    verbose_name = _("Vie scolaire")

    def ready(self) -> None:
        from pilotage.schooling import imports  # noqa: F401  (moves to tasks.py at merge)
