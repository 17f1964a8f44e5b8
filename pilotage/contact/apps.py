from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactConfig(AppConfig):
    name = "pilotage.contact"
    label = "contact"
    verbose_name = _("Centre de contact")
