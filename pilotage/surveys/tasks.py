"""The surveys' background work (found by :mod:`pilotage.core.jobs`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from pilotage.core.jobs import Progress, job_kind

# Keys of their own: the job page's labels are shared by every app.
RESULT_LABELS = {
    "invitations_sent": _("Invitations envoyées"),
    "invitations_failed": _("Invitations en échec (à renvoyer)"),
    "no_address": _("Répondants sans adresse électronique"),
}

INVITE = "surveys.invite"


@job_kind(INVITE, label=_("Invitations et relances d'une enquête"))
def invite_job(
    progress: Progress, survey: int, actor_id: int, reminder: bool = False, **_params: Any
) -> dict[str, Any]:
    from pilotage.surveys.models import Survey
    from pilotage.surveys.services.invitations import invitations_send

    actor = get_user_model().objects.get(pk=actor_id)
    found = Survey.objects.select_related("org_unit").get(pk=survey)
    return invitations_send(actor=actor, survey=found, reminder=reminder, progress=progress)
