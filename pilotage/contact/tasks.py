"""The contact centre's background work (found by :mod:`pilotage.core.jobs`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from pilotage.core.jobs import Progress, job_kind

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
