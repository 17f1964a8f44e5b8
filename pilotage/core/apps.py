from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "pilotage.core"
    label = "core"
    verbose_name = "Pilotage"

    def ready(self) -> None:
        # Each app names its audit actions (and links, sign-in receivers) in its own
        # audit.py, read at start-up so that no write meets an undeclared action.
        from pilotage.core.plugins import app_modules

        app_modules("audit")
