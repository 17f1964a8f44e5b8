"""``manage.py notify_overdue_actions``: e-mail the owners and supervisors of the actions
that are overdue today (at most once a day per action); meant for a daily cron."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pilotage.indicators.notifications import notify_overdue


class Command(BaseCommand):
    help = "E-mail owners and supervisors of overdue actions (once a day per action)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = notify_overdue()
        self.stdout.write(
            f"{result['actions']} overdue action(s) flagged, {result['emails']} e-mail(s) sent, "
            f"{result['no_email']} person(s) without an address, {result['failed']} failure(s)"
        )
