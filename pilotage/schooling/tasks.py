"""The school records' background jobs (found by :mod:`pilotage.core.jobs`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from pilotage.core.imports import import_kind_register
from pilotage.core.jobs import Progress, job_kind, job_summary
from pilotage.schooling.imports import MARKS, STUDENTS, TEACHERS
from pilotage.schooling.reports import JOB_KIND, report_cards_build

RESULT_LABELS = {
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


# The three imports run as jobs through the kernel's pipeline.
for _kind in (STUDENTS, TEACHERS, MARKS):
    import_kind_register(_kind)


@job_kind(JOB_KIND, label=_("Édition de bulletins"))
def report_cards_job(progress: Progress, **params: Any) -> dict[str, Any]:
    """A batch of bulletins as one PDF (see ``reports.report_cards_build``), and what its
    page says: how many are ready, to download."""
    result = report_cards_build(progress, **params)
    bulletins, classes = result.get("bulletins", 0), result.get("classes", 0)
    if not bulletins:
        line = gettext("Aucun bulletin : ces classes n'ont pas d'élève inscrit.")
    elif classes > 1:
        line = ngettext(
            "%(n)s bulletin prêt, pour %(classes)s classes",
            "%(n)s bulletins prêts, pour %(classes)s classes",
            bulletins,
        ) % {"n": bulletins, "classes": classes}
    else:
        line = ngettext("%(n)s bulletin prêt", "%(n)s bulletins prêts", bulletins) % {
            "n": bulletins
        }
    return {**result, "summary": job_summary([line])}
