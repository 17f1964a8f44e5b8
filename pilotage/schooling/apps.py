from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolingConfig(AppConfig):
    name = "pilotage.schooling"
    label = "schooling"
    verbose_name = _("Vie scolaire")

    def ready(self) -> None:
        # Job kinds register when their module is imported; the worker must know them
        # without going through the URLconf.
        from pilotage.schooling import imports, reports  # noqa: F401
