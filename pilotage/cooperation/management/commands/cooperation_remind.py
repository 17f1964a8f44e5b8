"""``manage.py cooperation_remind [--today YYYY-MM-DD]``: e-mail the reminders of the
agreements' obligations due today (N days before each due date, and on it); each reminder
goes once, so a daily cron may run it as often as it likes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pilotage.cooperation.services.agreements import reminders_send


class Command(BaseCommand):
    help = "E-mail the reminders of the agreements' obligations (each reminder once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="the day to run for (YYYY-MM-DD); default today")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(
                    f"--today: {options['today']!r} is not a YYYY-MM-DD date"
                ) from exc
        result = reminders_send(today=today)
        self.stdout.write(
            f"{result['reminders']} reminder(s) due, {result['emails']} e-mail(s) sent, "
            f"{result['no_email']} without a recipient, {result['failed']} failure(s)"
        )
