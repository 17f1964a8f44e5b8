"""Overdue actions by e-mail: once a day at most per action, to its owner and its nearest
supervisors (the rule is in ``selectors/actions.py``), each person receiving one message
listing their actions, in their own language (French when they have none).

Sent through Django's mail setup (``EMAIL_*`` settings). Each action is marked as flagged
for the day before the messages go (``actions_claim_overdue``), so a second run the same
day sends nothing; a person without an e-mail address is skipped and counted."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import ngettext

from pilotage.core.mail import base_url
from pilotage.indicators.models import Action
from pilotage.indicators.selectors.actions import nearest_supervisors
from pilotage.indicators.services.actions import actions_claim_overdue

logger = logging.getLogger(__name__)


def _language(user: Any) -> str:
    known = {code for code, _name in settings.LANGUAGES}
    language = getattr(user, "preferred_language", "") or "fr"
    return language if language in known else "fr"


def _message(
    user: Any, owned: list[Action], supervised: list[Action], today: dt.date
) -> EmailMessage:
    with translation.override(_language(user)):
        count = len(owned) + len(supervised)
        subject = ngettext(
            "Pilotage : %(count)s action en retard",
            "Pilotage : %(count)s actions en retard",
            count,
        ) % {"count": count}
        body = render_to_string(
            "indicators/actions/overdue_email.txt",
            {
                "user": user,
                "owned": owned,
                "supervised": supervised,
                "today": today,
                "base_url": base_url(),
            },
        )
    return EmailMessage(subject=subject, body=body, to=[user.email])


def notify_overdue(*, today: dt.date | None = None) -> dict[str, int]:
    """Flag today's overdue actions by e-mail; returns the counts."""
    today = today or timezone.localdate()
    actions = actions_claim_overdue(today=today)
    supervisors = nearest_supervisors(actions)
    owned: dict[int, list[Action]] = defaultdict(list)
    supervised: dict[int, list[Action]] = defaultdict(list)
    people: dict[int, Any] = {}
    for action in actions:
        people[action.owner_id] = action.owner
        owned[action.owner_id].append(action)
        for user in supervisors[action.pk]:
            people[user.pk] = user
            supervised[user.pk].append(action)
    sent = skipped = failed = 0
    for pk, user in people.items():
        if not user.email:
            skipped += 1
            continue
        try:
            _message(user, owned[pk], supervised[pk], today).send()
        except OSError:
            logger.exception("overdue notice to user %s failed", pk)
            failed += 1
        else:
            sent += 1
    return {"actions": len(actions), "emails": sent, "no_email": skipped, "failed": failed}
