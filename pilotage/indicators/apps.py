from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "pilotage.indicators"
    label = "indicators"
    verbose_name = _("Pilotage de la performance")
