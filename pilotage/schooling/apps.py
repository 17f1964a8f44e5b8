from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolingConfig(AppConfig):
    name = "pilotage.schooling"
    label = "schooling"
    verbose_name = _("Vie scolaire")

    def ready(self) -> None:
        # Job kinds register when their module is imported; the worker must know them
        # without going through the URLconf.
        from pilotage.core.jobs import job_result_labels_set
        from pilotage.schooling import imports, reports  # noqa: F401

        job_result_labels_set(
            {
                "pupils_created": _("Élèves créés"),
                "pupils_updated": _("Élèves modifiés"),
                "classes_created": _("Classes créées"),
                "enrolments_created": _("Inscriptions créées"),
                "enrolments_moved": _("Inscriptions changées de classe"),
                "users_created": _("Comptes créés"),
                "users_updated": _("Comptes modifiés"),
                "teachers_created": _("Enseignants créés"),
                "teachers_updated": _("Enseignants modifiés"),
                "roles_granted": _("Rôles attribués"),
                "roles_revoked": _("Rôles retirés"),
                "sheets": _("Feuilles de notes modifiées"),
                "bulletins": _("Bulletins"),
                "classes": _("Classes"),
            }
        )
