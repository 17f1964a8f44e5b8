from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolingConfig(AppConfig):
    name = "pilotage.schooling"
    label = "schooling"
    verbose_name = _("Vie scolaire")

    def ready(self) -> None:
        # Job kinds register when their module is imported; the worker must know them
        # without going through the URLconf.
        from pilotage.core.audit import audit_actions_register
        from pilotage.core.jobs import job_kind_label_set
        from pilotage.schooling import imports, reports  # noqa: F401

        for kind, label in (
            ("schooling.import_students", _("Import d'élèves")),
            ("schooling.import_teachers", _("Import d'enseignants")),
            ("schooling.import_marks", _("Import de notes")),
        ):
            job_kind_label_set(kind, label)
        audit_actions_register(
            {
                "decide": _("Décision du conseil"),
                "council_close": _("Clôture du conseil de classe"),
                "attendance": _("Appel"),
            }
        )
