"""The contact centre's background work (found by :mod:`pilotage.core.jobs`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from pilotage.contact.imports.associations import ASSOCIATIONS
from pilotage.core.imports import import_kind_register
from pilotage.core.jobs import Progress, job_kind

RESULT_LABELS = {
    "tickets": _("Tickets lus"),
    "stat_rows": _("Lignes de statistiques"),
    "warned": _("Alertes à 75 %"),
    "breached": _("Délais dépassés"),
    "emails": _("Courriels envoyés"),
}


# --- statistics ---
STATS_REBUILD = "contact.stats_rebuild"


@job_kind(STATS_REBUILD, label=_("Recalcul des statistiques du centre de contact"))
def stats_rebuild_job(progress: Progress, **_params: Any) -> dict[str, Any]:
    from pilotage.contact.services.stats import stats_rebuild

    return stats_rebuild()


# --- sla ---
SLA_CHECK = "contact.sla_check"


@job_kind(SLA_CHECK, label=_("Alertes et escalades des délais"))
def sla_check_job(progress: Progress, at: str | None = None, **_params: Any) -> dict[str, Any]:
    """Warns the assignees at 75 % of a deadline and the supervisors on a breach, each
    once (``services.sla.sla_check``); run it every few minutes."""
    from pilotage.contact.services.sla import sla_check

    return sla_check(at=dt.datetime.fromisoformat(at) if at else None)


# --- registry: the associations import ---
import_kind_register(ASSOCIATIONS)
# --- mail ---
FETCH_MAIL = "contact.fetch_mail"
MAIL_RETRY = "contact.mail_retry"


@job_kind(FETCH_MAIL, label=_("Relève du courriel du centre de contact"))
def fetch_mail_job(
    progress: Progress, maildir: str | None = None, **_params: Any
) -> dict[str, Any]:
    """Files the unread mails (see ``services.mail``); then sends again the replies whose
    e-mail failed."""
    from pilotage.contact.services.mail import mail_fetch_imap, mail_fetch_maildir, mail_retry

    counts: dict[str, Any] = (
        mail_fetch_maildir(maildir, progress) if maildir else mail_fetch_imap(progress=progress)
    )
    counts.update(mail_retry())
    return counts


@job_kind(MAIL_RETRY, label=_("Renvoi des réponses non parties"))
def mail_retry_job(progress: Progress, **_params: Any) -> dict[str, Any]:
    from pilotage.contact.services.mail import mail_retry

    return dict(mail_retry())
