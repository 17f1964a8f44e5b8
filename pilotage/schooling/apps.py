from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolingConfig(AppConfig):
    name = "pilotage.schooling"
    label = "schooling"
    verbose_name = _("Vie scolaire")

    def ready(self) -> None:
        from pilotage.core.audit import audit_actions_register
        from pilotage.schooling import imports  # noqa: F401  (moves to tasks.py at merge)

        audit_actions_register(
            {
                "decide": _("Décision du conseil"),
                "council_close": _("Clôture du conseil de classe"),
                "attendance": _("Appel"),
            }
        )
