"""Inviting the sampled respondents and reminding those who have not answered.

Each e-mail carries the respondent's personal link (``collection.respondent_token``) and is
written in both of the survey's languages, the respondent's own first. It goes through
Django's e-mail backend (the SMTP server of the settings); one that fails is counted and
left for the next run, so sending again never writes to someone twice for the same round:
an invitation is sent once, a reminder at most once a day to those still without an
answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from pilotage.core.audit import audit_record
from pilotage.core.jobs import Progress
from pilotage.core.mail import base_url
from pilotage.surveys import permissions as perms
from pilotage.surveys.audit import INVITE, REMIND
from pilotage.surveys.models import Respondent, RespondentStatus, Survey
from pilotage.surveys.services.collection import respondent_token

REMINDER_GAP = dt.timedelta(hours=20)


def respondent_url(respondent: Respondent) -> str:
    return base_url() + reverse("surveys:respond", args=[respondent_token(respondent)])


def _message(respondent: Respondent, *, reminder: bool) -> EmailMultiAlternatives:
    survey = respondent.survey
    first = "ar" if respondent.language == "ar" else "fr"
    parts = []
    for lang in (first, "ar" if first == "fr" else "fr"):
        with translation.override(lang):
            context = {
                "survey": survey,
                "respondent": respondent,
                "title": survey.title_ar if lang == "ar" and survey.title_ar else survey.title_fr,
                "url": respondent_url(respondent),
                "reminder": reminder,
                "closes_at": survey.closes_at,
                "lang": lang,
            }
            parts.append(
                (
                    render_to_string("surveys/mail/invitation.txt", context),
                    render_to_string("surveys/mail/invitation.html", context),
                    render_to_string("surveys/mail/subject.txt", context).strip(),
                )
            )
    text = "\n\n――――\n\n".join(p[0] for p in parts)
    html = "<hr>".join(p[1] for p in parts)
    message = EmailMultiAlternatives(
        subject=" / ".join(p[2] for p in parts),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[respondent.email],
        headers={"Content-Language": f"{first}, {'ar' if first == 'fr' else 'fr'}"},
    )
    message.attach_alternative(html, "text/html")
    return message


def invitations_send(
    *, actor: Any, survey: Survey, reminder: bool = False, progress: Progress | None = None
) -> dict[str, int]:
    """Send the invitations not sent yet (``reminder=False``) or remind those who have not
    sent their answers (``reminder=True``). Returns the counts."""
    if not perms.can_manage(actor, survey):
        raise PermissionDenied
    now = timezone.now()
    rows = survey.respondents.exclude(email="").select_related("survey")
    if reminder:
        rows = rows.filter(invited_at__isnull=False).exclude(status=RespondentStatus.SUBMITTED)
        rows = rows.filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=now - REMINDER_GAP))
    else:
        rows = rows.filter(invited_at__isnull=True)
    targets = list(rows.order_by("pk"))
    if progress:
        progress.total(len(targets))
    sent, failed = [], 0
    connection = get_connection()
    for respondent in targets:
        try:
            connection.send_messages([_message(respondent, reminder=reminder)])
        except OSError:
            failed += 1
        else:
            sent.append(respondent.pk)
        if progress:
            progress.advance()
    stamp = Respondent.objects.filter(pk__in=sent)
    if reminder:
        stamp.update(reminded_at=now, reminders=F("reminders") + 1)
    else:
        stamp.update(invited_at=now)
    audit_record(
        actor=actor,
        action=REMIND if reminder else INVITE,
        obj=survey,
        changes={"sent": [None, len(sent)], "failed": [None, failed]},
    )
    skipped = survey.respondents.filter(email="").count()
    return {"invitations_sent": len(sent), "invitations_failed": failed, "no_address": skipped}
