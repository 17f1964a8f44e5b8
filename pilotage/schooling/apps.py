from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolingConfig(AppConfig):
    name = "pilotage.schooling"
    label = "schooling"
    verbose_name = _("Vie scolaire")
