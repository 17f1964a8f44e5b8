from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "pilotage.core"
    label = "core"
    verbose_name = "Pilotage"

    def ready(self) -> None:
        # Each app names its audit actions (and links, labels) in its own audit.py, found
        # here the way the admin finds admin.py: the kernel names no domain.
        autodiscover_modules("audit")
